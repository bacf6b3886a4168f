using System.Text;
using System.Text.Json;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using FluentValidation;
using static Bittensor.Ledger.Application.Interchange.EventShape;

namespace Bittensor.Ledger.Application.Interchange;

internal enum FieldKind
{
    U64,
    U16,
    Hotkey,
    Coldkey,
    U16Array,
    Hyperparameters,
    NetworkParameters,
}

/// <summary>One field of an interchange event: its snake_case name, how it is read (<see cref="Kind"/>) and how it is
/// written from the event (<see cref="Write"/>). Reading and writing come from the same row, so they cannot drift.</summary>
internal abstract class FieldSpec(string name, FieldKind kind, bool optional)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public JsonEncodedText Encoded { get; } = JsonEncodedText.Encode(name);

    public FieldKind Kind { get; } = kind;

    /// <summary>Optional fields may be absent or null on read; the writer leaves them out when the event has no value.</summary>
    public bool Optional { get; } = optional;

    public abstract void Write(Utf8JsonWriter w, ILedgerEvent e);
}

internal sealed class FieldSpec<T>(string name, FieldKind kind, bool optional, Action<Utf8JsonWriter, JsonEncodedText, T> write)
    : FieldSpec(name, kind, optional)
    where T : ILedgerEvent
{
    public override void Write(Utf8JsonWriter w, ILedgerEvent e) => write(w, Encoded, (T)e);
}

/// <summary>The values read from one line, by field position in its <see cref="EventType"/>.</summary>
internal sealed class FieldValues
{
    public const int Capacity = 12;

    public readonly ulong[] Numbers = new ulong[Capacity];
    public readonly Hotkey[] Hotkeys = new Hotkey[Capacity];
    public readonly Coldkey[] Coldkeys = new Coldkey[Capacity];
    public readonly object?[] Objects = new object?[Capacity];
    public readonly bool[] Present = new bool[Capacity];

    public void Reset()
    {
        Array.Clear(Present);
        Array.Clear(Objects);
    }

    public Block Block(int i) => new(Numbers[i]);

    public NetUid NetUid(int i) => new((ushort)Numbers[i]);

    public Uid Uid(int i) => new((ushort)Numbers[i]);

    public ushort U16(int i) => (ushort)Numbers[i];

    public ulong U64(int i) => Numbers[i];

    public Rao Rao(int i) => new(Numbers[i]);

    public Rao? OptionalRao(int i) => Present[i] ? new Rao(Numbers[i]) : null;

    public Hotkey? OptionalHotkey(int i) => Present[i] ? Hotkeys[i] : null;

    public ushort[] Array16(int i) => (ushort[])Objects[i]!;

    public T Object<T>(int i) => (T)Objects[i]!;

    public T ObjectOr<T>(int i, T absent) => Present[i] ? (T)Objects[i]! : absent;
}

/// <summary>
/// One interchange event type, described once: its snake_case name, the CLR record, its fields in canonical order
/// (each with how it is written), how the record is built from the values read, and its shape rules. The NDJSON reader,
/// the writer and the content key (<see cref="NdjsonCodec"/>) and the shape check (<see cref="EventShape"/>) are all
/// derived from this table, so adding a fact is one row here plus its rules (docs/import-format.md documents each row).
/// </summary>
internal sealed class EventType(string name, Type clrType, FieldSpec[] fields, Func<FieldValues, ILedgerEvent> build, IValidator shape)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public Type ClrType { get; } = clrType;

    /// <summary>The fields in canonical order; <c>block</c> is always the first.</summary>
    public FieldSpec[] Fields { get; } = fields;

    public Func<FieldValues, ILedgerEvent> Build { get; } = build;

    /// <summary>What can be decided from the event alone (FluentValidation, interchange field names).</summary>
    public IValidator Shape { get; } = shape;

    public static readonly EventType[] All =
    [
        Describe<NetworkStarted>("network_started", new NetworkStartedShape())
            .Amount("issuance", e => e.Issuance).NetworkParameters("parameters", e => e.Parameters)
            .Reads(v => new NetworkStarted(v.Block(0), v.Rao(1), v.ObjectOr(2, new NetworkParameters()))),
        Describe<BlockEmissionMinted>("block_emission_minted", new BlockEmissionMintedShape())
            .Amount("amount", e => e.Amount)
            .Reads(v => new BlockEmissionMinted(v.Block(0), v.Rao(1))),
        Describe<TaoRecycled>("tao_recycled", new TaoRecycledShape())
            .Coldkey("coldkey", e => e.Coldkey).Amount("amount", e => e.Amount)
            .Reads(v => new TaoRecycled(v.Block(0), v.Coldkeys[1], v.Rao(2))),
        Describe<TaoBurned>("tao_burned", new TaoBurnedShape())
            .Coldkey("coldkey", e => e.Coldkey).Amount("amount", e => e.Amount)
            .Reads(v => new TaoBurned(v.Block(0), v.Coldkeys[1], v.Rao(2))),
        Describe<SubnetRegistered>("subnet_registered", new SubnetRegisteredShape())
            .NetUid(e => e.NetUid).Coldkey("owner", e => e.Owner).Hotkey("owner_hotkey", e => e.OwnerHotkey).Amount("lock_cost", e => e.LockCost)
            .Hyperparameters("hyperparameters", e => e.Hyperparameters, optional: true)
            .Reads(v => new SubnetRegistered(v.Block(0), v.NetUid(1), v.Coldkeys[2], v.Hotkeys[3], v.Rao(4), v.ObjectOr(5, new SubnetHyperparameters()))),
        Describe<HyperparametersChanged>("hyperparameters_changed", new HyperparametersChangedShape())
            .NetUid(e => e.NetUid).Hyperparameters("hyperparameters", e => e.Hyperparameters, optional: false)
            .Reads(v => new HyperparametersChanged(v.Block(0), v.NetUid(1), v.Object<SubnetHyperparameters>(2))),
        Describe<SubnetEmissionShareSet>("subnet_emission_share_set", new SubnetEmissionShareSetShape())
            .NetUid(e => e.NetUid).U64("share_numerator", e => e.ShareNumerator).U64("share_denominator", e => e.ShareDenominator)
            .OptionalAmount("alpha_price", e => e.AlphaPrice)
            .Reads(v => new SubnetEmissionShareSet(v.Block(0), v.NetUid(1), v.U64(2), v.U64(3), v.OptionalRao(4))),
        Describe<EpochTriggered>("epoch_triggered", new EpochTriggeredShape())
            .NetUid(e => e.NetUid)
            .Reads(v => new EpochTriggered(v.Block(0), v.NetUid(1))),
        Describe<NeuronRegistered>("neuron_registered", new NeuronRegisteredShape())
            .NetUid(e => e.NetUid).U16("uid", e => e.Uid.Value).Hotkey("hotkey", e => e.Hotkey).Coldkey("coldkey", e => e.Coldkey)
            .Amount("burn_paid", e => e.BurnPaid).OptionalHotkey("pruned_hotkey", e => e.PrunedHotkey)
            .Reads(v => new NeuronRegistered(v.Block(0), v.NetUid(1), v.Uid(2), v.Hotkeys[3], v.Coldkeys[4], v.Rao(5), v.OptionalHotkey(6))),
        Describe<BondsReset>("bonds_reset", new BondsResetShape())
            .NetUid(e => e.NetUid).Hotkey("hotkey", e => e.Hotkey)
            .Reads(v => new BondsReset(v.Block(0), v.NetUid(1), v.Hotkeys[2])),
        Describe<WeightsSet>("weights_set", new WeightsSetShape())
            .NetUid(e => e.NetUid).U16("mechanism", e => e.Mechanism).Hotkey("hotkey", e => e.Hotkey).U16("uid", e => e.Uid.Value)
            .U16Array("uids", e => e.Uids).U16Array("values", e => e.Values).U64("version_key", e => e.VersionKey)
            .Reads(v => new WeightsSet(v.Block(0), v.NetUid(1), v.U16(2), v.Hotkeys[3], v.Uid(4), v.Array16(5), v.Array16(6), v.U64(7))),
        Describe<StakeAdded>("stake_added", new StakeAddedShape())
            .Coldkey("coldkey", e => e.Coldkey).Hotkey("hotkey", e => e.Hotkey).NetUid(e => e.NetUid).Amount("alpha", e => e.Alpha)
            .OptionalAmount("tao_paid", e => e.TaoPaid)
            .Reads(v => new StakeAdded(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4), v.OptionalRao(5))),
        Describe<StakeRemoved>("stake_removed", new StakeRemovedShape())
            .Coldkey("coldkey", e => e.Coldkey).Hotkey("hotkey", e => e.Hotkey).NetUid(e => e.NetUid).Amount("alpha", e => e.Alpha)
            .OptionalAmount("tao_received", e => e.TaoReceived)
            .Reads(v => new StakeRemoved(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4), v.OptionalRao(5))),
        Describe<StakeMoved>("stake_moved", new StakeMovedShape())
            .Coldkey("coldkey", e => e.Coldkey).Hotkey("from_hotkey", e => e.FromHotkey).Hotkey("to_hotkey", e => e.ToHotkey)
            .NetUid(e => e.NetUid).Amount("alpha", e => e.Alpha)
            .Reads(v => new StakeMoved(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.Hotkeys[3], v.NetUid(4), v.Rao(5))),
        Describe<DelegateTakeSet>("delegate_take_set", new DelegateTakeSetShape())
            .Hotkey("hotkey", e => e.Hotkey).U16("take", e => e.Take)
            .Reads(v => new DelegateTakeSet(v.Block(0), v.Hotkeys[1], v.U16(2))),
        Describe<AlphaBurned>("alpha_burned", new AlphaBurnedShape())
            .Coldkey("coldkey", e => e.Coldkey).Hotkey("hotkey", e => e.Hotkey).NetUid(e => e.NetUid).Amount("alpha", e => e.Alpha)
            .Reads(v => new AlphaBurned(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4))),
        Describe<AlphaRecycled>("alpha_recycled", new AlphaRecycledShape())
            .Coldkey("coldkey", e => e.Coldkey).Hotkey("hotkey", e => e.Hotkey).NetUid(e => e.NetUid).Amount("alpha", e => e.Alpha)
            .Reads(v => new AlphaRecycled(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4))),
    ];

    private static readonly Dictionary<Type, EventType> ByClrType = All.ToDictionary(t => t.ClrType);

    public static EventType? Find(ReadOnlySpan<byte> utf8Name)
    {
        foreach (var t in All)
        {
            if (utf8Name.SequenceEqual(t.Utf8Name))
            {
                return t;
            }
        }

        return null;
    }

    /// <returns>the interchange type of <paramref name="e"/>, or null for events the interchange does not carry (the
    /// ledger's own derived events).</returns>
    public static EventType? TryOf(ILedgerEvent e) => ByClrType.GetValueOrDefault(e.GetType());

    public static EventType Of(ILedgerEvent e) =>
        TryOf(e) ?? throw new ArgumentException($"{e.GetType().Name} has no interchange type", nameof(e));

    private static Describing<T> Describe<T>(string name, AbstractValidator<T> shape) where T : ILedgerEvent => new(name, shape);

    /// <summary>Collects one type's fields in canonical order (<c>block</c> first, from <see cref="ILedgerEvent.Block"/>).</summary>
    private sealed class Describing<T>(string name, AbstractValidator<T> shape) where T : ILedgerEvent
    {
        private readonly List<FieldSpec> _fields = [new FieldSpec<T>("block", FieldKind.U64, false, (w, n, e) => w.WriteNumber(n, e.Block.Value))];

        public Describing<T> U64(string field, Func<T, ulong> get) => Add(field, FieldKind.U64, false, (w, n, e) => w.WriteNumber(n, get(e)));

        public Describing<T> Amount(string field, Func<T, Rao> get) => Add(field, FieldKind.U64, false, (w, n, e) => w.WriteNumber(n, get(e).Value));

        public Describing<T> OptionalAmount(string field, Func<T, Rao?> get) => Add(field, FieldKind.U64, true, (w, n, e) =>
        {
            if (get(e) is { } amount)
            {
                w.WriteNumber(n, amount.Value);
            }
        });

        public Describing<T> U16(string field, Func<T, ushort> get) => Add(field, FieldKind.U16, false, (w, n, e) => w.WriteNumber(n, get(e)));

        public Describing<T> NetUid(Func<T, NetUid> get) => U16("netuid", e => get(e).Value);

        public Describing<T> Hotkey(string field, Func<T, Hotkey> get) => Add(field, FieldKind.Hotkey, false, (w, n, e) => w.WriteString(n, get(e).Address));

        public Describing<T> OptionalHotkey(string field, Func<T, Hotkey?> get) => Add(field, FieldKind.Hotkey, true, (w, n, e) =>
        {
            if (get(e) is { } key)
            {
                w.WriteString(n, key.Address);
            }
        });

        public Describing<T> Coldkey(string field, Func<T, Coldkey> get) => Add(field, FieldKind.Coldkey, false, (w, n, e) => w.WriteString(n, get(e).Address));

        public Describing<T> U16Array(string field, Func<T, ushort[]> get) => Add(field, FieldKind.U16Array, false, (w, n, e) =>
        {
            w.WriteStartArray(n);
            foreach (var item in get(e))
            {
                w.WriteNumberValue(item);
            }

            w.WriteEndArray();
        });

        public Describing<T> Hyperparameters(string field, Func<T, SubnetHyperparameters> get, bool optional) =>
            Add(field, FieldKind.Hyperparameters, optional, (w, n, e) =>
            {
                w.WritePropertyName(n);
                ParameterFields.Write(w, get(e), ParameterFields.Hyperparameters);
            });

        public Describing<T> NetworkParameters(string field, Func<T, NetworkParameters> get) =>
            Add(field, FieldKind.NetworkParameters, true, (w, n, e) =>
            {
                w.WritePropertyName(n);
                ParameterFields.Write(w, get(e), ParameterFields.Network);
            });

        public EventType Reads(Func<FieldValues, T> build) => new(name, typeof(T), [.. _fields], v => build(v), shape);

        private Describing<T> Add(string field, FieldKind kind, bool optional, Action<Utf8JsonWriter, JsonEncodedText, T> write)
        {
            if (_fields.Count == FieldValues.Capacity)
            {
                throw new InvalidOperationException($"{name}: more than {FieldValues.Capacity} fields");
            }

            _fields.Add(new FieldSpec<T>(field, kind, optional, write));
            return this;
        }
    }
}
