using System.CommandLine;
using System.Globalization;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Simulation;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Simulate;

/// <summary>`ledger simulate`: a deterministic synthetic network whose epochs run through the consensus handler.
/// Exit codes: 0 done and the books balance, 1 an identity broke, 2 bad options or a non-empty ledger without --reset.</summary>
public static class SimulateCommand
{
    public static Command Create()
    {
        var defaults = new SimulationOptions();
        var subnets = new Option<int>("--subnets") { Description = "Subnets (1..64).", DefaultValueFactory = _ => defaults.Subnets };
        var neurons = new Option<int>("--neurons") { Description = "MaxAllowedUids per subnet (2..4096).", DefaultValueFactory = _ => defaults.Neurons };
        var validators = new Option<int>("--validators") { Description = "MaxAllowedValidators per subnet (1..neurons).", DefaultValueFactory = _ => defaults.Validators };
        var blocks = new Option<int>("--blocks") { Description = "Blocks to simulate.", DefaultValueFactory = _ => defaults.Blocks };
        var tempo = new Option<int?>("--tempo") { Description = "Tempo of every subnet (1..65535; default 99, 119, 139, ... by subnet)." };
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed gives the same ledger.", DefaultValueFactory = _ => defaults.Seed };
        var yuma3 = OnOff("--yuma3", "Yuma3 bonds on every subnet (default: on for even subnet indexes).");
        var liquidAlpha = OnOff("--liquid-alpha", "Liquid alpha on every subnet (default: the third subnet only).");
        var schedule = new Option<string>("--schedule")
        {
            Description = "Epoch schedule: dynamic (block − LastEpochBlock ≥ tempo) or classic ((block + netuid + 1) % (tempo + 1) = 0).",
            DefaultValueFactory = _ => "dynamic",
        };
        schedule.AcceptOnlyFromAmong("dynamic", "classic");
        var reset = new Option<bool>("--reset") { Description = "Start over on a ledger that already holds events (always done on the private cluster)." };
        var connection = ConnectionOption.Create();
        var command = new Command("simulate", "Simulate a network block by block, running its epochs through the consensus handler.")
        {
            subnets, neurons, validators, blocks, tempo, seed, yuma3, liquidAlpha, schedule, reset, connection,
        };
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var output = parse.InvocationConfiguration.Output;
            var options = new SimulationOptions
            {
                Subnets = parse.GetValue(subnets),
                Neurons = (ushort)Math.Clamp(parse.GetValue(neurons), 0, ushort.MaxValue),
                Validators = (ushort)Math.Clamp(parse.GetValue(validators), 0, ushort.MaxValue),
                Blocks = parse.GetValue(blocks),
                Seed = parse.GetValue(seed),
                Tempo = parse.GetValue(tempo) is { } t and > 0 and <= ushort.MaxValue ? (ushort)t : null,
                Yuma3 = parse.GetValue(yuma3) is { } y ? y == "on" : null,
                LiquidAlpha = parse.GetValue(liquidAlpha) is { } l ? l == "on" : null,
                Schedule = parse.GetValue(schedule) == "classic" ? EpochSchedule.Classic : EpochSchedule.Dynamic,
            };
            if (parse.GetValue(tempo) is { } badTempo and (< 1 or > ushort.MaxValue))
            {
                await error.WriteLineAsync($"--tempo: {badTempo} is not 1..65535".AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (Validate(options, parse.GetValue(neurons), parse.GetValue(validators)) is { } bad)
            {
                await error.WriteLineAsync(bad.AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            var held = await LedgerReset.EventCountAsync(database.ConnectionString, ct).ConfigureAwait(false);
            if (held > 0)
            {
                if (database.Source == PostgresSource.Explicit && !parse.GetValue(reset))
                {
                    await error.WriteLineAsync($"simulate: the ledger at the given connection holds {held} events; pass --reset to replace them with a simulation".AsMemory(), ct).ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                await error.WriteLineAsync($"simulate: replacing the {held} events this ledger held".AsMemory(), ct).ConfigureAwait(false);
                await LedgerReset.DropAsync(database.ConnectionString, error, ct).ConfigureAwait(false);
            }

            // While it waits for the writer lock (an import or another simulation writes), it says who holds it.
            await using var services = WriterServices.Build(database.ConnectionString, s => s.AddSingleton(new LockWaits(line => error.WriteLine("ledger: " + line))));
            try
            {
                var summary = await RunWithProgressAsync(services, options, output, ct).ConfigureAwait(false);
                Print(summary, options, output);
                return summary.Conservation.All(c => c.Holds) ? ExitCodes.Ok : ExitCodes.Failure;
            }
            catch (LedgerNotEmptyException ex)
            {
                await error.WriteLineAsync($"simulate: {ex.Message}".AsMemory(), ct).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
        });
        return command;
    }

    private static Option<string?> OnOff(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.AcceptOnlyFromAmong("on", "off");
        return option;
    }

    private static string? Validate(SimulationOptions o, int neurons, int validators) =>
        o.Subnets is < 1 or > 64 ? "--subnets: must be 1..64"
        : neurons is < 2 or > 4096 ? "--neurons: must be 2..4096"
        : validators < 1 || validators > neurons ? "--validators: must be 1..neurons"
        : o.Blocks < 1 ? "--blocks: must be at least 1"
        : null;

    private static async Task<SimulationSummary> RunWithProgressAsync(IServiceProvider services, SimulationOptions options, TextWriter output, CancellationToken ct)
    {
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
        {
            var step = Math.Max(1, options.Blocks / 10);
            return await Simulation.RunAsync(services, options, new Sink(p =>
            {
                if (p.Block % step == 0)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"... block {p.Block}/{p.Blocks}, {p.Facts} facts, {p.Epochs} epochs"));
                }
            }), ct).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("simulating", maxValue: options.Blocks);
                return await Simulation.RunAsync(services, options, new Sink(p =>
                {
                    task.Value = p.Block;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"block {p.Block:N0}: {p.Facts:N0} facts, {p.Epochs:N0} epochs");
                }), ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    private static void Print(SimulationSummary s, SimulationOptions o, TextWriter output)
    {
        var console = ConsoleOutput.For(output);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"simulated {o.Blocks} blocks, {o.Subnets} subnets x {o.Neurons} neurons ({o.Validators} validators), seed {o.Seed}, {o.Schedule} schedule: {s.Facts} facts, {s.Epochs} epochs run"));

        var roles = new Table().Title("emission by role (alpha, rao)").AddColumn("role").AddColumn(new TableColumn("rao").RightAligned());
        foreach (var (reason, label) in new[]
        {
            (PostingReason.Incentive, "miners (incentive)"),
            (PostingReason.OwnerIncentiveBurned, "owner incentive, burned"),
            (PostingReason.ValidatorTake, "validators (take)"),
            (PostingReason.NominatorDividend, "nominators (dividends)"),
            (PostingReason.OwnerCutStaked, "subnet owners (cut)"),
            (PostingReason.Rounding, "rounding dust"),
        })
        {
            roles.AddRow(label, s.ByReason.GetValueOrDefault(reason).ToString(CultureInfo.InvariantCulture));
        }

        console.Write(roles);
        var top = new Table().Title("top earners").AddColumn("hotkey").AddColumn(new TableColumn("received (rao)").RightAligned());
        foreach (var (hotkey, received) in s.TopEarners)
        {
            top.AddRow(hotkey.Address, received.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(top);
        var checks = new Table().Title("conservation").AddColumn("identity").AddColumn(new TableColumn("checks").RightAligned()).AddColumn("result");
        foreach (var c in s.Conservation)
        {
            checks.AddRow(Markup.Escape(c.Identity), c.Checks.ToString(CultureInfo.InvariantCulture),
                c.Holds ? "[green]holds[/]" : Markup.Escape($"BROKEN at block {c.FirstBroken}: {c.Detail}"));
        }

        console.Write(checks);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TAO issuance {s.TaoIssuance} rao; `ledger verify` rechecks every epoch from the stored events."));
    }

    private sealed class Sink(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}
