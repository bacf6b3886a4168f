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
/// The alpha on a hotkey in each synced subnet as the chain stored it (<c>source: observed</c>):
/// <c>TotalHotkeyAlpha(hotkey, netuid)</c> in the state its last observed epoch at or before a block wrote. The epoch
/// reads stake per hotkey, not per coldkey, so a position's coldkey is empty and its stake is the hotkey's total.
/// </summary>
public static class ObservedStakePositions
{
    public static async Task<IReadOnlyList<StakePosition>> ReadAsync(NpgsqlDataSource dataSource, StoredEvents stored, string hotkey, ulong? atBlock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(stored);
        await using var cmd = dataSource.CreateCommand(
            $"select e.seq_id, e.type, e.data from {LedgerStore.Schema}.mt_events e join " +
            $"(select max(seq_id) as seq_id from {ChainHistoryProjection.OutputsTable} where block <= @at group by netuid) o on o.seq_id = e.seq_id order by e.seq_id");
        cmd.Parameters.AddWithValue("at", atBlock is { } b ? checked((long)b) : long.MaxValue);
        var positions = new List<StakePosition>();
        foreach (var (_, outputs) in await ObservedOutputs.ReadAsync(cmd, stored, ct).ConfigureAwait(false))
        {
            var read = outputs.Values.FirstOrDefault(v => v.Item == "TotalHotkeyAlpha" && v.Keyed == nameof(EpochKey.Hotkey)
                && v.KeyParts is [JsonValue first, ..] && first.GetValue<string>() == hotkey);
            if (read is not null && ChainJson.U64(read.Value) is var alpha and > 0)
            {
                positions.Add(new StakePosition(outputs.NetUid.Value, hotkey, "", alpha, alpha, outputs.Block.Value));
            }
        }

        return [.. positions.OrderBy(p => p.NetUid)];
    }
}
