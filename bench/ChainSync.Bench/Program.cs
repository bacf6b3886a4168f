using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Bench;
using Bittensor.Ledger.ChainSync.Bench;
using Npgsql;

// Chain-sync benchmark (docs/benchmarks.md, "## Chain sync (a subnet-day)"): one subnet × 7,200 blocks with 20 epochs
// of 256 uids, served by the loopback node, synced by the real `ledger chain sync` executable into a fresh database,
// then audited by `ledger chain audit`. Not a test: it asserts nothing about time.
//   dotnet run -c Release --project bench/ChainSync.Bench -- [--blocks N] [--epochs N] [--seed N] [--batch-blocks K] [--connection CS]
var blocks = BenchSupport.IntArg(args, "--blocks", 7_200);
var epochCount = BenchSupport.IntArg(args, "--epochs", 20);
var seed = BenchSupport.IntArg(args, "--seed", 52);
var batchBlocks = BenchSupport.StringArg(args, "--batch-blocks");
// --sync-netuid 77: sync a subnet with no events in the day instead: every block is still read and decoded, nothing
// but checkpoints is written, and there is nothing to audit. The difference to a full run is the cost of the facts.
var syncNetuid = BenchSupport.IntArg(args, "--sync-netuid", SubnetDay.Netuid);
if (BenchSupport.StringArg(args, "--ledger") is { } ledger)
{
    LedgerRun.Executable = Path.GetFullPath(ledger);
}

var auditing = syncNetuid == SubnetDay.Netuid;
const long From = 8_000_000;
var ct = CancellationToken.None;
string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

Console.WriteLine(Inv($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)"));
var build = Stopwatch.StartNew();
var day = new SubnetDay(From, blocks, epochCount, seed);
Console.WriteLine(Inv($"workload: subnet {SubnetDay.Netuid}, blocks {day.From}..{day.To}, {day.EpochBlocks.Count} epochs of {SubnetDay.N} uids ({SubnetDay.Validators} validators, full rows) at {day.EpochBlocks[0]} + k·{SubnetDay.Tempo + 1}, ") +
    Inv($"{day.EventRecords:N0} event records, {day.StakeEvents:N0} stake events ({day.StakeEventsOf52:N0} of subnet {SubnetDay.Netuid}), {day.WeightSubmissions:N0} weight submissions; built in {build.Elapsed.TotalSeconds:F1} s"));

await using var node = await DayNode.StartAsync(day);
node.AnswerDelay = TimeSpan.FromMilliseconds(BenchSupport.IntArg(args, "--answer-delay-ms", 0));
Console.WriteLine($"node: {node.Url}{(node.AnswerDelay > TimeSpan.Zero ? $", {node.AnswerDelay.TotalMilliseconds:F0} ms before each answer" : "")}");

await using var server = await PostgresLocator.ResolveAsync(
    BenchSupport.StringArg(args, "--connection") ?? Environment.GetEnvironmentVariable("LEDGER_CONNECTION"), PostgresLocatorOptions.ForCli(), new ConsoleLog(), ct);
var db = await BenchSupport.FreshDatabaseAsync(server.ConnectionString, "ledger_bench_chain_sync");
var cache = Directory.CreateTempSubdirectory("ledger-bench-chain-sync-").FullName;
try
{
    await using var dataSource = NpgsqlDataSource.Create(db);
    await using var postgres = await PostgresWatch.StartAsync(dataSource);
    var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
    string[] syncArgs = ["chain", "sync", "--netuid", syncNetuid.ToString(CultureInfo.InvariantCulture),
        "--from-block", day.From.ToString(CultureInfo.InvariantCulture), "--to-block", day.To.ToString(CultureInfo.InvariantCulture),
        "--url", node.Url.ToString(), "--cache-dir", cache, "--connection", db, "--json",
        .. batchBlocks is null ? Array.Empty<string>() : ["--batch-blocks", batchBlocks]];
    Console.WriteLine($"running: dotnet {LedgerRun.Executable} {string.Join(' ', syncArgs.Select(a => a == db ? "<db>" : a))}");
    var sync = await LedgerRun.RunAsync(syncArgs);
    var nodeCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpu;
    var commits = await postgres.StopAsync();
    if (sync.ExitCode != 0)
    {
        Console.Error.WriteLine($"chain sync failed (exit {sync.ExitCode}): {sync.Error}{sync.Output}");
        return 1;
    }

    // Without a terminal the sync also prints a progress line every 5 s before the (indented) summary.
    var summaryAt = sync.Output.StartsWith('{') ? 0 : sync.Output.IndexOf("\n{", StringComparison.Ordinal) + 1;
    var report = JsonNode.Parse(sync.Output[summaryAt..])!;
    foreach (var line in sync.Output[..summaryAt].Split('\n', StringSplitOptions.RemoveEmptyEntries))
    {
        Console.WriteLine("  ledger: " + line);
    }
    var seconds = report["seconds"]!.GetValue<double>();
    var synced = report["blocks"]!.GetValue<long>();
    var epochs = report["epochs"]!.GetValue<int>();
    var rpc = report["rpc_requests"]!.GetValue<long>();
    var epochBlocksRead = day.EpochBlocks.Count;
    var plainBlocks = synced - (2 * epochBlocksRead);

    async Task<long> ScalarAsync(string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    var dbBytes = await ScalarAsync("select pg_database_size(current_database())");
    var events = await ScalarAsync("select count(*) from ledger.mt_events");
    var eventBytes = await ScalarAsync("select pg_total_relation_size('ledger.mt_events')");

    if (!auditing)
    {
        Console.WriteLine(Inv($"sync of subnet {syncNetuid} (no events in the day): {report["blocks"]} blocks, {report["facts"]} facts in {sync.Wall.TotalSeconds:F1} s wall, {report["rpc_requests"]} RPC requests, ") + Inv(
            $"ledger CPU {sync.Cpu.TotalSeconds:F1} s, peak RSS {sync.PeakRssMb:F0} MB, node CPU {nodeCpu.TotalSeconds:F1} s, PostgreSQL CPU {postgres.BackendCpu.TotalSeconds:F1} s, {commits:N0} commits, load {sync.LoadMin:F1}–{sync.LoadMax:F1}"));
        return 0;
    }

    var audit = await LedgerRun.RunAsync("chain", "audit", "--json", "--connection", db);
    var auditReport = audit.Output.TrimStart().StartsWith('{') ? JsonNode.Parse(audit.Output) : null;
    var matched = auditReport?["matched"]?.GetValue<int>() ?? -1;
    var differed = auditReport?["differed"]?.GetValue<int>() ?? -1;
    var auditEpochs = auditReport?["epochs"]?.AsArray().Count ?? -1;

    Console.WriteLine();
    Console.WriteLine(Inv($"sync: {synced:N0} blocks, {epochs} epochs, {report["facts"]} facts ({report["appended"]} appended) in {seconds:F1} s (ledger's own clock; {sync.Wall.TotalSeconds:F1} s wall for the process)"));
    Console.WriteLine(Inv($"  {synced / seconds:F1} blocks/s, {epochs / seconds:F2} epochs/s; {(blocks == 7_200 ? Inv($"target: a subnet-day in 60 s: {(sync.Wall.TotalSeconds <= 60 ? "met" : "NOT met")} ({sync.Wall.TotalSeconds / 60:P0} of it)") : "not a subnet-day: no target")}"));
    Console.WriteLine(Inv($"  RPC requests: {rpc:N0} by the ledger's count, {node.Answers:N0} messages answered by the node; ") + Inv(
        $"{node.PlainRequests / (double)Math.Max(1, plainBlocks):F2} per plain block ({node.PlainRequests:N0} over {plainBlocks:N0}), ") + Inv(
        $"{node.EpochRequests / (double)Math.Max(1, epochBlocksRead):F1} per epoch (B−1 and B: {node.EpochRequests:N0} over {epochBlocksRead}), {node.OtherRequests} about no block"));
    Console.WriteLine("  by method: " + string.Join(", ", node.ByMethod.OrderByDescending(m => m.Value).Select(m => Inv($"{m.Key} {m.Value:N0}"))));
    Console.WriteLine(Inv($"  ledger process: peak RSS {sync.PeakRssMb:F0} MB, CPU {sync.Cpu.TotalSeconds:F1} s ({sync.Cpu.TotalSeconds / sync.Wall.TotalSeconds:P0} of a core over the wall time)"));
    Console.WriteLine(Inv($"  node: {node.HandlerTime.TotalSeconds:F2} s in its handlers ({node.HandlerTime.TotalSeconds / sync.Wall.TotalSeconds:P1} of the wall time), {nodeCpu.TotalSeconds:F1} s CPU of the bench process (node + Kestrel) = {nodeCpu.TotalSeconds / sync.Wall.TotalSeconds:P0} of the wall time"));
    Console.WriteLine(Inv($"  PostgreSQL: {postgres.BackendCpu.TotalSeconds:F1} s CPU in the {postgres.Backends} backends of the database ({postgres.BackendCpu.TotalSeconds / sync.Wall.TotalSeconds:P0} of the wall time; 0 when the server is not on this machine), {commits:N0} commits"));
    Console.WriteLine(Inv($"  unaccounted (waiting: for a core under this load, for fsync, for the other side of each round trip): {Math.Max(0, sync.Wall.TotalSeconds - sync.Cpu.TotalSeconds - nodeCpu.TotalSeconds - postgres.BackendCpu.TotalSeconds):F1} s"));
    Console.WriteLine(Inv($"  load average (1 min) during the sync: {sync.LoadMin:F1}–{sync.LoadMax:F1}"));
    Console.WriteLine(Inv($"database after: {dbBytes / 1048576.0:F1} MB ({events:N0} events, mt_events {eventBytes / 1048576.0:F1} MB with indexes)"));
    Console.WriteLine(Inv($"audit: {audit.Wall.TotalSeconds:F1} s wall, exit {audit.ExitCode}, {auditEpochs} epochs: {matched} match, {differed} differ; peak RSS {audit.PeakRssMb:F0} MB; load {audit.LoadMin:F1}–{audit.LoadMax:F1}"));
    if (audit.ExitCode != 0 || matched != day.EpochBlocks.Count)
    {
        Console.Error.WriteLine($"the audit did not match every epoch: {audit.Error}{(auditReport is null ? audit.Output : "")}");
        return 1;
    }

    return epochs == day.EpochBlocks.Count ? 0 : 1;
}
finally
{
    Directory.Delete(cache, recursive: true);
}
