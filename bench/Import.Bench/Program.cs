using Bittensor.Ledger.Bench;
using System.Diagnostics;
using System.Globalization;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Wiring;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// End-to-end import benchmark (docs/benchmarks.md, "## Import"): the real import path against raw binary COPY of
// the same lines into a plain jsonb table, in one run on one server. Not a test: it asserts nothing about time.
//   dotnet run -c Release --project bench/Import.Bench -- [--events N] [--batch-size N] [--connection CS] [--file PATH]
var events = BenchSupport.IntArg(args, "--events", 1_000_000);
var batchSize = BenchSupport.IntArg(args, "--batch-size", ImportFile.DefaultBatchSize);
var file = BenchSupport.StringArg(args, "--file") ?? Path.Combine(Path.GetTempPath(), $"ledger-bench-{events}.ndjson");
var ct = CancellationToken.None;

if (!File.Exists(file))
{
    Console.WriteLine($"generating {events} events into {file} ...");
    var generate = Stopwatch.StartNew();
    await using (var output = File.Create(file + ".tmp"))
    {
        // Truncating a valid history leaves a valid history.
        NdjsonCodec.WriteAll(output, BenchChain.Generate(seed: 42).Take(events));
    }

    File.Move(file + ".tmp", file);
    Console.WriteLine($"generated in {generate.Elapsed.TotalSeconds:F1} s");
}

if (args.Contains("--trace"))
{
    Environment.SetEnvironmentVariable("LEDGER_IMPORT_TRACE", "1");
}

if (args.Contains("--phases"))
{
    await Phases.RunAsync(file);
    return 0;
}

var bytes = new FileInfo(file).Length;
Console.WriteLine($"file: {file}, {events} events, {bytes / (double)events:F0} bytes/event");

await using var server = await PostgresLocator.ResolveAsync(
    BenchSupport.StringArg(args, "--connection") ?? Environment.GetEnvironmentVariable("LEDGER_CONNECTION"), PostgresLocatorOptions.ForCli(), new ConsoleLog(), ct);
var connectionString = await BenchSupport.FreshDatabaseAsync(server.ConnectionString, "ledger_bench_import");

// 1. The real import path: Mediator → ImportFile → parse, shape, Domain rules, batch COPY into Marten's tables.
await using var services = new ServiceCollection().AddLedgerApplication(connectionString).BuildServiceProvider();
BenchSupport.ResetPeakRss();
ImportSummary summary;
await using (var scope = services.CreateAsyncScope())
{
    summary = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ImportFile(file, batchSize), ct);
}

var peakRssMb = BenchSupport.PeakRssMb();
if (summary.Error is not null || summary.Appended != events)
{
    Console.Error.WriteLine($"import did not append every event: {summary}");
    return 1;
}

// 2. Raw binary COPY of the same lines, as jsonb, into a plain table on the same server, same batch size.
await using (var dataSource = NpgsqlDataSource.Create(connectionString))
{
    var (copied, copyElapsed) = await RawCopy.NdjsonAsync(dataSource, file, batchSize, "raw_events", ct);
    var copyRate = copied / copyElapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"import: {summary.Appended} events in {summary.Elapsed.TotalSeconds:F1} s = {summary.EventsPerSecond:F0} events/s (batch {batchSize}), peak RSS {peakRssMb:F0} MB"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"raw COPY: {copied} rows in {copyElapsed.TotalSeconds:F1} s = {copyRate:F0} rows/s"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"import / COPY = {summary.EventsPerSecond / copyRate:P1}"));
}

return 0;
