using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Ledger.Domain;
using Marten;
using Npgsql;

namespace Bittensor.Ledger.Projections.Tailing;

public sealed record CatchUpProgress(long Done, long Total, double EventsPerSecond, TimeSpan? Eta);

/// <summary>Sequence numbers <see cref="From"/>..<see cref="To"/> (inclusive) below the highest committed one hold no
/// event. Writers give back the numbers of a batch that rolled back (ADR 0007, "Sequence holes"), so this is an event
/// missing from a committed range (or a number drawn outside the writer lock). Reported, recorded in
/// <c>projection_gap</c>, never silently passed.</summary>
public sealed record SequenceGap(long From, long To)
{
    public long Count => To - From + 1;
}

public sealed record SkippedEvent(long Seq, string Type, string Reason);

public sealed record CatchUpResult(long HighWater, long Events, IReadOnlyList<SequenceGap> Gaps, IReadOnlyList<SkippedEvent> Skipped, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

public sealed record ProjectionDigest(string Name, string Digest, long Rows, long Checkpoint);

/// <summary>Keeps the flat projections up to date by tailing <c>mt_events</c> in <c>seq_id</c> order, so events the
/// bulk import wrote by COPY (which Marten's inline projections never see) are projected like any other
/// (docs/adr/0007-projections.md). One projector runs at a time per database (an advisory lock); each page of
/// events is written with the projections' checkpoints in one transaction, so a crash loses nothing and repeats
/// nothing. Sequence gaps are safe to report as final because writers are serialized by the writer lock and each
/// commits its sequence values in ascending order (ADR 0001): nothing below the visible maximum can still appear. A
/// batch that rolled back leaves no gap: its numbers are above the visible maximum, and the next writer draws them
/// again (ADR 0007, "Sequence holes").</summary>
public sealed class Projector(NpgsqlDataSource dataSource, EventReader serializer, IReadOnlyDictionary<string, Type> eventTypes, IReadOnlyList<IFlatProjection> projections)
{
    private const string Events = "ledger.mt_events";

    /// <summary>Told who holds the projector lock (<see cref="LedgerLocks.Projector"/>) before this projector waits for
    /// it: a rebuild, or another command's catch-up or digest.</summary>
    public Action<string>? Waiting { get; init; }

    public int PageSize { get; init; } = 5_000;

    /// <summary>Pages are larger in a rebuild: fewer round trips and commits, memory still bounded.</summary>
    public int RebuildPageSize { get; init; } = 20_000;

    public IReadOnlyList<IFlatProjection> Projections => projections;

    public IFlatProjection? Find(string name) => projections.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Projects every event past each projection's checkpoint, up to the highest committed sequence. When no
    /// selected projection has projected anything yet and the log is long (a fresh database after a bulk import), this is
    /// a rebuild and runs as one.</summary>
    public async Task<CatchUpResult> CatchUpAsync(IReadOnlyList<IFlatProjection>? selected, IProgress<CatchUpProgress>? progress, CancellationToken ct)
    {
        selected ??= projections;
        var clock = Stopwatch.StartNew();
        if (await CaughtUpAsync(selected, ct).ConfigureAwait(false) is { } caughtUp)
        {
            return new CatchUpResult(caughtUp, 0, [], [], clock.Elapsed);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await LockAsync(connection, ct).ConfigureAwait(false);
        try
        {
            var checkpoints = await CheckpointsAsync(connection, ct).ConfigureAwait(false);
            var high = (long)(await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {Events}", ct).ConfigureAwait(false))!;
            return high > RebuildPageSize && selected.All(p => checkpoints.GetValueOrDefault(p.Name) == 0)
                ? await RebuildLockedAsync(connection, selected, progress, ct).ConfigureAwait(false)
                : await RunAsync(connection, selected, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            await UnlockAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The log's high water when every selected projection's checkpoint has reached it, else null: one statement, no
    /// lock, so the answer to a read after nothing was written costs one round trip instead of the projector lock and
    /// its reads (bench/Api.Bench). It needs no cache to invalidate: whoever appended (this process, the API, another
    /// CLI) raised the high water, and a rebuild deletes the checkpoints first and commits them with its pages, so
    /// during one they are missing or below the high water and the caller takes the lock and waits, as before.
    /// </summary>
    private async Task<long?> CaughtUpAsync(IReadOnlyList<IFlatProjection> selected, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"with h as (select coalesce(max(seq_id), 0) as high from {Events}) " +
            $"select h.high, (select count(*) from {ProjectorTables.Checkpoint} c where c.name = any(@names) and c.seq_id >= h.high) from h");
        var names = selected.Select(p => p.Name).Distinct(StringComparer.Ordinal).ToArray();
        cmd.Parameters.AddWithValue("names", names);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return reader.GetInt64(1) == names.Length ? reader.GetInt64(0) : null;
    }

    /// <summary>Deletes the rows and checkpoints of <paramref name="selected"/>, then projects the whole event log.</summary>
    public async Task<CatchUpResult> RebuildAsync(IReadOnlyList<IFlatProjection> selected, IProgress<CatchUpProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(selected);
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await LockAsync(connection, ct).ConfigureAwait(false);
        try
        {
            return await RebuildLockedAsync(connection, selected, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            await UnlockAsync(connection).ConfigureAwait(false);
        }
    }

    private async Task<CatchUpResult> RebuildLockedAsync(NpgsqlConnection connection, IReadOnlyList<IFlatProjection> selected, IProgress<CatchUpProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        // Statistics first: straight after a bulk import the event table has none, and the planner may then read each
        // page by scanning and sorting the whole table. A sampled ANALYZE takes well under a second per million events.
        await ExecAsync(connection, $"analyze {Events}", ct).ConfigureAwait(false);
        await using (var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            var tables = string.Join(", ", selected.SelectMany(p => p.Tables).Select(t => t.Identifier.QualifiedName));
            await ExecAsync(connection, $"truncate table {tables}", ct).ConfigureAwait(false);
            await using var delete = new NpgsqlCommand($"delete from {ProjectorTables.Checkpoint} where name = any(@names)", connection);
            delete.Parameters.AddWithValue("names", selected.Select(p => p.Name).ToArray());
            await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }

        // Building an index once over the loaded rows is cheaper than maintaining it row by row. The indexes are
        // schema, and another command's schema check (SchemaReady) would create them again under the rebuild, which
        // then failed on its own CREATE INDEX (42P07, issue 13). So, under the schema lock, the rebuild first marks
        // itself (LedgerLocks.Rebuild), and a schema check that sees the mark leaves the indexes to it; at the end it
        // builds them and removes the mark under the schema lock again. Should the rebuild stop half-way, its session
        // ends, the mark goes with it, and the next schema check finds the indexes missing and creates them.
        var indexes = selected.SelectMany(p => p.Tables).SelectMany(t => t.Indexes.Select(i => (Table: t, Index: i))).ToList();
        await LedgerLocks.AcquireAsync(connection, LedgerLocks.Schema, "changing this ledger's schema", Waiting, ct).ConfigureAwait(false);
        try
        {
            await LedgerLocks.AcquireAsync(connection, LedgerLocks.Rebuild, "rebuilding this ledger's read models", null, ct).ConfigureAwait(false);
        }
        finally
        {
            await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Schema).ConfigureAwait(false);
        }

        try
        {
            foreach (var (_, index) in indexes)
            {
                await ExecAsync(connection, $"drop index if exists {Sql.Schema}.{index.Name}", ct).ConfigureAwait(false);
            }

            var result = await RunAsync(connection, selected, progress, ct, RebuildPageSize).ConfigureAwait(false);
            await LedgerLocks.AcquireAsync(connection, LedgerLocks.Schema, "changing this ledger's schema", Waiting, ct).ConfigureAwait(false);
            try
            {
                // One connection per table, the tables at the same time: each CREATE INDEX is one backend's work.
                await Task.WhenAll(indexes.GroupBy(x => x.Table).Select(g => BuildIndexesAsync(g.Key, g.Select(x => x.Index).ToList(), ct))).ConfigureAwait(false);

                await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Rebuild).ConfigureAwait(false);
            }
            finally
            {
                await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Schema).ConfigureAwait(false);
            }

            // The rebuild's time is the whole of it: truncating, projecting and building the indexes.
            return result with { Elapsed = clock.Elapsed };
        }
        catch
        {
            // The indexes stay missing until the next schema check, which (the mark gone) creates them.
            await LedgerLocks.ReleaseAsync(connection, LedgerLocks.Rebuild).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A SHA-256 per projection over its tables' rows in primary-key order (PostgreSQL's text COPY output),
    /// with every <c>seq_id</c> replaced by the event's rank in the log (<see cref="Sql.DigestQuery"/>): equal digests
    /// mean equal contents built from the same facts in the same order, however their sequence numbers were drawn.
    /// Taken under the projector lock, so no catch-up is half-way.</summary>
    public async Task<IReadOnlyList<ProjectionDigest>> DigestAsync(IReadOnlyList<IFlatProjection>? selected, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await LockAsync(connection, ct).ConfigureAwait(false);
        try
        {
            var checkpoints = await CheckpointsAsync(connection, ct).ConfigureAwait(false);
            await ExecAsync(connection, $"drop table if exists {Sql.EventRank}", ct).ConfigureAwait(false);
            await ExecAsync(connection,
                $"create temporary table ledger_event_rank as select seq_id, row_number() over (order by seq_id) as rank from {Events}", ct).ConfigureAwait(false);
            await ExecAsync(connection, $"alter table {Sql.EventRank} add primary key (seq_id)", ct).ConfigureAwait(false);
            await ExecAsync(connection, $"analyze {Sql.EventRank}", ct).ConfigureAwait(false);
            var result = new List<ProjectionDigest>();
            foreach (var p in selected ?? projections)
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long rows = 0;
                var buffer = new char[64 * 1024];
                foreach (var query in p.DigestQueries)
                {
                    hash.AppendData(Encoding.UTF8.GetBytes(query + "\n"));
                    using var export = await connection.BeginTextExportAsync($"copy ({query}) to stdout", ct).ConfigureAwait(false);
                    int read;
                    while ((read = await export.ReadAsync(buffer.AsMemory(), ct).ConfigureAwait(false)) > 0)
                    {
                        var span = buffer.AsSpan(0, read);
                        rows += span.Count('\n');
                        hash.AppendData(Encoding.UTF8.GetBytes(buffer, 0, read));
                    }
                }

                result.Add(new ProjectionDigest(p.Name, Convert.ToHexStringLower(hash.GetHashAndReset()), rows, checkpoints.GetValueOrDefault(p.Name)));
            }

            await ExecAsync(connection, $"drop table {Sql.EventRank}", ct).ConfigureAwait(false);
            return result;
        }
        finally
        {
            await UnlockAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Every hole in the whole log now, from the first sequence number to the highest committed one, recorded
    /// like the gaps a catch-up meets. A catch-up only looks at the range it projects; this also finds an event
    /// removed from a range already projected. Writers give back the numbers they drew and never committed
    /// (<c>WriterLock.ReleaseUncommittedAsync</c>, ADR 0007 "Sequence holes"), so no hole is a rolled-back batch: each
    /// one is a committed event that is missing.</summary>
    public async Task<IReadOnlyList<SequenceGap>> FindAllGapsAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await LockAsync(connection, ct).ConfigureAwait(false);
        try
        {
            var high = (long)(await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {Events}", ct).ConfigureAwait(false))!;
            return await FindGapsAsync(connection, 0, high, ct).ConfigureAwait(false);
        }
        finally
        {
            await UnlockAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>Every gap and skipped event recorded so far.</summary>
    public async Task<(IReadOnlyList<SequenceGap> Gaps, IReadOnlyList<SkippedEvent> Skipped)> ReportedAsync(CancellationToken ct)
    {
        var gaps = new List<SequenceGap>();
        var skipped = new List<SkippedEvent>();
        await using (var cmd = dataSource.CreateCommand($"select from_seq, to_seq from {ProjectorTables.Gap} order by from_seq"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                gaps.Add(new SequenceGap(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        await using (var cmd = dataSource.CreateCommand($"select seq_id, type, reason from {ProjectorTables.Skipped} order by seq_id"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                skipped.Add(new SkippedEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        return (gaps, skipped);
    }

    private async Task<CatchUpResult> RunAsync(NpgsqlConnection connection, IReadOnlyList<IFlatProjection> selected, IProgress<CatchUpProgress>? progress, CancellationToken ct, int? pageSize = null)
    {
        var size = pageSize ?? PageSize;
        var clock = Stopwatch.StartNew();
        var high = (long)(await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {Events}", ct).ConfigureAwait(false))!;
        var stored = await CheckpointsAsync(connection, ct).ConfigureAwait(false);
        var checkpoints = selected.Select(p => stored.GetValueOrDefault(p.Name)).ToArray();
        var from = checkpoints.Length == 0 ? high : checkpoints.Min();
        if (from >= high)
        {
            return new CatchUpResult(high, 0, [], [], clock.Elapsed);
        }

        var typeNames = eventTypes.Where(kv => selected.Any(p => p.EventTypes.Contains(kv.Value))).Select(kv => kv.Key).ToArray();
        var gaps = await FindGapsAsync(connection, from, high, ct).ConfigureAwait(false);
        var skipped = await FindSkippedAsync(connection, from, high, ct).ConfigureAwait(false);

        await using var count = new NpgsqlCommand($"select count(*) from {Events} where seq_id > @from and seq_id <= @high and type = any(@types) and not is_archived", connection);
        count.Parameters.AddWithValue("from", from);
        count.Parameters.AddWithValue("high", high);
        count.Parameters.AddWithValue("types", typeNames);
        var total = (long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;

        var runs = selected.Select(p => p.Begin()).ToArray();
        long done = 0;
        // Each projection writes on its own connection, in its own transaction with its own checkpoint, and the
        // projections of a page write at the same time: the rows of one table are one PostgreSQL backend's work, so
        // one connection for all of them left every other core idle while the largest table (stake) was written. A
        // crash still cannot make a projection's rows and checkpoint disagree; projections may stop at different
        // pages, and the next run projects each from its own checkpoint.
        var writers = new NpgsqlConnection[runs.Length];
        try
        {
            for (var i = 0; i < writers.Length; i++)
            {
                writers[i] = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            }

            // Reading and deserializing the next page (its own connection, a thread-pool thread) overlaps applying and
            // writing this one: the two halves use different cores (and PostgreSQL further processes).
            await using var readConnection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            // One read at a time (the next page is read only after this one is returned), so one buffer serves them all.
            var json = new PageJson();
            var next = ReadPageAsync(readConnection, from, high, typeNames, size, json, ct);
            while (true)
            {
                var page = await next.ConfigureAwait(false);
                var end = page.Count < size ? high : page[^1].Seq;
                next = end < high ? ReadPageAsync(readConnection, end, high, typeNames, size, json, ct) : Task.FromResult(new List<(long, Type, ILedgerEvent)>());
                for (var i = 0; i < selected.Count; i++)
                {
                    var p = selected[i];
                    foreach (var (seq, type, e) in page)
                    {
                        if (seq > checkpoints[i] && p.EventTypes.Contains(type))
                        {
                            runs[i].Apply(new SequencedEvent(seq, e));
                        }
                    }
                }

                await Task.WhenAll(runs.Select((run, i) => FlushAsync(writers[i], run, selected[i].Name, end, end >= high, ct))).ConfigureAwait(false);
                for (var i = 0; i < checkpoints.Length; i++)
                {
                    checkpoints[i] = Math.Max(checkpoints[i], end);
                }

                done += page.Count;
                var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 1e-6);
                progress?.Report(new CatchUpProgress(done, total, rate, rate > 0 ? TimeSpan.FromSeconds((total - done) / rate) : null));
                if (end >= high)
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var writer in writers)
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return new CatchUpResult(high, done, gaps, skipped, clock.Elapsed);
    }

    private async Task BuildIndexesAsync(Weasel.Postgresql.Tables.Table table, List<Weasel.Postgresql.Tables.IndexDefinition> indexes, CancellationToken ct)
    {
        await Task.Yield();
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        foreach (var index in indexes)
        {
            // Over millions of rows one index can take longer than a command timeout; Ctrl-C still stops it.
            await ExecAsync(connection, index.ToDDL(table), ct, timeout: 0).ConfigureAwait(false);
        }
    }

    /// <summary>One projection's rows of a page and its checkpoint, in one transaction (with the run's final rows
    /// when it is the <paramref name="last"/> page): a projection can always be rebuilt from the events, and a crash
    /// can lose its last pages (they are projected again), never make its rows and checkpoint disagree.</summary>
    private static async Task FlushAsync(NpgsqlConnection connection, IProjectionRun run, string name, long end, bool last, CancellationToken ct)
    {
        await Task.Yield();
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecAsync(connection, "set local synchronous_commit = off", ct).ConfigureAwait(false);
        await run.FlushAsync(connection, ct).ConfigureAwait(false);
        if (last)
        {
            await run.CompleteAsync(connection, ct).ConfigureAwait(false);
        }

        await using var checkpoint = new NpgsqlCommand(
            $"insert into {ProjectorTables.Checkpoint} as c (name, seq_id) values (@name, @end) " +
            "on conflict (name) do update set seq_id = greatest(c.seq_id, excluded.seq_id)", connection);
        checkpoint.Parameters.AddWithValue("name", name);
        checkpoint.Parameters.AddWithValue("end", end);
        await checkpoint.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The UTF-8 JSON of the page being read, reused from page to page of a run (it grows to the largest page;
    /// a pool would keep a copy of every size it grew through).</summary>
    private sealed class PageJson
    {
        public byte[] Bytes { get; set; } = new byte[1 << 20];
    }

    private async Task<List<(long Seq, Type Type, ILedgerEvent Event)>> ReadPageAsync(
        NpgsqlConnection connection, long after, long high, string[] typeNames, int size, PageJson json, CancellationToken ct)
    {
        await Task.Yield();
        // The page's JSON as UTF-8 in one buffer, not one .NET string per event: a string is UTF-16 (twice the bytes),
        // every stored epoch's (100-400 kB) lands on the large-object heap, and System.Text.Json transcodes a string
        // back to UTF-8 before it parses. `data::text` in binary format is exactly the text's UTF-8 bytes.
        var rows = new List<(long Seq, Type Type, int Offset, int Length)>(size);
        var used = 0;
        await using (var read = new NpgsqlCommand(
            $"select seq_id, type, data::text from {Events} where seq_id > @after and seq_id <= @high and type = any(@types) and not is_archived order by seq_id limit @n", connection))
        {
            read.Parameters.AddWithValue("after", after);
            read.Parameters.AddWithValue("high", high);
            read.Parameters.AddWithValue("types", typeNames);
            read.Parameters.AddWithValue("n", size);
            await using var reader = await read.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                // The row is buffered (not sequential access), so reading its column is a copy, never I/O.
                using var column = reader.GetStream(2);
                var length = checked((int)column.Length);
                if (used + length > json.Bytes.Length)
                {
                    var larger = new byte[Math.Max(checked(used + length), checked(json.Bytes.Length * 2))];
                    json.Bytes.AsSpan(0, used).CopyTo(larger);
                    json.Bytes = larger;
                }

                column.ReadExactly(json.Bytes, used, length);
                rows.Add((reader.GetInt64(0), eventTypes[reader.GetString(1)], used, length));
                used += length;
            }
        }

        // Deserializing is a large part of a rebuild's CPU and independent per event: spread it over the cores, in
        // chunks, keeping the page in sequence order.
        var events = new ILedgerEvent[rows.Count];
        var bytes = json.Bytes;
        const int Chunk = 256;
        Parallel.For(0, (rows.Count + Chunk - 1) / Chunk, new ParallelOptions { CancellationToken = ct }, c =>
        {
            for (var i = c * Chunk; i < Math.Min(rows.Count, (c + 1) * Chunk); i++)
            {
                events[i] = serializer.Read(rows[i].Type, bytes.AsSpan(rows[i].Offset, rows[i].Length));
            }
        });
        var page = new List<(long, Type, ILedgerEvent)>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            page.Add((rows[i].Seq, rows[i].Type, events[i]));
        }

        return page;
    }

    private static async Task<List<SequenceGap>> FindGapsAsync(NpgsqlConnection connection, long from, long high, CancellationToken ct)
    {
        var gaps = new List<SequenceGap>();
        await using (var cmd = new NpgsqlCommand(
            $"select prev + 1, seq_id - 1 from (select seq_id, lag(seq_id, 1, @from) over (order by seq_id) as prev from {Events} " +
            "where seq_id > @from and seq_id <= @high) s where seq_id - prev > 1 order by 1", connection))
        {
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("high", high);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                gaps.Add(new SequenceGap(reader.GetInt64(0), reader.GetInt64(1)));
            }
        }

        if (gaps.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                $"insert into {ProjectorTables.Gap} as g (from_seq, to_seq) select * from unnest(@f::bigint[], @t::bigint[]) " +
                "on conflict (from_seq) do update set to_seq = greatest(g.to_seq, excluded.to_seq)", connection);
            insert.Parameters.AddWithValue("f", gaps.Select(g => g.From).ToArray());
            insert.Parameters.AddWithValue("t", gaps.Select(g => g.To).ToArray());
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return gaps;
    }

    private async Task<List<SkippedEvent>> FindSkippedAsync(NpgsqlConnection connection, long from, long high, CancellationToken ct)
    {
        var skipped = new List<SkippedEvent>();
        await using (var cmd = new NpgsqlCommand(
            $"select seq_id, type, is_archived from {Events} where seq_id > @from and seq_id <= @high and (is_archived or type <> all(@known)) order by seq_id", connection))
        {
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("high", high);
            cmd.Parameters.AddWithValue("known", eventTypes.Keys.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                skipped.Add(new SkippedEvent(reader.GetInt64(0), reader.GetString(1),
                    reader.GetBoolean(2) ? "archived" : "unknown event type: this ledger version cannot read it"));
            }
        }

        if (skipped.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                $"insert into {ProjectorTables.Skipped} (seq_id, type, reason) select * from unnest(@s::bigint[], @t::text[], @r::text[]) on conflict do nothing", connection);
            insert.Parameters.AddWithValue("s", skipped.Select(s => s.Seq).ToArray());
            insert.Parameters.AddWithValue("t", skipped.Select(s => s.Type).ToArray());
            insert.Parameters.AddWithValue("r", skipped.Select(s => s.Reason).ToArray());
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        return skipped;
    }

    private static async Task<Dictionary<string, long>> CheckpointsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var cmd = new NpgsqlCommand($"select name, seq_id from {ProjectorTables.Checkpoint}", connection);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }

    /// <summary>The projector lock, waited for as long as another projector holds it (a rebuild can take minutes),
    /// with no command timeout: Ctrl-C ends the wait.</summary>
    private Task LockAsync(NpgsqlConnection connection, CancellationToken ct) =>
        LedgerLocks.AcquireAsync(connection, LedgerLocks.Projector, "projecting this ledger's read models (a rebuild, or a catch-up before a query)", Waiting, ct);

    private static Task UnlockAsync(NpgsqlConnection connection) => LedgerLocks.ReleaseAsync(connection, LedgerLocks.Projector);

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken ct, int? timeout = null)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        if (timeout is { } seconds)
        {
            cmd.CommandTimeout = seconds;
        }

        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
