using Bittensor.Ledger.Bench;
using System.Diagnostics;
using System.Globalization;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Primitives;
using Marten;
using Npgsql;
using NpgsqlTypes;

// Projection benchmark (docs/benchmarks.md, "## Projections"), one run on one server:
//  1. store N events: the import bench's chain plus a 256-uid subnet with E epochs (EpochCompleted + postings),
//     written by the bulk import's writer (EventBatchWriter, binary COPY into mt_events);
//  2. raw binary COPY of the same event JSON into a plain jsonb table (the same-run reference);
//  3. `ledger rebuild --all` (Projector.RebuildAsync) over the whole log, then a digest, a second rebuild, and the
//     digest again (must be equal);
//  4. `ledger emissions --hotkey H` (the same SQL, GetEmissionsHandler.Command), warm, timed, and its EXPLAIN.
// Not a test: it asserts nothing about time.
//   dotnet run -c Release --project bench/Projections.Bench -- [--events N] [--epochs E] [--connection CS]
var events = BenchSupport.IntArg(args, "--events", 1_000_000);
var epochs = BenchSupport.IntArg(args, "--epochs", 1_000);
var ct = CancellationToken.None;

await using var server = await PostgresLocator.ResolveAsync(
    BenchSupport.StringArg(args, "--connection") ?? Environment.GetEnvironmentVariable("LEDGER_CONNECTION"), PostgresLocatorOptions.ForCli(), new ConsoleLog(), ct);
var connectionString = await BenchSupport.FreshDatabaseAsync(server.ConnectionString, "ledger_bench_projections");
await using var dataSource = NpgsqlDataSource.Create(connectionString);
await using var store = DocumentStore.For(o =>
{
    LedgerStore.Configure(o, null);
    o.Connection(dataSource);
});
await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
var stored = new StoredEvents(store);
var writer = new EventBatchWriter(dataSource, stored);

var chain = BenchChain.Generate(seed: 42).Take(events - (2 * epochs)).ToList();
var lastBlock = chain[^1].Block.Value;
var all = chain.Concat(EpochHistory.Generate(epochs, lastBlock + 1)).ToList();
Console.WriteLine($"events: {all.Count} ({chain.Count} chain facts, {2 * epochs} epoch events: {epochs} epochs x {EpochHistory.Uids} uids)");

var load = Stopwatch.StartNew();
for (var i = 0; i < all.Count; i += 5_000)
{
    var batch = all.Skip(i).Take(5_000).Select((e, j) => new KeyedEvent(e, "bench:" + (i + j).ToString(CultureInfo.InvariantCulture))).ToList();
    await writer.AppendAsync(batch, ct);
}

Console.WriteLine(Invariant($"stored with the import writer in {load.Elapsed.TotalSeconds:F1} s"));

// Raw COPY of the same JSON (Marten's serializer), same batch size, into a plain table.
var json = all.Select(stored.Json).ToList();
await Exec("create table raw_events(seq bigserial, data jsonb)");
var copy = Stopwatch.StartNew();
for (var i = 0; i < json.Count; i += 5_000)
{
    await using var connection = await dataSource.OpenConnectionAsync(ct);
    await using var tx = await connection.BeginTransactionAsync(ct);
    await using (var importer = await connection.BeginBinaryImportAsync("copy raw_events (data) from stdin (format binary)", ct))
    {
        foreach (var line in json.Skip(i).Take(5_000))
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(line, NpgsqlDbType.Jsonb, ct);
        }

        await importer.CompleteAsync(ct);
    }

    await tx.CommitAsync(ct);
}

var copyRate = json.Count / copy.Elapsed.TotalSeconds;
Console.WriteLine(Invariant($"raw COPY: {json.Count} rows in {copy.Elapsed.TotalSeconds:F1} s = {copyRate:F0} rows/s"));
json.Clear();
all.Clear();
chain.Clear();

var projector = AuditReadModels.Create(store, dataSource);
// Straight after the bulk load: the first read of mt_events also sets every row's hint bits (each page is written
// back), as it would for a rebuild run right after `ledger import`.
var cold = await projector.RebuildAsync(projector.Projections, null, ct);
Console.WriteLine(Invariant($"rebuild --all, first read after the bulk load: {cold.Events} events in {cold.Elapsed.TotalSeconds:F1} s = {cold.EventsPerSecond:F0} events/s ({cold.EventsPerSecond / copyRate:P1} of raw COPY)"));

// Then the event table in its steady state (statistics and visibility map current), as autovacuum leaves it.
var vacuum = Stopwatch.StartNew();
await Exec("vacuum analyze ledger.mt_events");
Console.WriteLine(Invariant($"vacuum analyze mt_events: {vacuum.Elapsed.TotalSeconds:F1} s"));

// Where a rebuild's time goes, part 1: reading and deserializing every event (the projector's reader), writing nothing.
var eventReader = new Bittensor.Ledger.Projections.Tailing.EventReader();
var types = LedgerStore.EventTypes.ToDictionary(LedgerStore.EventTypeName, t => t, StringComparer.Ordinal);
var readOnly = Stopwatch.StartNew();
long readCount = 0;
// As the projector reads a page: each event's JSON as UTF-8 bytes (`data::text` in binary format) into a reused buffer.
var jsonBuffer = new byte[1 << 20];
await using (var cmd = dataSource.CreateCommand("select type, data::text from ledger.mt_events order by seq_id"))
await using (var reader = await cmd.ExecuteReaderAsync(ct))
{
    while (await reader.ReadAsync(ct))
    {
        using var column = reader.GetStream(1);
        var length = checked((int)column.Length);
        if (length > jsonBuffer.Length)
        {
            jsonBuffer = new byte[length];
        }

        column.ReadExactly(jsonBuffer, 0, length);
        _ = eventReader.Read(types[reader.GetString(0)], jsonBuffer.AsSpan(0, length));
        readCount++;
    }
}

Console.WriteLine(Invariant($"read + deserialize only: {readCount} events in {readOnly.Elapsed.TotalSeconds:F1} s = {readCount / readOnly.Elapsed.TotalSeconds:F0} events/s"));
var first = await projector.RebuildAsync(projector.Projections, null, ct);
Console.WriteLine(Invariant($"rebuild --all: {first.Events} events in {first.Elapsed.TotalSeconds:F1} s = {first.EventsPerSecond:F0} events/s ({first.EventsPerSecond / copyRate:P1} of raw COPY), gaps {first.Gaps.Count}, skipped {first.Skipped.Count}"));
var digests = await projector.DigestAsync(null, ct);
var second = await projector.RebuildAsync(projector.Projections, null, ct);
Console.WriteLine(Invariant($"rebuild --all again: {second.Events} events in {second.Elapsed.TotalSeconds:F1} s = {second.EventsPerSecond:F0} events/s ({second.EventsPerSecond / copyRate:P1} of raw COPY)"));
foreach (var p in projector.Projections)
{
    var one = await projector.RebuildAsync([p], null, ct);
    Console.WriteLine(Invariant($"  rebuild {p.Name}: {one.Events} events in {one.Elapsed.TotalSeconds:F1} s = {one.EventsPerSecond:F0} events/s"));
}

var again = await projector.DigestAsync(null, ct);
foreach (var (a, b) in digests.Zip(again))
{
    Console.WriteLine($"  digest {a.Name}: {a.Rows} rows {a.Digest[..16]} -> {b.Digest[..16]} {(a.Digest == b.Digest ? "unchanged" : "CHANGED")}");
}

await Exec("vacuum analyze");
var query = new GetEmissions(Hotkey: EpochHistory.Hot(7));
var timings = new List<double>();
var rows = 0;
for (var i = 0; i < 60; i++)
{
    var sw = Stopwatch.StartNew();
    await using var cmd = GetEmissionsHandler.Command(dataSource, query);
    await using var reader = await cmd.ExecuteReaderAsync(ct);
    rows = 0;
    while (await reader.ReadAsync(ct))
    {
        GetEmissionsHandler.Read(reader);
        rows++;
    }

    if (i >= 10)
    {
        timings.Add(sw.Elapsed.TotalMilliseconds);
    }
}

timings.Sort();
Console.WriteLine(Invariant($"emissions --hotkey (uid 7 of {EpochHistory.Uids}, {rows} rows of {epochs * EpochHistory.Uids}): warm median {timings[timings.Count / 2]:F2} ms, p95 {timings[(int)(timings.Count * 0.95)]:F2} ms, max {timings[^1]:F2} ms (50 runs)"));
await using (var explain = GetEmissionsHandler.Command(dataSource, query))
{
    explain.CommandText = "explain (analyze, buffers, costs off) " + explain.CommandText;
    await using var reader = await explain.ExecuteReaderAsync(ct);
    while (await reader.ReadAsync(ct))
    {
        Console.WriteLine("  " + reader.GetString(0));
    }
}

return 0;

async Task Exec(string sql)
{
    await using var cmd = dataSource.CreateCommand(sql);
    await cmd.ExecuteNonQueryAsync(ct);
}

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
