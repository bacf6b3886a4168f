using System.Diagnostics;
using System.Globalization;
using Bittensor.Ledger.Api;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Bench;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Application.Audit;
using Marten;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

// HTTP API benchmark (docs/benchmarks.md, "## HTTP API"), one run on one server, not a test (it asserts nothing):
//  1. store the import bench's chain plus a 256-uid subnet with E epochs (as bench/Projections.Bench);
//  2. start `ledger serve`'s WebApplication on 127.0.0.1 (port 0) and warm it (the first request projects the log);
//  3. sequential GETs of one hotkey's emission over all E epochs (the full answer, E rows): p50, p99;
//  4. a bounded load run: C concurrent clients for S seconds over mixed endpoints: requests/s, p50/p99, errors,
//     peak RSS of this process (server and clients together).
//   dotnet run -c Release --project bench/Api.Bench -- [--events N] [--epochs E] [--clients C] [--seconds S] [--connection CS] [--in-place]
// --in-place: use the database of --connection itself (its ledger schema dropped first) instead of a fresh
// ledger_bench_api database, for a server where only that database may be used.
var events = BenchSupport.IntArg(args, "--events", 50_000);
var epochs = BenchSupport.IntArg(args, "--epochs", 1_000);
var clients = BenchSupport.IntArg(args, "--clients", 64);
var seconds = BenchSupport.IntArg(args, "--seconds", 30);
var sequential = BenchSupport.IntArg(args, "--requests", 500);
var ct = CancellationToken.None;

await using var server = await PostgresLocator.ResolveAsync(
    BenchSupport.StringArg(args, "--connection") ?? Environment.GetEnvironmentVariable("LEDGER_CONNECTION"), PostgresLocatorOptions.ForCli(), new ConsoleLog(), ct);
string connectionString;
if (args.Contains("--in-place"))
{
    connectionString = server.ConnectionString;
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var drop = new NpgsqlCommand($"drop schema if exists {LedgerStore.Schema} cascade", connection);
    await drop.ExecuteNonQueryAsync(ct);
}
else
{
    connectionString = await BenchSupport.FreshDatabaseAsync(server.ConnectionString, "ledger_bench_api");
}

await using (var dataSource = NpgsqlDataSource.Create(connectionString))
await using (var store = DocumentStore.For(o =>
{
    LedgerStore.Configure(o, null);
    o.Connection(dataSource);
}))
{
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    var writer = new EventBatchWriter(dataSource, new StoredEvents(store));
    var chain = BenchChain.Generate(seed: 42).Take(events - (2 * epochs)).ToList();
    var all = chain.Concat(EpochHistory.Generate(epochs, chain[^1].Block.Value + 1)).ToList();
    for (var i = 0; i < all.Count; i += 5_000)
    {
        await writer.AppendAsync([.. all.Skip(i).Take(5_000).Select((e, j) => new KeyedEvent(e, "bench:" + (i + j).ToString(CultureInfo.InvariantCulture)))], ct);
    }

    Console.WriteLine(Invariant($"events: {all.Count} ({chain.Count} chain facts, {epochs} epochs x {EpochHistory.Uids} uids)"));
}

// The first request projects the whole log, which on a loaded machine takes longer than a read's 30 s timeout.
await using var app = LedgerApi.Build(new LedgerApiOptions { ConnectionString = connectionString, Urls = "http://127.0.0.1:0", RequestTimeout = TimeSpan.FromMinutes(5) },
    logging => logging.SetMinimumLevel(LogLevel.Warning));
await app.StartAsync(ct);
using var http = new HttpClient { BaseAddress = new Uri(LedgerApi.Addresses(app).Single()) };
var hot = EpochHistory.Hot(7).Address;
var full = $"/api/v1/emissions?hotkey={hot}";

var warm = Stopwatch.StartNew();
(await http.GetAsync(full, ct)).EnsureSuccessStatusCode();
Console.WriteLine(Invariant($"first request (projects the whole log): {warm.Elapsed.TotalSeconds:F1} s"));

var timings = new List<double>();
long bytes = 0;
for (var i = 0; i < sequential; i++)
{
    var t = Stopwatch.StartNew();
    var body = await http.GetByteArrayAsync(full, ct);
    timings.Add(t.Elapsed.TotalMilliseconds);
    bytes = body.Length;
}

timings.Sort();
Console.WriteLine(Invariant($"GET {full[..30]}… ({epochs} rows, {bytes / 1024} KiB), warm, {sequential} sequential: p50 {P(timings, 0.50):F1} ms, p99 {P(timings, 0.99):F1} ms, max {timings[^1]:F1} ms"));

// The same GET with the server's answer cache missed every time (a parameter the endpoint ignores makes each request
// a new question): what a question asked for the first time since the last append costs.
var uncached = new List<double>();
for (var i = 0; i < sequential; i++)
{
    var t = Stopwatch.StartNew();
    _ = await http.GetByteArrayAsync($"{full}&uncached={i}", ct);
    uncached.Add(t.Elapsed.TotalMilliseconds);
}

uncached.Sort();
Console.WriteLine(Invariant($"  the same GET, a new question each time (no kept answer): p50 {P(uncached, 0.50):F1} ms, p99 {P(uncached, 0.99):F1} ms"));

// The same question without HTTP and JSON: the query the endpoint sends, and the catch-up check every query makes
// first, to tell the query's share and the check's from the answer's (JSON, ETag, HTTP: the rest of the GET).
await using (var scope = app.Services.CreateAsyncScope())
{
    var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
    var models = new AuditReadModels(scope.ServiceProvider.GetRequiredService<IDocumentStore>(), scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>(),
        scope.ServiceProvider.GetRequiredService<SchemaReady>());
    var query = new GetEmissions(EpochHistory.Hot(7));
    var only = new List<double>();
    var check = new List<double>();
    for (var i = 0; i < sequential; i++)
    {
        var t = Stopwatch.StartNew();
        await mediator.Send(query, ct);
        only.Add(t.Elapsed.TotalMilliseconds);
        t.Restart();
        await models.ReadyAsync(ct);
        check.Add(t.Elapsed.TotalMilliseconds);
    }

    only.Sort();
    check.Sort();
    Console.WriteLine(Invariant($"  of which the query (Mediator GetEmissions, catch-up check included): p50 {P(only, 0.50):F1} ms, p99 {P(only, 0.99):F1} ms; the catch-up check alone: p50 {P(check, 0.50):F2} ms, p99 {P(check, 0.99):F2} ms"));
}

string[] mix =
[
    "/api/v1/status",
    $"/api/v1/emissions?hotkey={hot}&limit=100",
    $"/api/v1/emissions?hotkey={EpochHistory.Hot(42).Address}&from_epoch=100&to_epoch=149",
    $"/api/v1/emissions?netuid={EpochHistory.NetUid}&from_epoch=500&to_epoch=500",
    "/api/v1/supply",
    "/health",
];
var latencies = new List<double>[clients];
var errors = 0L;
var deadline = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
{
    latencies[c] = [];
    var n = c;
    while (deadline.Elapsed.TotalSeconds < seconds)
    {
        var t = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(mix[n++ % mix.Length], ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref errors);
        }

        latencies[c].Add(t.Elapsed.TotalMilliseconds);
    }
}));
var elapsed = deadline.Elapsed.TotalSeconds;
var merged = latencies.SelectMany(l => l).Order().ToList();
var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal));
Console.WriteLine(Invariant($"load: {clients} clients x {seconds} s over {mix.Length} endpoints: {merged.Count} requests, {merged.Count / elapsed:F0} requests/s, p50 {P(merged, 0.50):F1} ms, p99 {P(merged, 0.99):F1} ms, errors {errors}, peak RSS {hwm.Split(':')[1].Trim()} (server and clients)"));
await app.StopAsync(ct);

static double P(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
