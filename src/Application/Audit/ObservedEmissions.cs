using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Projections.ChainHistory;
using Npgsql;
using ChainJson = Bittensor.Ledger.Chain.Audit.Json;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>
/// Emission history of a synced subnet as the chain stored it (<c>source: observed</c>): one row per observed epoch and
/// keyed uid, with the epoch's terms, the combined Emission, the miner (server) emission of
/// <c>IncentiveAlphaEmittedToMiners</c> summed over mechanisms, and the validator emission as Emission minus that. The
/// epoch is subtensor's index: <c>SubnetEpochIndex</c> from spec 423, before it <c>(block + netuid + 1) / (tempo + 1)</c>.
/// Take and nominator shares are not stored by the epoch, so they are 0 here.
/// </summary>
public static class ObservedEmissions
{
    /// <summary>The rows of the observed epochs of <paramref name="query"/>'s subnet in range (empty when none).</summary>
    public static async Task<IReadOnlyList<EmissionRow>> ReadAsync(NpgsqlDataSource dataSource, StoredEvents stored, GetEmissions query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(query);
        if (query.NetUid is not { } netuid)
        {
            return [];
        }

        await using var cmd = dataSource.CreateCommand(
            $"select e.seq_id, e.type, e.data from {LedgerStore.Schema}.mt_events e join " +
            $"(select max(seq_id) as seq_id from {ChainHistoryProjection.OutputsTable} where netuid = @n and block between @from and @to group by block) o " +
            "on o.seq_id = e.seq_id order by e.seq_id");
        cmd.Parameters.AddWithValue("n", (int)netuid.Value);
        cmd.Parameters.AddWithValue("from", checked((long)(query.FromBlock ?? 0)));
        cmd.Parameters.AddWithValue("to", query.ToBlock is { } t ? checked((long)t) : long.MaxValue);
        var rows = new List<EmissionRow>();
        foreach (var (seq, outputs) in await ObservedOutputs.ReadAsync(cmd, stored, ct).ConfigureAwait(false))
        {
            var state = ObservedOutputs.State(outputs);
            var epoch = EpochIndex(state, outputs);
            if ((query.FromEpoch is { } fe && epoch < fe) || (query.ToEpoch is { } te && epoch > te))
            {
                continue;
            }

            var hotkeys = state.Hotkeys();
            var order = hotkeys.Keys.Order().ToList();
            for (var k = 0; k < order.Count; k++)
            {
                var server = outputs.MinerEmissions.Aggregate(0UL, (s, m) => k < m.Emissions.Length ? s + m.Emissions[k] : s);
                var emission = ObservedOutputs.U64(state.Value("Emission"), k);
                rows.Add(new EmissionRow(netuid.Value, epoch, order[k], outputs.Block.Value, seq, hotkeys[order[k]], "",
                    ObservedOutputs.U16(state, "StakeWeight", k), ObservedOutputs.U16(state, "Consensus", k), ObservedOutputs.U16(state, "Incentive", k),
                    ObservedOutputs.U16(state, "Dividends", k), ObservedOutputs.U16(state, "ValidatorTrust", k),
                    server, emission > server ? emission - server : 0, emission, 0, 0, []));
            }
        }

        return rows;
    }

    private static ulong EpochIndex(SubnetEpochState state, EpochOutputsObserved outputs) =>
        state.Value("SubnetEpochIndex") is JsonValue index && !state.Missing.Contains("SubnetEpochIndex")
            ? ChainJson.U64(index)
            : (outputs.Block.Value + outputs.NetUid.Value + 1) / (ChainJson.U64(state.Value("Tempo")) + 1);
}
