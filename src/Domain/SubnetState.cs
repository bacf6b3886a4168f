using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Domain;

/// <summary>What the ledger knows about one subnet at the last applied block: its neurons (uid ↔ hotkey, registration
/// blocks), per-mechanism weights, bonds and last updates, and the per-uid results of the last applied
/// <c>EpochCompleted</c> (emission, validator permits, bonds). Read-only to everything but <see cref="LedgerState"/>.</summary>
public sealed class SubnetState
{
    /// <summary>Hard ceiling on mechanisms per subnet (spec §1: netuid_index = netuid + mecid·4096, max 16).</summary>
    public const int MaxMechanisms = 16;

    private readonly List<Hotkey> _keys = [];
    private readonly List<ulong> _registeredAt = [];
    private readonly List<ulong> _emission = [];
    private readonly List<bool> _permit = [];
    private readonly Dictionary<Hotkey, ushort> _uids = [];
    private readonly MechanismRows?[] _mechanisms = new MechanismRows?[MaxMechanisms];

    internal SubnetState(NetUid netUid, Block registeredAt, Coldkey owner, Hotkey ownerHotkey, SubnetHyperparameters hyperparameters)
    {
        NetUid = netUid;
        RegisteredAt = registeredAt;
        Owner = owner;
        OwnerHotkey = ownerHotkey;
        Hyperparameters = hyperparameters;
    }

    public NetUid NetUid { get; }

    public Block RegisteredAt { get; }

    public Coldkey Owner { get; }

    /// <summary>The owner's hotkey: immortal (never picked for pruning) and exempt from the stake threshold.</summary>
    public Hotkey OwnerHotkey { get; }

    public SubnetHyperparameters Hyperparameters { get; internal set; }

    /// <summary><c>SubnetworkN</c>: uids are 0..N-1.</summary>
    public int N => _keys.Count;

    public bool IsFull => _keys.Count >= Hyperparameters.MaxAllowedUids;

    /// <summary>Last <c>SubnetEmissionShareSet</c> for this subnet, if any.</summary>
    public (ulong Numerator, ulong Denominator, Rao? AlphaPrice)? EmissionShare { get; internal set; }

    /// <summary>Block of the last <c>EpochTriggered</c> or <c>EpochCompleted</c>, if any (dynamic tempo's LastEpochBlock).</summary>
    public Block? LastEpochBlock { get; internal set; }

    /// <summary>How many epochs the ledger has completed on this subnet: the next <c>EpochCompleted</c> has this index.</summary>
    public ulong EpochsCompleted { get; private set; }

    /// <summary><c>LastMechansimStepBlock</c>: block of the last completed epoch, 0 before any (spec §2.5 B0).</summary>
    public Block LastMechanismStepBlock { get; private set; }

    public Hotkey HotkeyAt(Uid uid) => _keys[uid.Value];

    public bool TryGetUid(Hotkey hotkey, out Uid uid)
    {
        if (_uids.TryGetValue(hotkey, out var value))
        {
            uid = new Uid(value);
            return true;
        }

        uid = default;
        return false;
    }

    public bool IsRegistered(Hotkey hotkey) => _uids.ContainsKey(hotkey);

    /// <summary><c>BlockAtRegistration[netuid][uid]</c>.</summary>
    public Block RegistrationBlock(Uid uid) => new(_registeredAt[uid.Value]);

    /// <summary>The uid's emission in the last epoch the consensus handler recorded (0 before any); pruning reads it.</summary>
    public ulong Emission(Uid uid) => _emission[uid.Value];

    /// <summary>Validator permit from the last recorded epoch (false before any, and after a replacement).</summary>
    public bool ValidatorPermit(Uid uid) => _permit[uid.Value];

    /// <summary><c>LastUpdate[netuid_index][uid]</c>: block of the uid's last weights on that mechanism, or of its registration.</summary>
    public Block LastUpdate(ushort mechanism, Uid uid)
    {
        var rows = _mechanisms[mechanism];
        return rows is null ? default : new Block(rows.LastUpdate[uid.Value]);
    }

    /// <summary>The stored weights row of <paramref name="uid"/> on a mechanism (max-upscaled values, caller order, zeros kept).</summary>
    public ReadOnlySpan<SparseEntry> Weights(ushort mechanism, Uid uid)
    {
        var rows = _mechanisms[mechanism];
        return rows is null ? [] : rows.Weights[uid.Value];
    }

    /// <summary>The stored bonds row of <paramref name="uid"/> on a mechanism, as recorded by the consensus handler.</summary>
    public ReadOnlySpan<SparseEntry> Bonds(ushort mechanism, Uid uid)
    {
        var rows = _mechanisms[mechanism];
        return rows is null ? [] : rows.Bonds[uid.Value];
    }

    internal MechanismRows Mechanism(ushort mechanism)
    {
        var rows = _mechanisms[mechanism];
        if (rows is null)
        {
            rows = new MechanismRows();
            for (var i = 0; i < _keys.Count; i++)
            {
                rows.Append(0);
            }

            _mechanisms[mechanism] = rows;
        }

        return rows;
    }

    internal void Append(Hotkey hotkey, Block block)
    {
        var uid = (ushort)_keys.Count;
        _keys.Add(hotkey);
        _uids.Add(hotkey, uid);
        _registeredAt.Add(block.Value);
        _emission.Add(0);
        _permit.Add(false);
        for (var m = 0; m < MaxMechanisms; m++)
        {
            _mechanisms[m]?.Append(0);
        }

        StampRegistration(uid, block);
    }

    /// <summary>Registration over a pruned uid (subtensor <c>replace_neuron</c>; spec vectors README): the uid's own weight
    /// and bond rows are cleared on every mechanism, every other row keeps its entry for the uid but with value 0,
    /// permit false, emission 0, <c>LastUpdate = BlockAtRegistration = block</c>.</summary>
    internal void Replace(ushort uid, Hotkey hotkey, Block block)
    {
        _uids.Remove(_keys[uid]);
        _keys[uid] = hotkey;
        _uids.Add(hotkey, uid);
        _registeredAt[uid] = block.Value;
        _emission[uid] = 0;
        _permit[uid] = false;
        for (var m = 0; m < MaxMechanisms; m++)
        {
            var rows = _mechanisms[m];
            if (rows is null)
            {
                continue;
            }

            rows.Weights[uid] = [];
            rows.Bonds[uid] = [];
            for (var i = 0; i < rows.Weights.Count; i++)
            {
                var row = rows.Weights[i];
                for (var j = 0; j < row.Length; j++)
                {
                    if (row[j].Uid == uid)
                    {
                        row[j] = new SparseEntry(uid, 0);
                    }
                }
            }
        }

        StampRegistration(uid, block);
    }

    private void StampRegistration(ushort uid, Block block)
    {
        var count = Math.Clamp((int)Hyperparameters.MechanismCount, 1, MaxMechanisms);
        for (var m = 0; m < count; m++)
        {
            Mechanism((ushort)m).LastUpdate[uid] = block.Value;
        }
    }

    internal void SetWeights(ushort mechanism, ushort uid, ushort[] uids, ushort[] values, Block block)
    {
        var row = new SparseEntry[uids.Length];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = new SparseEntry(uids[i], values[i]);
        }

        var rows = Mechanism(mechanism);
        rows.Weights[uid] = row;
        rows.LastUpdate[uid] = block.Value;
    }

    internal void RemoveBondsColumn(ushort column)
    {
        for (var m = 0; m < MaxMechanisms; m++)
        {
            var rows = _mechanisms[m];
            if (rows is null)
            {
                continue;
            }

            for (var i = 0; i < rows.Bonds.Count; i++)
            {
                var row = rows.Bonds[i];
                if (Array.Exists(row, e => e.Uid == column))
                {
                    rows.Bonds[i] = Array.FindAll(row, e => e.Uid != column);
                }
            }
        }
    }

    /// <summary>An epoch's results as the chain persists them: per-uid emission (pruning reads it), the new validator
    /// permits (the next epoch masks with them) and the bonds rows, cleared for every uid without a row (spec §2.6 E6).</summary>
    internal void CompleteEpoch(Emissions.EpochCompleted e)
    {
        foreach (var t in e.Terms)
        {
            _emission[t.Uid.Value] = t.Emission.Value;
            _permit[t.Uid.Value] = t.ValidatorPermit;
        }

        var count = Math.Clamp((int)Hyperparameters.MechanismCount, 1, MaxMechanisms);
        for (var m = 0; m < count; m++)
        {
            var rows = Mechanism((ushort)m);
            for (var i = 0; i < rows.Bonds.Count; i++)
            {
                rows.Bonds[i] = [];
            }
        }

        foreach (var row in e.Bonds)
        {
            Mechanism(row.Mechanism).Bonds[row.Uid.Value] = row.Row;
        }

        EpochsCompleted = e.Epoch + 1;
        LastMechanismStepBlock = e.Block;
        LastEpochBlock = e.Block;
    }


    internal sealed class MechanismRows
    {
        public List<ulong> LastUpdate { get; } = [];

        public List<SparseEntry[]> Weights { get; } = [];

        public List<SparseEntry[]> Bonds { get; } = [];

        public void Append(ulong lastUpdate)
        {
            LastUpdate.Add(lastUpdate);
            Weights.Add([]);
            Bonds.Add([]);
        }
    }
}
