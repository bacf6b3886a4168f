using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bittensor.Ledger.Bench;
using Bittensor.Ledger.ChainSync.Bench;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.MainnetDay.Bench;
using Npgsql;

// The mainnet-day benchmark (issue 12; docs/benchmarks.md, "## Mainnet day"), one command, one server, one run:
//   generate the workload (`ledger sample --profile mainnet-day`), raw binary COPY of its lines (the same-run
//   reference), `ledger import` (every epoch computed), `ledger digest` (the read models' catch-up), `ledger rebuild
//   --all`, `ledger digest` (must be unchanged),
//   `ledger verify`, then the audit queries through Mediator. Each ledger phase is its own `ledger` process (the
//   Cli's build), so its wall time, peak RSS (VmHWM) and CPU are its own; the PostgreSQL backends' CPU is polled
//   from /proc; pg_stat_statements gives each phase's top statements when the server preloads it.
// Not a test: it asserts nothing about time. It exits 1 when the import stops, the digests differ or verify fails.
//   dotnet run -c Release --project bench/MainnetDay -- [--subnets 128] [--blocks 7200] [--seed 42]
//       [--connection CS] [--database ledger_bench_mainnet_day] [--dir DIR] [--batch-size 5000] [--query-runs 20]
//       [--json REPORT.json] [--ledger PATH/ledger.dll (another build, e.g. the ReadyToRun publish ./ledger runs)]
var subnets = BenchSupport.IntArg(args, "--subnets", 128);
var blocks = BenchSupport.IntArg(args, "--blocks", 7_200);
var seed = BenchSupport.IntArg(args, "--seed", 42);
var batchSize = BenchSupport.IntArg(args, "--batch-size", 5_000);
var queryRuns = BenchSupport.IntArg(args, "--query-runs", 20);
var databaseName = BenchSupport.StringArg(args, "--database") ?? "ledger_bench_mainnet_day";
var dir = BenchSupport.StringArg(args, "--dir") ?? Path.GetTempPath();
var jsonOut = BenchSupport.StringArg(args, "--json");
if (BenchSupport.StringArg(args, "--ledger") is { } ledgerDll)
{
    LedgerRun.Executable = Path.GetFullPath(ledgerDll);
}

var ct = CancellationToken.None;
Directory.CreateDirectory(dir);
var file = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"mainnet-day-{subnets}x{blocks}-seed{seed}.ndjson"));

await using var server = await PostgresLocator.ResolveAsync(
    BenchSupport.StringArg(args, "--connection") ?? Environment.GetEnvironmentVariable("LEDGER_CONNECTION"), PostgresLocatorOptions.ForCli(), new ConsoleLog(), ct);
var connectionString = await BenchSupport.FreshDatabaseAsync(server.ConnectionString, databaseName);
await using var dataSource = NpgsqlDataSource.Create(connectionString);
var statements = await Statements.OpenAsync(dataSource);
var serverVersion = await ScalarAsync<string>("select version()");
Console.WriteLine($"workload {subnets} subnets x {blocks} blocks, seed {seed}; database {databaseName}; {serverVersion}");
Console.WriteLine(statements.Unavailable is null ? "pg_stat_statements: on" : $"pg_stat_statements: off ({statements.Unavailable})");
Console.WriteLine($"ledger: {LedgerRun.Executable}");
var phases = new List<Phase>();

// 1. Generate (the existing generator, through the CLI).
var generate = await RunPhaseAsync("generate", "sample", "--profile", "mainnet-day",
    "--subnets", Str(subnets), "--blocks", Str(blocks), "--seed", Str(seed), "--out", file);
var workload = await Workload.ReadAsync(file);
phases.Add(Measured(generate, workload.Events, 0, null, Invariant($"{workload.Bytes / 1e6:F1} MB of NDJSON")));
Console.WriteLine(Invariant($"workload: {workload.Events} events, {workload.Bytes / 1e6:F1} MB, {workload.Epochs} epoch_triggered"));

// 2. Raw binary COPY of the same lines, same batch size, into a plain jsonb table of the same database; its size is
//    recorded and the table dropped, so the ledger's phases see an empty database. Twice: with the server's default
//    TOAST compression (pglz: the reference issue 12's ratios are defined against), and with lz4, which the ledger's
//    mt_events uses (docs/adr/0013-event-compression.md), so both ratios are in the report.
var rawBytes = await RawCopyPhaseAsync("raw COPY", null);
var rawLz4Bytes = await RawCopyPhaseAsync("raw COPY (lz4)", "lz4");

// 3. Import with every epoch computed: `ledger import`, the Mediator path, with its trace on.
Environment.SetEnvironmentVariable("LEDGER_IMPORT_TRACE", "1");
var import = await RunPhaseAsync("import", "import", file, "--batch-size", Str(batchSize), "--connection", connectionString);
Environment.SetEnvironmentVariable("LEDGER_IMPORT_TRACE", null);
var imported = Regex.Match(import.Run.Output, @"appended (\d+),.*epochs run (\d+), elapsed ([\d.]+) s");
if (!imported.Success || long.Parse(imported.Groups[1].Value, CultureInfo.InvariantCulture) != workload.Events)
{
    return Fail($"the import did not append every line:\n{import.Run.Output}\n{import.Run.Error}");
}

var trace = string.Join('\n', import.Run.Error.Split('\n').SkipWhile(l => !l.StartsWith("import trace", StringComparison.Ordinal)).Where(l => l.Length > 0));
phases.Add(Measured(import, workload.Events, long.Parse(imported.Groups[2].Value, CultureInfo.InvariantCulture), Double(imported.Groups[3].Value), trace));

// 4. The import appends events only; the first reader (here `ledger digest`) catches the read models up from the log
//    incrementally, so "imported and queryable" is import + this.
var stored = await ScalarAsync<long>("select count(*) from ledger.mt_events");
var catchUp = await RunPhaseAsync("catch-up", "digest", "--json", "--connection", connectionString);
var afterImport = Digests(catchUp.Run.Output);
phases.Add(Measured(catchUp, stored, 0, null, "the read models projected incrementally by the first reader after the import"));

// 5. Rebuild every projection from the log, then the digests again: they must not change.
await ExecAsync("checkpoint");
var rebuild = await RunPhaseAsync("rebuild --all", "rebuild", "--all", "--connection", connectionString);
var rebuilt = Regex.Match(rebuild.Run.Output, @"rebuilt through seq (\d+): (\d+) events of the projected types in ([\d.]+) s");
if (!rebuilt.Success)
{
    return Fail($"rebuild printed no summary:\n{rebuild.Run.Output}\n{rebuild.Run.Error}");
}

phases.Add(Measured(rebuild, long.Parse(rebuilt.Groups[2].Value, CultureInfo.InvariantCulture), 0, Double(rebuilt.Groups[3].Value),
    $"through seq {rebuilt.Groups[1].Value}"));
var afterRebuild = Digests((await LedgerRun.RunAsync("digest", "--json", "--connection", connectionString)).Output);
var digestsEqual = afterImport.SequenceEqual(afterRebuild);

// 6. Verify: every epoch recomputed from the stored events, the books balanced.
await ExecAsync("checkpoint");
var verify = await RunPhaseAsync("verify", "verify", "--json", "--connection", connectionString);
using var verifyJson = JsonDocument.Parse(verify.Run.Output);
var v = verifyJson.RootElement;
var holds = v.GetProperty("holds").GetBoolean() && v.GetProperty("complete").GetBoolean();
var verifyEpochs = v.GetProperty("epochs").GetInt64();
var verifyMatching = v.GetProperty("epochs_matching").GetInt64();
phases.Add(Measured(verify, v.GetProperty("events").GetInt64(), verifyEpochs, null,
    Invariant($"holds {(holds ? "yes" : "NO")}, epochs matching {verifyMatching}/{verifyEpochs}")));

// 7. The audit queries, in this process (so the query, not a process start, is timed).
var queryLoad = LedgerRun.LoadAverage();
await statements.ResetAsync();
BenchSupport.ResetPeakRss();
var queries = await AuditQueries.RunAsync(connectionString, dataSource, (ulong)blocks, queryRuns);
var queryPeak = BenchSupport.PeakRssMb();
phases.Add(new Phase("audit queries", Invariant($"(in the bench) {queries.Count} queries x {queryRuns + 1} runs through Mediator"),
    queries.Sum(q => (q.FirstMs + (q.MedianMs * q.Runs)) / 1000), null, 0, 0, queryPeak, 0, 0,
    await ScalarAsync<long>("select pg_database_size(current_database())"), queryLoad, LedgerRun.LoadAverage(), await statements.TopAsync(5)));

var tables = await TablesAsync();
var importPhase = phases.Single(p => p.Name == "import");
var rebuildPhase = phases.Single(p => p.Name == "rebuild --all");
var copyPhase = phases.Single(p => p.Name == "raw COPY");
var lz4Phase = phases.Single(p => p.Name == "raw COPY (lz4)");
var report = new RunReport("mainnet-day", subnets, blocks, seed, serverVersion, statements.Unavailable, workload, phases,
    importPhase.EventsPerSecond / copyPhase.EventsPerSecond, rebuildPhase.EventsPerSecond / copyPhase.EventsPerSecond,
    importPhase.EventsPerSecond / lz4Phase.EventsPerSecond, rebuildPhase.EventsPerSecond / lz4Phase.EventsPerSecond,
    afterImport, afterRebuild, digestsEqual, holds, verifyEpochs, verifyMatching, queries, tables, rawBytes, rawLz4Bytes);
Print(report);
if (jsonOut is not null)
{
    await File.WriteAllTextAsync(jsonOut, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
}

if (!digestsEqual || !holds)
{
    return Fail(!digestsEqual ? "the digests changed across the rebuild" : $"verify failed:\n{verify.Run.Output}");
}

return 0;

async Task<long> RawCopyPhaseAsync(string name, string? compression)
{
    var load = LedgerRun.LoadAverage();
    await statements.ResetAsync();
    BenchSupport.ResetPeakRss();
    long cpuBefore = ProcessCpuTicks();
    var watch = await PostgresWatch.StartAsync(dataSource);
    var (copied, elapsed) = await RawCopy.NdjsonAsync(dataSource, file, batchSize, "raw_events", ct, compression);
    await watch.StopAsync();
    var peak = BenchSupport.PeakRssMb();
    var cpu = (ProcessCpuTicks() - cpuBefore) / 100.0;
    var bytes = await ScalarAsync<long>("select pg_total_relation_size('raw_events')");
    var databaseBytes = await ScalarAsync<long>("select pg_database_size(current_database())");
    var top = await statements.TopAsync(5);
    phases.Add(new Phase(name, "(in the bench) binary COPY of each line as jsonb" + (compression is null ? "" : $", column compression {compression}"),
        elapsed.TotalSeconds, null, copied, 0, peak, cpu, watch.BackendCpu.TotalSeconds, databaseBytes, load, LedgerRun.LoadAverage(), top,
        Invariant($"table raw_events {bytes / 1e6:F1} MB, then dropped")));
    await ExecAsync("drop table raw_events");
    await ExecAsync("checkpoint");
    await watch.DisposeAsync();
    return bytes;
}

async Task<(LedgerRun Run, double PostgresCpu, IReadOnlyList<StatementCost> Top, long DatabaseBytes, string Command)> RunPhaseAsync(string name, params string[] ledgerArgs)
{
    var command = "ledger " + string.Join(' ', ledgerArgs.Select(a => a == connectionString ? "CS" : a));
    Console.WriteLine($"{name}: {command}");
    await statements.ResetAsync();
    await using var watch = await PostgresWatch.StartAsync(dataSource);
    var run = await LedgerRun.RunAsync(ledgerArgs);
    await watch.StopAsync();
    if (run.ExitCode != 0)
    {
        Console.Error.WriteLine($"{command} exited {run.ExitCode}:\n{run.Output}\n{run.Error}");
        Environment.Exit(1);
    }

    var top = await statements.TopAsync(5);
    var size = await ScalarAsync<long>("select pg_database_size(current_database())");
    Console.WriteLine(Invariant($"  {run.Wall.TotalSeconds:F1} s wall, peak RSS {run.PeakRssMb:F0} MB, CPU {run.Cpu.TotalSeconds:F1} s, PostgreSQL CPU {watch.BackendCpu.TotalSeconds:F1} s, database {size / 1e6:F0} MB"));
    return (run, watch.BackendCpu.TotalSeconds, top, size, command);
}

static Phase Measured((LedgerRun Run, double PostgresCpu, IReadOnlyList<StatementCost> Top, long DatabaseBytes, string Command) p,
    long events, long epochs, double? inside, string? detail) =>
    new(p.Command.Split(' ')[1] switch { "sample" => "generate", "rebuild" => "rebuild --all", "digest" => "catch-up", var c => c }, p.Command,
        p.Run.Wall.TotalSeconds, inside, events, epochs, p.Run.PeakRssMb, p.Run.Cpu.TotalSeconds, p.PostgresCpu, p.DatabaseBytes,
        p.Run.LoadMin, p.Run.LoadMax, p.Top, detail);

static IReadOnlyList<DigestRow> Digests(string digestJson)
{
    using var json = JsonDocument.Parse(digestJson);
    return [.. json.RootElement.GetProperty("digests").EnumerateArray()
        .Select(d => new DigestRow(d.GetProperty("name").GetString()!, d.GetProperty("digest").GetString()!, d.GetProperty("rows").GetInt64()))];
}

async Task<IReadOnlyList<TableSize>> TablesAsync()
{
    var names = new List<(string Name, long Bytes)>();
    await using (var cmd = dataSource.CreateCommand(
        "select c.relname, pg_total_relation_size(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
        "where n.nspname = 'ledger' and c.relkind = 'r' order by 2 desc limit 10"))
    await using (var reader = await cmd.ExecuteReaderAsync(ct))
    {
        while (await reader.ReadAsync(ct))
        {
            names.Add((reader.GetString(0), reader.GetInt64(1)));
        }
    }

    var sizes = new List<TableSize>();
    foreach (var (name, bytes) in names)
    {
        sizes.Add(new TableSize(name, bytes, await ScalarAsync<long>($"select count(*) from ledger.{name}")));
    }

    return sizes;
}

void Print(RunReport r)
{
    Console.WriteLine();
    Console.WriteLine(Invariant($"### {r.Subnets} subnets x {r.Blocks} blocks, seed {r.Seed}: {r.File.Events:N0} events, {r.File.Bytes / 1e6:F0} MB NDJSON, {r.File.Epochs:N0} epochs"));
    Console.WriteLine();
    Console.WriteLine("| phase | wall s | inside s | events | events/s | epochs/s | peak RSS MB | CPU s | PostgreSQL CPU s | database MB after | load |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    foreach (var p in r.Phases)
    {
        var inside = p.InsideSeconds is { } s ? Invariant($"{s:F1}") : "";
        var rate = p.Events > 0 ? Invariant($"{p.EventsPerSecond:N0}") : "";
        var epochRate = p.Epochs > 0 ? Invariant($"{p.EpochsPerSecond:F1}") : "";
        Console.WriteLine(Invariant(
            $"| {p.Name} | {p.WallSeconds:F1} | {inside} | {p.Events:N0} | {rate} | {epochRate} | {p.PeakRssMb:F0} | {p.CpuSeconds:F1} | {p.PostgresCpuSeconds:F1} | {p.DatabaseBytes / 1e6:F0} | {p.LoadMin:F1}–{p.LoadMax:F1} |"));
    }

    Console.WriteLine();
    Console.WriteLine(Invariant($"import / raw COPY = {r.ImportOverCopy:P1}; rebuild / raw COPY = {r.RebuildOverCopy:P1} (events/s inside each command ÷ COPY rows/s, same run)"));
    Console.WriteLine(Invariant($"against the lz4 raw COPY: import {r.ImportOverLz4Copy:P1}; rebuild {r.RebuildOverLz4Copy:P1}"));
    Console.WriteLine($"digests after import and after rebuild: {(r.DigestsEqual ? "identical" : "DIFFERENT")}; verify: {(r.VerifyHolds ? "holds" : "FAILS")}, {r.VerifyEpochsMatching}/{r.VerifyEpochs} epochs match");
    Console.WriteLine();
    Console.WriteLine("| audit query | rows | first ms | warm median ms | warm p95 ms |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var q in r.Queries)
    {
        Console.WriteLine(Invariant($"| {q.Name} (`{Shorten(q.Cli)}`) | {q.Rows:N0} | {q.FirstMs:F1} | {q.MedianMs:F2} | {q.P95Ms:F2} |"));
    }

    Console.WriteLine();
    Console.WriteLine("| table | MB | rows | bytes/row |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var t in r.Tables)
    {
        Console.WriteLine(Invariant($"| {t.Name} | {t.Bytes / 1e6:F1} | {t.Rows:N0} | {(t.Rows > 0 ? t.Bytes / (double)t.Rows : 0):F0} |"));
    }

    Console.WriteLine();
    Console.WriteLine("| event type | events | MB | bytes/event |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var t in r.File.Types)
    {
        Console.WriteLine(Invariant($"| {t.Type} | {t.Events:N0} | {t.Bytes / 1e6:F1} | {t.Bytes / (double)t.Events:F0} |"));
    }

    foreach (var p in r.Phases)
    {
        if (p.Detail is { Length: > 0 } || p.TopStatements.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{p.Name}: {p.Command}");
            if (p.Detail is { Length: > 0 } detail)
            {
                Console.WriteLine("  " + detail.Replace("\n", "\n  ", StringComparison.Ordinal));
            }

            foreach (var s in p.TopStatements)
            {
                Console.WriteLine("  " + Statements.Format(s));
            }
        }
    }

    if (r.StatementsUnavailable is not null)
    {
        Console.WriteLine();
        Console.WriteLine($"pg_stat_statements: not available: {r.StatementsUnavailable}");
    }
}

static string Shorten(string cli) => Regex.Replace(cli, "5[1-9A-HJ-NP-Za-km-z]{47}", m => m.Value[..6] + "…");

int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 1;
}

async Task ExecAsync(string sql)
{
    await using var cmd = dataSource.CreateCommand(sql);
    await cmd.ExecuteNonQueryAsync(ct);
}

async Task<T> ScalarAsync<T>(string sql)
{
    await using var cmd = dataSource.CreateCommand(sql);
    return (T)(await cmd.ExecuteScalarAsync(ct))!;
}

static long ProcessCpuTicks() => LedgerRun.CpuTicks(Environment.ProcessId) ?? 0;

static string Str(int n) => n.ToString(CultureInfo.InvariantCulture);

static double Double(string s) => double.Parse(s, CultureInfo.InvariantCulture);

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
