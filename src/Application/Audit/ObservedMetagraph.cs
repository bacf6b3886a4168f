using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Projections.ChainHistory;
using Npgsql;
using ChainJson = Bittensor.Ledger.Chain.Audit.Json;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>
/// The metagraph of a synced subnet as the chain stored it (<c>source: observed</c>): the state written by its last
/// observed epoch at or before a block, read from that epoch's <see cref="EpochOutputsObserved"/>. Per uid the hotkey
/// (Keys), the alpha on it (TotalHotkeyAlpha), the block it registered at, the epoch's terms and its last update. The
/// coldkey is not among the items an epoch reads, so it is left empty.
/// </summary>
public static class ObservedMetagraph
{
    public const string Source = "observed";

    /// <summary>The observed metagraph, or null when the subnet has no observed epoch at or before <paramref name="atBlock"/>.</summary>
    public static async Task<MetagraphReport?> ReadAsync(NpgsqlDataSource dataSource, StoredEvents stored, ushort netuid, ulong? atBlock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(stored);
        await using var cmd = dataSource.CreateCommand(
            $"select e.seq_id, e.type, e.data from {LedgerStore.Schema}.mt_events e where e.seq_id = " +
            $"(select max(seq_id) from {ChainHistoryProjection.OutputsTable} where netuid = @n and block <= @at)");
        cmd.Parameters.AddWithValue("n", (int)netuid);
        cmd.Parameters.AddWithValue("at", atBlock is { } b ? checked((long)b) : long.MaxValue);
        var outputs = (await ObservedOutputs.ReadAsync(cmd, stored, ct).ConfigureAwait(false)).Select(o => o.Outputs).FirstOrDefault();
        if (outputs is null)
        {
            return null;
        }

        var state = ObservedOutputs.State(outputs);
        var hotkeys = state.Hotkeys();
        var order = hotkeys.Keys.Order().ToList();
        var stake = state.Map("TotalHotkeyAlpha", 0, EpochKey.Hotkey)
            .Where(r => r.KeyParts.Count > 0 && r.KeyParts[0] is JsonValue)
            .GroupBy(r => r.KeyParts[0]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => ChainJson.U64(g.First().Value), StringComparer.Ordinal);
        var registered = state.Map("BlockAtRegistration")
            .Where(r => r.KeyParts.Count > 1)
            .ToDictionary(r => (ushort)r.KeyParts[1]!.GetValue<long>(), r => ChainJson.U64(r.Value));
        var lastUpdate = state.Value("LastUpdate") as JsonArray ?? [];

        var neurons = new List<MetagraphNeuron>(order.Count);
        for (var k = 0; k < order.Count; k++)
        {
            var uid = order[k];
            var hotkey = hotkeys[uid];
            neurons.Add(new MetagraphNeuron(
                uid, hotkey, "", registered.GetValueOrDefault(uid), stake.GetValueOrDefault(hotkey),
                null, ObservedOutputs.U16(state, "StakeWeight", k), ObservedOutputs.U16(state, "Consensus", k), ObservedOutputs.U16(state, "Incentive", k),
                ObservedOutputs.U16(state, "Dividends", k), ObservedOutputs.U16(state, "ValidatorTrust", k), ObservedOutputs.U64(state.Value("Emission"), k),
                ObservedOutputs.Bool(state, "Active", k), ObservedOutputs.Bool(state, "ValidatorPermit", k),
                uid < lastUpdate.Count ? ChainJson.U64(lastUpdate[uid]) : null));
        }

        return new MetagraphReport(netuid, atBlock, null, outputs.Block.Value, neurons, Source);
    }

    /// <summary>The label of a report's numbers, for tables.</summary>
    public static string Describe(MetagraphReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"observed: as the chain stored them at its epoch block {report.EpochBlock} (synced by `ledger chain sync`)");
}
