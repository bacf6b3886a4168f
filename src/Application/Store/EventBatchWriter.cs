using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Projections.SubnetStatus;
using Npgsql;
using NpgsqlTypes;

namespace Bittensor.Ledger.Application.Store;

/// <summary>One event to append, with the natural key that makes appending it idempotent.</summary>
public readonly record struct KeyedEvent(ILedgerEvent Event, string NaturalKey);

/// <summary>A batch with everything that needs no database already computed (stream ids, status deltas and both
/// COPY payloads in PostgreSQL's binary COPY format, with the seq_ids and versions left as placeholders), so the
/// import prepares the next batch while the previous one is being written and the write itself only patches
/// 16 bytes per row and streams the bytes.</summary>
public sealed class PreparedBatch
{
    internal PreparedBatch(int count)
    {
        StreamIds = new string[count];
        Keys = new string[count];
        EventSeqAt = new int[count];
        EventVersionAt = new int[count];
        KeySeqAt = new int[count];
    }

    public int Count => Keys.Length;

    internal string[] StreamIds { get; }

    internal string[] Keys { get; }

    /// <summary>COPY mt_events rows, binary format; <see cref="EventSeqAt"/> and <see cref="EventVersionAt"/> are the
    /// offsets of each row's seq_id and version values.</summary>
    internal CopyBuffer Events { get; } = new();

    internal int[] EventSeqAt { get; }

    internal int[] EventVersionAt { get; }

    /// <summary>COPY ledger_natural_keys rows, binary format; <see cref="KeySeqAt"/> are the seq_id offsets.</summary>
    internal CopyBuffer NaturalKeys { get; } = new();

    internal int[] KeySeqAt { get; }

    internal Dictionary<string, long> Streams { get; } = new(StringComparer.Ordinal);

    internal Dictionary<ushort, SubnetStatusDelta> Status { get; } = [];

    /// <summary>More writes that must commit with these events or not at all (a sync's checkpoint), run in the
    /// batch's transaction after the events and their keys.</summary>
    public Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task>? AlsoInTransaction { get; set; }
}

/// <summary>Appends a batch of events in one transaction by binary COPY straight into Marten's tables, together
/// with their natural keys and the subnet status rows they change (docs/adr/0001-streams.md, "Import path").
/// Marten's Quick append reaches ~21% of raw COPY on this machine and its BulkInsertEventsAsync cannot share a
/// transaction with the keys and the read model, so this writes what mt_quick_append_events would: rows in
/// mt_events with versions continuing each stream's mt_streams.version (bumped first by an upsert whose ON CONFLICT
/// DO UPDATE locks the row, so Marten's own appends to the same stream wait rather than collide) and seq_ids drawn
/// from Marten's sequence. The transaction commits asynchronously and, as a superuser, skips mt_events' FK trigger;
/// the ADR says why both are safe.</summary>
public sealed class EventBatchWriter(NpgsqlDataSource dataSource, StoredEvents stored)
{
    private const string Tenant = "*DEFAULT*";
    private static readonly string S = LedgerStore.Schema;

    public PreparedBatch Prepare(IReadOnlyList<KeyedEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var prepared = new PreparedBatch(batch.Count);
        var events = prepared.Events;
        var keys = prepared.NaturalKeys;
        events.Header();
        keys.Header();
        var now = CopyBuffer.TimestampTz(DateTime.UtcNow);
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i].Event;
            var streamId = StreamIds.For(e);
            prepared.StreamIds[i] = streamId;
            prepared.Streams.TryAdd(streamId, 0);
            var (alias, dotnetType) = stored.Names(e);
            prepared.Keys[i] = batch[i].NaturalKey;

            // Same columns, values and JSON as Marten's own append (see the COPY statement in AppendAsync).
            events.Row(10);
            prepared.EventSeqAt[i] = events.Int64(0);
            events.Uuid(Guid.CreateVersion7());
            events.Text(streamId);
            prepared.EventVersionAt[i] = events.Int64(0);
            events.Jsonb(stored.Json(e));
            events.Text(alias);
            events.Text(Tenant);
            events.Int64(now);
            events.Text(dotnetType);
            events.Bool(false);

            keys.Row(2);
            keys.Text(batch[i].NaturalKey);
            prepared.KeySeqAt[i] = keys.Int64(0);

            if (e is ISubnetEvent se)
            {
                var d = SubnetStatusTransformation.Delta(se);
                if (prepared.Status.TryGetValue(d.NetUid, out var sum))
                {
                    sum.Add(d);
                    prepared.Status[d.NetUid] = sum;
                }
                else
                {
                    prepared.Status[d.NetUid] = d;
                }
            }
        }

        events.Trailer();
        keys.Trailer();
        return prepared;
    }

    public Task AppendAsync(IReadOnlyList<KeyedEvent> batch, CancellationToken ct) => AppendAsync(Prepare(batch), ct);

    public Task AppendAsync(PreparedBatch batch, CancellationToken ct) => AppendAsync(batch, null, ct);

    internal async Task AppendAsync(PreparedBatch batch, ImportTrace? trace, CancellationToken ct)
    {
        var t = System.Diagnostics.Stopwatch.GetTimestamp();
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        var streamIds = batch.StreamIds;
        var streams = batch.Streams;
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        // How many events each stream gets in this batch.
        foreach (var id in streamIds)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(streams, id)++;
        }

        var ids = streams.Keys.ToArray();
        var counts = new long[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            counts[i] = streams[ids[i]];
        }

        // One round trip for what mt_quick_append_events does before its inserts:
        // - the commit of this transaction does not wait for the WAL flush (ADR 0001, "Import path": a crash can
        //   lose the last batches reported as written, never part of one, and re-running the import restores them);
        // - the stream upsert bumps each stream's version by its count in this batch and returns the new version;
        //   ON CONFLICT DO UPDATE locks the row, so Marten's own appends to those streams wait for this commit;
        // - seq_ids from Marten's sequence, as one array;
        // - first, the writer's fence, shared, until this transaction ends: should this process die mid-batch, the
        //   next writer waits for this transaction to end before it gives back the numbers drawn here
        //   (WriterLock.ReleaseUncommittedAsync), so it never reuses a number a late commit could still claim.
        var sequences = new long[batch.Count];
        await using (var cmd = new NpgsqlBatch(connection, tx))
        {
            cmd.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select pg_advisory_xact_lock_shared({WriterLock.FenceKey}), set_config('synchronous_commit', 'off', true), " +
                "case when current_setting('is_superuser') = 'on' then set_config('session_replication_role', 'replica', true) end"));
            var upsert = new NpgsqlBatchCommand(
                $"insert into {S}.mt_streams as s (id, type, version, timestamp, created, tenant_id) " +
                $"select u.id, null, u.n, now(), now(), '{Tenant}' from unnest(@ids::varchar[], @counts::bigint[]) as u(id, n) " +
                "on conflict (id) do update set version = coalesce(s.version, 0) + excluded.version, timestamp = now() " +
                "returning id, version");
            upsert.Parameters.AddWithValue("ids", ids);
            upsert.Parameters.AddWithValue("counts", counts);
            cmd.BatchCommands.Add(upsert);
            var next = new NpgsqlBatchCommand($"select array_agg(nextval('{S}.mt_events_sequence')) from generate_series(1, @n)");
            next.Parameters.AddWithValue("n", batch.Count);
            cmd.BatchCommands.Add(next);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false); // past set_config
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                // The version before this batch: the first event of the stream here gets it + 1.
                ref var v = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(streams, reader.GetString(0));
                v = reader.GetInt64(1) - v;
            }

            await reader.NextResultAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            var drawn = reader.GetFieldValue<long[]>(0);
            drawn.CopyTo(sequences, 0);
        }

        // Ascending seq_ids in line order: the fold that rebuilds LedgerState reads them back in this order.
        Array.Sort(sequences);

        var versions = new long[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            versions[i] = ++System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(streams, streamIds[i]);
        }

        trace?.Add(ImportTrace.Step.WriteBegin, t);
        t = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < batch.Count; i++)
        {
            batch.Events.Patch(batch.EventSeqAt[i], sequences[i]);
            batch.Events.Patch(batch.EventVersionAt[i], versions[i]);
            batch.NaturalKeys.Patch(batch.KeySeqAt[i], sequences[i]);
        }

        await batch.Events.CopyAsync(connection,
            $"copy {S}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived) from stdin (format binary)", ct).ConfigureAwait(false);
        trace?.Add(ImportTrace.Step.WriteCopyEvents, t);
        t = System.Diagnostics.Stopwatch.GetTimestamp();
        await batch.NaturalKeys.CopyAsync(connection, $"copy {NaturalKeys.QualifiedName} (natural_key, seq_id) from stdin (format binary)", ct).ConfigureAwait(false);
        trace?.Add(ImportTrace.Step.WriteCopyKeys, t);
        t = System.Diagnostics.Stopwatch.GetTimestamp();
        await UpsertStatusAsync(connection, tx, batch.Status, ct).ConfigureAwait(false);
        if (batch.AlsoInTransaction is { } also)
        {
            await also(connection, tx, ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        trace?.Add(ImportTrace.Step.WriteStatusCommit, t);
    }

    /// <summary>The natural keys of <paramref name="keys"/> already in the store.</summary>
    public Task<HashSet<string>> ExistingKeysAsync(IReadOnlyCollection<string> keys, CancellationToken ct) =>
        NaturalKeys.ExistingAsync(dataSource, keys, ct);

    private static async Task UpsertStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Dictionary<ushort, SubnetStatusDelta> deltas, CancellationToken ct)
    {
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
