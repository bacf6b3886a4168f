using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bittensor.Ledger.Application.Status;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Status;

/// <summary>`ledger status [--connection CS] [--json]`: per subnet neurons, latest block, weight submissions and
/// total stake, from the subnet_status read model, and any run (a simulation) that started writing the ledger and did
/// not complete. --json prints exact integers (stake in rao, never rounded).</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var connection = ConnectionOption.Create();
        var json = new Option<bool>("--json") { Description = "Machine-readable output with exact integers." };
        var rao = Audit.AuditCli.RaoOption();
        var command = new Command("status", "What the ledger holds, per subnet.") { connection, json, rao };
        command.SetAction(async (parse, ct) =>
        {
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            var status = await scope.Mediator.Send(new GetStatus(), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(Json(status).AsMemory(), ct).ConfigureAwait(false);
            }
            else
            {
                Table(status, output, parse.GetValue(rao));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static string Json(LedgerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("events", status.Events);
            w.WriteStartArray("subnets");
            foreach (var s in status.Subnets)
            {
                w.WriteStartObject();
                w.WriteNumber("netuid", s.NetUid.Value);
                w.WriteNumber("neurons", s.Neurons);
                w.WriteNumber("latest_block", s.LatestBlock.Value);
                w.WriteNumber("weight_submissions", s.WeightSubmissions);
                w.WriteNumber("total_stake", s.TotalStake.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteIncomplete(w, status.Incomplete);
            w.WriteStartArray("runs");
            foreach (var run in status.Runs)
            {
                w.WriteStartObject();
                w.WriteString("kind", run.Kind);
                w.WriteString("description", run.Description);
                w.WriteString("started_at", run.StartedAt.UtcDateTime);
                if (run.CompletedAt is { } completed)
                {
                    w.WriteString("completed_at", completed.UtcDateTime);
                }
                else
                {
                    w.WriteNull("completed_at");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Table(LedgerStatus status, TextWriter output, bool exact)
    {
        var console = ConsoleOutput.For(output);
        var table = new Table().AddColumns("netuid", "neurons", "latest block", "weight submissions", $"total stake ({Audit.AuditCli.Unit(exact)})");
        foreach (var column in table.Columns)
        {
            column.RightAligned();
        }

        foreach (var s in status.Subnets)
        {
            table.AddRow(
                s.NetUid.ToString(),
                s.Neurons.ToString(CultureInfo.InvariantCulture),
                s.LatestBlock.ToString(),
                s.WeightSubmissions.ToString(CultureInfo.InvariantCulture),
                Audit.AuditCli.Amount(s.TotalStake.Value, exact));
        }

        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{status.Subnets.Count} subnets, {status.Events} events"));
        foreach (var run in status.Runs)
        {
            console.WriteLine(run.CompletedAt is null ? "INCOMPLETE: " + run.Incomplete : run.Completed);
        }
    }

    /// <summary><c>"complete"</c> and the runs that did not complete (`status --json`, `verify --json`).</summary>
    public static void WriteIncomplete(Utf8JsonWriter w, IReadOnlyList<Application.Store.LedgerRun> incomplete)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(incomplete);
        w.WriteBoolean("complete", incomplete.Count == 0);
        w.WriteStartArray("incomplete");
        foreach (var run in incomplete)
        {
            w.WriteStartObject();
            w.WriteString("kind", run.Kind);
            w.WriteString("description", run.Description);
            w.WriteString("started_at", run.StartedAt.UtcDateTime);
            w.WriteString("reason", run.Incomplete);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
