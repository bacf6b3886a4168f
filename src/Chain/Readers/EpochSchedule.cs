namespace Bittensor.Ledger.Chain.Readers;

/// <summary>
/// When subtensor runs a subnet's epoch (chain-adapter.md §1.1, §1.4). Before spec 423 the schedule is a closed form in
/// the block, the netuid and the tempo; from 423 on it depends on storage (LastEpochBlock, PendingEpochAt, deferrals),
/// so callers read <c>LastEpochBlock</c> instead and this says so.
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
