namespace Bittensor.Ledger.Chain.Readers;

/// <summary>The schedule's storage before a block (from spec 423): LastEpochBlock, PendingEpochAt and BlocksSinceLastStep at B−1.</summary>
public readonly record struct EpochSlot(ulong LastEpochBlock, ulong PendingEpochAt, ulong BlocksSinceLastStep);

/// <summary>
/// When subtensor runs a subnet's epoch (chain-adapter.md §1.1, §1.4). Before spec 423 the schedule is a closed form in
/// the block, the netuid and the tempo; from 423 on it depends on storage (LastEpochBlock, PendingEpochAt, deferrals),
/// which the <see cref="EpochSlot"/> overload takes.
/// </summary>
public static class EpochSchedule
{
    /// <summary>The first spec whose epochs are scheduled by storage (dynamic tempo), not by the closed form.</summary>
    public const uint DynamicTempoSpec = 423;

    /// <summary>
    /// Whether the epoch of <paramref name="netuid"/> is due in <paramref name="block"/> under a runtime before spec
    /// 423: <c>tempo &gt; 0</c> and <c>(block + netuid + 2) % (tempo + 1) == 0</c>. (subtensor's own doc comment says
    /// "+ 1": that is off by one; the observed epochs of SN1, SN52 and SN79 fit "+ 2".) Tempo is read from the state
    /// before the block. The epoch can still be skipped when its inputs are inconsistent: confirm with
    /// <c>LastMechansimStepBlock</c>.
    /// </summary>
    public static bool IsDue(uint specVersion, long block, ushort netuid, ushort tempo)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        if (specVersion >= DynamicTempoSpec)
        {
            throw new ChainLayoutException(
                $"from spec {DynamicTempoSpec} epochs are scheduled by storage (LastEpochBlock, PendingEpochAt), not by the block number; spec {specVersion} was asked");
        }

        return tempo > 0 && (block + netuid + 2) % (tempo + 1) == 0;
    }

    /// <summary>The most blocks an epoch may be late before the safety net fires it (MAX_TEMPO, spec 423).</summary>
    public const ulong MaxTempo = 50_400;

    /// <summary>
    /// Whether the epoch is due in <paramref name="block"/> under any supported spec. Before 423: the closed form above
    /// (<paramref name="slot"/> is not read). From 423 (<c>run_coinbase.rs should_run_epoch</c>, after drain_pending has
    /// counted the block): tempo &gt; 0 and either an owner trigger is due (PendingEpochAt &gt; 0 and block ≥ it, which
    /// also covers an epoch deferred by MaxEpochsPerBlock), the safety net (BlocksSinceLastStep + 1 &gt; MAX_TEMPO), or
    /// block − LastEpochBlock ≥ tempo. Due is not ran: the cap can defer it and an inconsistent subnet skips it.
    /// </summary>
    public static bool IsDue(uint specVersion, long block, ushort netuid, ushort tempo, EpochSlot slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        if (specVersion < DynamicTempoSpec)
        {
            return IsDue(specVersion, block, netuid, tempo);
        }

        var b = (ulong)block;
        return tempo > 0
            && ((slot.PendingEpochAt > 0 && b >= slot.PendingEpochAt)
                || slot.BlocksSinceLastStep + 1 > MaxTempo
                || (b > slot.LastEpochBlock ? b - slot.LastEpochBlock : 0) >= tempo);
    }

    /// <summary>The first block after <paramref name="block"/> where the closed form (before spec 423) is due, or null for tempo 0.</summary>
    public static long? NextAfter(long block, ushort netuid, ushort tempo)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        if (tempo == 0)
        {
            return null;
        }

        var period = tempo + 1L;
        var remainder = (block + 1 + netuid + 2) % period;
        return block + 1 + ((period - remainder) % period);
    }
}
