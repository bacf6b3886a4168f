using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Domain.Chain;
using Npgsql;
using ChainJson = Bittensor.Ledger.Chain.Audit.Json;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>What the observed read paths (metagraph, emissions, stake) share: loading stored epoch outputs, their state,
/// and reading the epoch's vectors, which the chain writes in the order of the keyed uids (position k is the k-th uid with
/// a key).</summary>
internal static class ObservedOutputs
{
    /// <summary>The <see cref="EpochOutputsObserved"/> facts a <c>select seq_id, type, data</c> over mt_events returns, in its order.</summary>
    public static async Task<List<(long Seq, EpochOutputsObserved Outputs)>> ReadAsync(NpgsqlCommand cmd, StoredEvents stored, CancellationToken ct)
    {
        var found = new List<(long, EpochOutputsObserved)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var seq = reader.GetInt64(0);
            if (stored.Read(seq, reader.GetString(1), reader, 2) is EpochOutputsObserved outputs)
            {
                found.Add((seq, outputs));
            }
        }

        return found;
    }

    /// <summary>The state at the epoch block, as the epoch left it.</summary>
    public static SubnetEpochState State(EpochOutputsObserved outputs) =>
        new(new BlockRef(checked((long)outputs.Block.Value), outputs.BlockHash, "", outputs.SpecVersion), outputs.NetUid.Value, outputs.Mechanisms,
            [.. outputs.Values.Select(ObservedFacts.Read)], [.. outputs.Missing]);

    public static ulong U64(JsonNode? vector, int k) => vector is JsonArray a && k < a.Count ? ChainJson.U64(a[k]) : 0;

    public static ushort U16(SubnetEpochState state, string item, int k) => (ushort)Math.Min(U64(state.Value(item), k), ushort.MaxValue);

    public static bool Bool(SubnetEpochState state, string item, int k) => state.Value(item) is JsonArray a && k < a.Count && ChainJson.Bool(a[k]);
}
