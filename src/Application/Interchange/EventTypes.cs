using System.Text;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

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

internal sealed class FieldSpec(string name, FieldKind kind, bool optional = false)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public FieldKind Kind { get; } = kind;

    /// <summary>Optional fields may be absent or null (the record property is nullable).</summary>
    public bool Optional { get; } = optional;
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
}

/// <summary>One interchange event type: its snake_case name, the CLR record, its fields in canonical order, and how to
/// build the record from parsed values. The writer (<see cref="NdjsonCodec"/>) emits the same fields in the same order.</summary>
internal sealed class EventType(string name, Type clrType, FieldSpec[] fields, Func<FieldValues, ILedgerEvent> build)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public Type ClrType { get; } = clrType;

    public FieldSpec[] Fields { get; } = fields;

    public Func<FieldValues, ILedgerEvent> Build { get; } = build;

    public static readonly EventType[] All =
    [
        new("network_started", typeof(NetworkStarted),
            [new("block", FieldKind.U64), new("issuance", FieldKind.U64), new("parameters", FieldKind.NetworkParameters, optional: true)],
            v => new NetworkStarted(v.Block(0), v.Rao(1), v.Present[2] ? v.Object<NetworkParameters>(2) : new NetworkParameters())),
        new("block_emission_minted", typeof(BlockEmissionMinted),
            [new("block", FieldKind.U64), new("amount", FieldKind.U64)],
            v => new BlockEmissionMinted(v.Block(0), v.Rao(1))),
        new("tao_recycled", typeof(TaoRecycled),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("amount", FieldKind.U64)],
            v => new TaoRecycled(v.Block(0), v.Coldkeys[1], v.Rao(2))),
        new("tao_burned", typeof(TaoBurned),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("amount", FieldKind.U64)],
            v => new TaoBurned(v.Block(0), v.Coldkeys[1], v.Rao(2))),
        new("subnet_registered", typeof(SubnetRegistered),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("owner", FieldKind.Coldkey), new("owner_hotkey", FieldKind.Hotkey),
             new("lock_cost", FieldKind.U64), new("hyperparameters", FieldKind.Hyperparameters, optional: true)],
            v => new SubnetRegistered(v.Block(0), v.NetUid(1), v.Coldkeys[2], v.Hotkeys[3], v.Rao(4),
                v.Present[5] ? v.Object<SubnetHyperparameters>(5) : new SubnetHyperparameters())),
        new("hyperparameters_changed", typeof(HyperparametersChanged),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("hyperparameters", FieldKind.Hyperparameters)],
            v => new HyperparametersChanged(v.Block(0), v.NetUid(1), v.Object<SubnetHyperparameters>(2))),
        new("subnet_emission_share_set", typeof(SubnetEmissionShareSet),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("share_numerator", FieldKind.U64), new("share_denominator", FieldKind.U64),
             new("alpha_price", FieldKind.U64, optional: true)],
            v => new SubnetEmissionShareSet(v.Block(0), v.NetUid(1), v.U64(2), v.U64(3), v.OptionalRao(4))),
        new("epoch_triggered", typeof(EpochTriggered),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16)],
            v => new EpochTriggered(v.Block(0), v.NetUid(1))),
        new("neuron_registered", typeof(NeuronRegistered),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("uid", FieldKind.U16), new("hotkey", FieldKind.Hotkey),
             new("coldkey", FieldKind.Coldkey), new("burn_paid", FieldKind.U64), new("pruned_hotkey", FieldKind.Hotkey, optional: true)],
            v => new NeuronRegistered(v.Block(0), v.NetUid(1), v.Uid(2), v.Hotkeys[3], v.Coldkeys[4], v.Rao(5), v.OptionalHotkey(6))),
        new("bonds_reset", typeof(BondsReset),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("hotkey", FieldKind.Hotkey)],
            v => new BondsReset(v.Block(0), v.NetUid(1), v.Hotkeys[2])),
        new("weights_set", typeof(WeightsSet),
            [new("block", FieldKind.U64), new("netuid", FieldKind.U16), new("mechanism", FieldKind.U16), new("hotkey", FieldKind.Hotkey),
             new("uid", FieldKind.U16), new("uids", FieldKind.U16Array), new("values", FieldKind.U16Array), new("version_key", FieldKind.U64)],
            v => new WeightsSet(v.Block(0), v.NetUid(1), v.U16(2), v.Hotkeys[3], v.Uid(4), v.Array16(5), v.Array16(6), v.U64(7))),
        new("stake_added", typeof(StakeAdded),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("hotkey", FieldKind.Hotkey), new("netuid", FieldKind.U16),
             new("alpha", FieldKind.U64), new("tao_paid", FieldKind.U64, optional: true)],
            v => new StakeAdded(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4), v.OptionalRao(5))),
        new("stake_removed", typeof(StakeRemoved),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("hotkey", FieldKind.Hotkey), new("netuid", FieldKind.U16),
             new("alpha", FieldKind.U64), new("tao_received", FieldKind.U64, optional: true)],
            v => new StakeRemoved(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4), v.OptionalRao(5))),
        new("stake_moved", typeof(StakeMoved),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("from_hotkey", FieldKind.Hotkey), new("to_hotkey", FieldKind.Hotkey),
             new("netuid", FieldKind.U16), new("alpha", FieldKind.U64)],
            v => new StakeMoved(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.Hotkeys[3], v.NetUid(4), v.Rao(5))),
        new("delegate_take_set", typeof(DelegateTakeSet),
            [new("block", FieldKind.U64), new("hotkey", FieldKind.Hotkey), new("take", FieldKind.U16)],
            v => new DelegateTakeSet(v.Block(0), v.Hotkeys[1], v.U16(2))),
        new("alpha_burned", typeof(AlphaBurned),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("hotkey", FieldKind.Hotkey), new("netuid", FieldKind.U16),
             new("alpha", FieldKind.U64)],
            v => new AlphaBurned(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4))),
        new("alpha_recycled", typeof(AlphaRecycled),
            [new("block", FieldKind.U64), new("coldkey", FieldKind.Coldkey), new("hotkey", FieldKind.Hotkey), new("netuid", FieldKind.U16),
             new("alpha", FieldKind.U64)],
            v => new AlphaRecycled(v.Block(0), v.Coldkeys[1], v.Hotkeys[2], v.NetUid(3), v.Rao(4))),
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

    public static EventType Of(ILedgerEvent e) =>
        ByClrType.TryGetValue(e.GetType(), out var t) ? t : throw new ArgumentException($"{e.GetType().Name} has no interchange type", nameof(e));
}
