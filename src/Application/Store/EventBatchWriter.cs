using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Projections.SubnetStatus;
using Npgsql;
using NpgsqlTypes;

namespace Bittensor.Ledger.Application.Store;

/// <summary>One event to append, with the natural key that makes appending it idempotent.</summary>
public readonly record struct KeyedEvent(ILedgerEvent Event, string NaturalKey);

/// <summary>Appends a batch of events in one transaction by binary COPY straight into Marten's tables, together
/// with their natural keys and the subnet status rows they change (docs/adr/0001-streams.md, "Import path").
/// Marten's Quick append reaches ~21% of raw COPY on this machine and its BulkInsertEventsAsync cannot share a
/// transaction with the keys and the read model, so this writes what mt_quick_append_events would: rows in
/// mt_events with versions continuing each stream's mt_streams.version (locked FOR UPDATE first, so Marten's own
/// appends to the same stream wait rather than collide) and seq_ids drawn from Marten's sequence.</summary>
public sealed class EventBatchWriter(NpgsqlDataSource dataSource, StoredEvents stored)
{
    private const string Tenant = "*DEFAULT*";
    private static readonly string S = LedgerStore.Schema;

    public async Task AppendAsync(IReadOnlyList<KeyedEvent> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        var streamIds = new string[batch.Count];
        var streams = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            streamIds[i] = StreamIds.For(batch[i].Event);
            streams.TryAdd(streamIds[i], 0);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        var ids = streams.Keys.ToArray();
        await using (var cmd = new NpgsqlCommand($"select id, version from {S}.mt_streams where id = any(@ids) for update", connection, tx))
        {
            cmd.Parameters.AddWithValue("ids", ids);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                streams[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
            }
        }

        var sequences = new long[batch.Count];
        await using (var cmd = new NpgsqlCommand($"select nextval('{S}.mt_events_sequence') from generate_series(1, @n)", connection, tx))
        {
            cmd.Parameters.AddWithValue("n", batch.Count);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var i = 0;
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                sequences[i++] = reader.GetInt64(0);
            }
        }

        // Ascending seq_ids in line order: the fold that rebuilds LedgerState reads them back in this order.
        Array.Sort(sequences);

        var versions = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            versions[i] = ++System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(streams, streamIds[i]);
        }

        await using (var cmd = new NpgsqlCommand(
            $"insert into {S}.mt_streams as s (id, type, version, timestamp, created, tenant_id) " +
            $"select u.id, null, u.version, now(), now(), '{Tenant}' from unnest(@ids::varchar[], @versions::bigint[]) as u(id, version) " +
            "on conflict (id) do update set version = greatest(s.version, excluded.version), timestamp = now()", connection, tx))
        {
            cmd.Parameters.AddWithValue("ids", ids);
            cmd.Parameters.AddWithValue("versions", ids.Select(id => streams[id]).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        var now = DateTime.UtcNow;
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {S}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var e = batch[i].Event;
                var (alias, dotnetType) = stored.Names(e);
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(sequences[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                await copy.WriteAsync(streamIds[i], NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(versions[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                await copy.WriteAsync(stored.Json(e), NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                await copy.WriteAsync(alias, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(Tenant, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
                await copy.WriteAsync(dotnetType, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            $"copy {ImportKeys.QualifiedName} (natural_key, seq_id) from stdin (format binary)", ct).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(batch[i].NaturalKey, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(sequences[i], NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
            }

            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        await UpsertStatusAsync(connection, tx, batch, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The natural keys of <paramref name="keys"/> already in the store.</summary>
    public async Task<HashSet<string>> ExistingKeysAsync(IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return existing;
        }

        await using var cmd = dataSource.CreateCommand($"select natural_key from {ImportKeys.QualifiedName} where natural_key = any(@keys)");
        cmd.Parameters.AddWithValue("keys", keys.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    private static async Task UpsertStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<KeyedEvent> batch, CancellationToken ct)
    {
        var deltas = new Dictionary<ushort, SubnetStatusDelta>();
        foreach (var keyed in batch)
        {
            if (keyed.Event is not ISubnetEvent se)
            {
                continue;
            }

            var d = SubnetStatusTransformation.Delta(se);
            if (deltas.TryGetValue(d.NetUid, out var sum))
            {
                sum.Add(d);
                deltas[d.NetUid] = sum;
            }
            else
            {
                deltas[d.NetUid] = d;
            }
        }

        if (deltas.Count == 0)
        {
            return;
        }

        var rows = deltas.Values.ToArray();
        await using var cmd = new NpgsqlCommand(SubnetStatusTransformation.UpsertManySql, connection, tx);
        cmd.Parameters.AddWithValue("netuid", rows.Select(r => (int)r.NetUid).ToArray());
        cmd.Parameters.AddWithValue("neurons", rows.Select(r => r.Neurons).ToArray());
        cmd.Parameters.AddWithValue("latest_block", rows.Select(r => checked((long)r.LatestBlock)).ToArray());
        cmd.Parameters.AddWithValue("weight_submissions", rows.Select(r => r.WeightSubmissions).ToArray());
        cmd.Parameters.AddWithValue("stake", rows.Select(r => r.StakeText).ToArray());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
