using Bittensor.Ledger.Domain;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.ChainSync;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using FluentValidation;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Chain;

/// <summary>
/// <c>ledger chain sync --netuid N[,N…] --from-block A (--to-block B | --follow)</c>: records the subnets' history from
/// a subtensor node into the ledger (<see cref="SyncChain"/>). A progress bar on a terminal, a line every few seconds
/// otherwise (on stderr with <c>--json</c>, so stdout stays one JSON document), a summary at the end. Ctrl-C ends after the blocks read in full are
/// committed: exit 0 when following (that is how a follow ends), 130 otherwise.
/// </summary>
internal static class ChainSyncCommand
{
    public static Command Create()
    {
        var common = ChainCommand.CommonOptions.Create();
        var connection = ConnectionOption.Create();
        var netuids = new Option<string>("--netuid") { Description = "The subnets to record, comma-separated (e.g. 1,52).", Required = true };
        var from = new Option<long>("--from-block") { Description = "The first block to read (spec 320 or later).", Required = true };
        var to = new Option<long?>("--to-block") { Description = "The last block to read (finalized)." };
        var follow = new Option<bool>("--follow") { Description = "After the last finalized block, keep reading new finalized blocks until Ctrl-C." };
        var batch = new Option<int>("--batch-blocks") { Description = "Blocks per transaction (an epoch block ends its batch).", DefaultValueFactory = _ => 64 };
        var command = new Command("sync", "Record subnets' events and epochs (what each epoch read and wrote) from a node into the ledger; resumable.")
        {
            netuids, from, to, follow, batch, connection,
        };
        common.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var subnets = ParseNetuids(parse.GetValue(netuids) ?? "");
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var isFollow = parse.GetValue(follow);
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var reader = await common.ConnectAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, error);
            var live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !parse.GetValue(common.Json);
            var clock = Stopwatch.StartNew();
            SyncReport report;
            try
            {
                report = live
                    ? await WithBarAsync(scope, Command, ct).ConfigureAwait(false)
                    : await scope.Mediator.Send(Command(Lines(parse.GetValue(common.Json) ? error : output, clock)), ct).ConfigureAwait(false);
            }
            catch (ValidationException ex)
            {
                foreach (var failure in ex.Errors)
                {
                    await error.WriteLineAsync($"{failure.PropertyName}: {failure.ErrorMessage}".AsMemory(), ct).ConfigureAwait(false);
                }

                return ExitCodes.BadInput;
            }

            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            if (parse.GetValue(common.Json))
            {
                // Not ct: after Ctrl-C the summary is still printed.
                await output.WriteLineAsync(Json(report, seconds).ToJsonString(AuditCli.Json).AsMemory(), CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"subnets {string.Join(",", report.Netuids)}: blocks {report.FromBlock}..{report.NextBlock - 1} ({report.Blocks:N0} read, {report.Blocks / seconds:F1} blocks/s), " +
                    $"{report.Facts:N0} facts ({report.Appended:N0} appended, {report.AlreadyPresent:N0} already present), {report.Epochs} epochs, " +
                    $"{report.RpcRequests:N0} RPC requests, {seconds:F1} s{(report.Interrupted ? "; interrupted: the next run resumes at block " + report.NextBlock.ToString(CultureInfo.InvariantCulture) : "")}").AsMemory(), CancellationToken.None).ConfigureAwait(false);
            }

            return report.Interrupted && !isFollow ? ExitCodes.Interrupted : ExitCodes.Ok;

            SyncChain Command(IProgress<SyncProgress> progress) => new(
                reader, subnets, parse.GetValue(from), parse.GetValue(to), isFollow, parse.GetValue(batch), progress);
        });
        return command;
    }

    private static List<ushort> ParseNetuids(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var netuids = new List<ushort>(parts.Length);
        foreach (var part in parts)
        {
            if (!ushort.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var netuid))
            {
                throw new FieldErrorException("--netuid", $"'{(part.Length > 16 ? part[..16] + "…" : part)}' is not a subnet id (0..65535); give them comma-separated, e.g. 1,52");
            }

            netuids.Add(netuid);
        }

        return netuids;
    }

    private static async Task<SyncReport> WithBarAsync(LedgerScope scope, Func<IProgress<SyncProgress>, SyncChain> command, CancellationToken ct)
    {
        SyncReport? report = null;
        var started = Stopwatch.StartNew();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("syncing", maxValue: 1);
                var progress = new Sink(p =>
                {
                    var rate = p.Done / Math.Max(started.Elapsed.TotalSeconds, 1e-9);
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"block {p.Block:N0}: {rate:F1} blocks/s, {p.Epochs} epochs, {p.Facts:N0} facts");
                    if (p.Total is { } total)
                    {
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = p.Done;
                    }
                    else
                    {
                        task.IsIndeterminate = true;
                    }
                });
                report = await scope.Mediator.Send(command(progress), ct).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return report!;
    }

    private static Sink Lines(TextWriter output, Stopwatch clock)
    {
        var last = Stopwatch.StartNew();
        return new Sink(p =>
        {
            if (last.Elapsed < TimeSpan.FromSeconds(5))
            {
                return;
            }

            last.Restart();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"... block {p.Block}: {p.Done}{(p.Total is { } t ? "/" + t.ToString(CultureInfo.InvariantCulture) : "")} blocks, {p.Done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F1} blocks/s, {p.Epochs} epochs, {p.Facts} facts"));
        });
    }

    private static JsonObject Json(SyncReport report, double seconds) => new()
    {
        ["netuids"] = new JsonArray([.. report.Netuids.Select(n => (JsonNode)n)]),
        ["from_block"] = report.FromBlock,
        ["next_block"] = report.NextBlock,
        ["blocks"] = report.Blocks,
        ["facts"] = report.Facts,
        ["appended"] = report.Appended,
        ["already_present"] = report.AlreadyPresent,
        ["epochs"] = report.Epochs,
        ["rpc_requests"] = report.RpcRequests,
        ["interrupted"] = report.Interrupted,
        ["seconds"] = Math.Round(seconds, 3),
    };

    /// <summary>Reports on the syncing thread (System.Progress would post to the thread pool).</summary>
    private sealed class Sink(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }
}
