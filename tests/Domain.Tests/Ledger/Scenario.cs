using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Domain.Tests.Ledger;

/// <summary>Given(events).When(event).Then…: the Given events must all be accepted; When checks one more.</summary>
internal sealed class Scenario
{
    private Scenario(LedgerState state) => State = state;

    public LedgerState State { get; }

    public static Scenario Given(params IEnumerable<ILedgerEvent> events)
    {
        var state = new LedgerState();
        foreach (var e in events)
        {
            state.Apply(e);
        }

        return new Scenario(state);
    }

    public Outcome When(ILedgerEvent e) => new(State, e, State.Check(e));
}

internal sealed class Outcome(LedgerState state, ILedgerEvent e, FieldError? violation)
{
    public LedgerState ThenAccepted()
    {
        violation.ShouldBeNull();
        state.Apply(e);
        return state;
    }

    public void ThenRejected(string field, string reasonContains)
    {
        violation.ShouldNotBeNull();
        violation.Field.ShouldBe(field);
        violation.Reason.ShouldContain(reasonContains);
        Should.Throw<InvalidOperationException>(() => state.Apply(e)).Message.ShouldContain(reasonContains);
    }
}

/// <summary>Deterministic keys and a small chain to start from.</summary>
internal static class Chain
{
    public static readonly NetUid Net = new(1);

    public static Hotkey Hot(int i) => Hotkey.FromPublicKey(Key(0x40, i));

    public static Coldkey Cold(int i) => Coldkey.FromPublicKey(Key(0xC0, i));

    public static Block B(ulong block) => new(block);

    public static SubnetHyperparameters Small(ushort maxUids = 4, ushort immunity = 10, ushort minNonImmune = 0, ulong rateLimit = 0) =>
        new() { MaxAllowedUids = maxUids, ImmunityPeriod = immunity, MinNonImmuneUids = minNonImmune, WeightsSetRateLimit = rateLimit };

    public static NetworkStarted Genesis() => new(B(0), Rao.FromTao(1_000_000), new NetworkParameters());

    public static SubnetRegistered Subnet(SubnetHyperparameters? hp = null, ulong block = 1) =>
        new(B(block), Net, Cold(0), Hot(0), Rao.FromTao(100), hp ?? Small());

    /// <summary>Hotkey i registered by coldkey i at the next uid.</summary>
    public static NeuronRegistered Register(int i, ushort uid, ulong block) =>
        new(B(block), Net, new Uid(uid), Hot(i), Cold(i), Rao.FromTao(1), null);

    /// <summary>Genesis, a subnet (owner hotkey 0 at uid 0) and neurons 1..count-1 at uids 1..count-1, one block apart.</summary>
    public static List<ILedgerEvent> SubnetWith(int count, SubnetHyperparameters? hp = null)
    {
        var events = new List<ILedgerEvent> { Genesis(), Subnet(hp) };
        for (var i = 0; i < count; i++)
        {
            events.Add(Register(i, (ushort)i, 2 + (ulong)i));
        }

        return events;
    }

    /// <summary>The subnet's next epoch at <paramref name="block"/> with the given per-uid emissions (every uid of the
    /// subnet), new permits and bonds rows, as the consensus handler records it; Yuma's other terms are 0.</summary>
    public static EpochCompleted Epoch(LedgerState state, ulong block, ulong[] emissions, bool[]? permits = null, params EpochBondsRow[] bonds)
    {
        var subnet = state.Subnet(Net)!;
        var terms = new UidEpochTerms[subnet.N];
        for (var i = 0; i < terms.Length; i++)
        {
            var uid = new Uid((ushort)i);
            var hotkey = subnet.HotkeyAt(uid);
            terms[i] = new UidEpochTerms(uid, hotkey, state.OwnerOf(hotkey)!.Value, 0, 0, 0, 0, 0, Rao.Zero, Rao.Zero,
                new Rao(emissions[i]), true, permits?[i] ?? false);
        }

        var rules = new EpochRuleSet(EpochSchedule.Triggered, 0, 0, 0, 0, 0, 0, 0, false, false, 0, 0, 0);
        return new EpochCompleted(B(block), Net, subnet.EpochsCompleted, rules, "", Rao.Zero, terms, bonds);
    }

    public static EpochBondsRow BondsRow(ushort uid, params SparseEntry[] row) => new(0, new Uid(uid), row);

    private static byte[] Key(byte tag, int i)
    {
        var key = new byte[32];
        key[0] = tag;
        BitConverter.TryWriteBytes(key.AsSpan(1), i);
        return key;
    }
}
