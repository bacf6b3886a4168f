using System.CommandLine;
using System.Diagnostics;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Projections.Tailing;
using Spectre.Console;
using static Bittensor.Ledger.Cli.Audit.AuditCli;

namespace Bittensor.Ledger.Cli.Rebuild;

/// <summary>`ledger rebuild [NAME... | --all]` with a progress bar (events/s, ETA), and `ledger digest [--json]`.
/// Both print every sequence gap and skipped event they met; `digest` fails (exit 1) when the log has a gap.</summary>
public static class RebuildCommand
{
    public static Command Create()
    {
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.ZeroOrMore, Description = "Projection names (see `ledger digest`)." };
        var all = new Option<bool>("--all") { Description = "Rebuild every projection." };
        var command = new Command("rebuild", "Delete projections' rows and project the whole event log again.") { names, all, ConnectionOption.Create() };
        command.SetAction((parse, ct) => RunAsync(parse, () => 0, async (_, mediator, output, token) =>
        {
            var terminal = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
            CatchUpResult result;
            var names_ = parse.GetValue(names) ?? [];
            if (terminal)
            {
                result = await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("rebuilding", maxValue: 1);
                        var progress = new Sink(p =>
                        {
                            task.MaxValue = Math.Max(1, p.Total);
                            task.Value = p.Done;
                            task.Description = $"rebuilding: {Num(p.Done)}/{Num(p.Total)} events, {Num(Math.Round(p.EventsPerSecond))} events/s";
                        });
                        return await mediator.Send(new RebuildProjections(names_, parse.GetValue(all), progress), token).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                var last = Stopwatch.StartNew();
                var progress = new Sink(p =>
                {
                    if (last.Elapsed >= TimeSpan.FromSeconds(2))
                    {
                        last.Restart();
                        output.WriteLine($"... {Num(p.Done)}/{Num(p.Total)} events, {Num(Math.Round(p.EventsPerSecond))} events/s, ETA {(p.Eta is { } e ? Num(Math.Ceiling(e.TotalSeconds)) + " s" : "-")}");
                    }
                });
                result = await mediator.Send(new RebuildProjections(names_, parse.GetValue(all), progress), token).ConfigureAwait(false);
            }

            await output.WriteLineAsync(
                $"rebuilt through seq {Num(result.HighWater)}: {Num(result.Events)} events of the projected types in {result.Elapsed.TotalSeconds.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} s, {Num(Math.Round(result.EventsPerSecond))} events/s".AsMemory(), token).ConfigureAwait(false);
            await ReportAsync(output, result.Gaps, result.Skipped, token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    public static Command CreateDigest()
    {
        var json = JsonOption();
        var command = new Command("digest", "A SHA-256 per projection over its rows; unchanged by a rebuild.") { json, ConnectionOption.Create() };
        command.SetAction((parse, ct) => RunAsync(parse, () => 0, async (_, mediator, output, token) =>
        {
            var report = await mediator.Send(new GetDigests(), token).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(output, new { report.Digests, report.Gaps, report.Skipped }, token).ConfigureAwait(false);
                return await MissingEventsAsync(parse.InvocationConfiguration.Error, report.Gaps, token).ConfigureAwait(false);
            }

            var console = ConsoleOutput.For(output);
            var table = new Table().AddColumns("projection", "rows", "checkpoint", "sha-256");
            foreach (var d in report.Digests)
            {
                table.AddTextRow(d.Name, Num(d.Rows), Num(d.Checkpoint), d.Digest);
            }

            console.Write(table);
            await ReportAsync(output, report.Gaps, report.Skipped, token).ConfigureAwait(false);
            return await MissingEventsAsync(parse.InvocationConfiguration.Error, report.Gaps, token).ConfigureAwait(false);
        }, ct));
        return command;
    }

    /// <summary>A gap is never a rolled-back batch (writers give those numbers back, ADR 0007 "Sequence holes"): it is
    /// committed events missing from the log, so the digest says so on stderr and fails.</summary>
    private static async Task<int> MissingEventsAsync(TextWriter error, IReadOnlyList<SequenceGap> gaps, CancellationToken ct)
    {
        if (gaps.Count == 0)
        {
            return ExitCodes.Ok;
        }

        var first = gaps[0];
        await error.WriteLineAsync(
            $"ledger: digest: {Num(gaps.Sum(g => g.Count))} events are missing from the log ({Num(gaps.Count)} sequence gaps, the first seq {Num(first.From)}..{Num(first.To)}); the ledger is incomplete: rebuild it from its source".AsMemory(),
            ct).ConfigureAwait(false);
        return ExitCodes.Failure;
    }

    private static async Task ReportAsync(TextWriter output, IReadOnlyList<SequenceGap> gaps, IReadOnlyList<SkippedEvent> skipped, CancellationToken ct)
    {
        await output.WriteLineAsync($"sequence gaps: {Num(gaps.Count)} ({Num(gaps.Sum(g => g.Count))} sequence numbers with no event)".AsMemory(), ct).ConfigureAwait(false);
        foreach (var g in gaps.Take(20))
        {
            await output.WriteLineAsync($"  gap: seq {Num(g.From)}..{Num(g.To)}".AsMemory(), ct).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"skipped events: {Num(skipped.Count)}".AsMemory(), ct).ConfigureAwait(false);
        foreach (var s in skipped.Take(20))
        {
            await output.WriteLineAsync($"  skipped: seq {Num(s.Seq)} ({s.Type}): {s.Reason}".AsMemory(), ct).ConfigureAwait(false);
        }
    }

    private sealed class Sink(Action<CatchUpProgress> report) : IProgress<CatchUpProgress>
    {
        public void Report(CatchUpProgress value) => report(value);
    }
}
