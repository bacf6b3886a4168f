using System.CommandLine;
using Bittensor.Ledger.LocalPostgres;

namespace Bittensor.Ledger.Cli.Db;

/// <summary>
/// <c>ledger db status|start|stop</c>: manage the CLI's private PostgreSQL cluster. It stays running between commands,
/// so every later <c>ledger</c> invocation connects to it; <c>stop</c> is the only thing that stops it.
/// </summary>
public static class DbCommand
{
    /// <summary>Exit code of <c>status</c> when the cluster is not running (as pg_ctl status).</summary>
    public const int NotRunningExitCode = 3;

    public static Command Create()
    {
        var directory = new Option<string?>("--dir")
        {
            Description = "Cluster directory. Default: $LEDGER_HOME/pg, as root /var/lib/bittensor-ledger/pg, " +
                          "otherwise ~/.local/share/bittensor-ledger/pg.",
            Recursive = true,
        };

        var status = new Command("status", "Show the private cluster's directory, port, state and connection string.");
        status.SetAction((r, ct) => RunAsync(r, directory, StatusAsync, ct));

        var start = new Command("start", "Start the private cluster (created on first use) and print its connection string.");
        start.SetAction((r, ct) => RunAsync(r, directory, StartAsync, ct));

        var stop = new Command("stop", "Stop the private cluster.");
        stop.SetAction((r, ct) => RunAsync(r, directory, StopAsync, ct));

        var db = new Command("db", "Manage the ledger's private PostgreSQL cluster.");
        db.Options.Add(directory);
        db.Subcommands.Add(status);
        db.Subcommands.Add(start);
        db.Subcommands.Add(stop);
        return db;
    }

    private static async Task<int> RunAsync(
        ParseResult parseResult,
        Option<string?> directory,
        Func<LocalCluster, TextWriter, CancellationToken, Task<int>> action,
        CancellationToken ct)
    {
        var clusterDirectory = parseResult.GetValue(directory) is { Length: > 0 } given
            ? Path.GetFullPath(given)
            : PostgresLocatorOptions.DefaultCliClusterDirectory();
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            return await action(new LocalCluster(clusterDirectory), output, ct).ConfigureAwait(false);
        }
        catch (PostgresUnavailableException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> StatusAsync(LocalCluster cluster, TextWriter output, CancellationToken ct)
    {
        var status = await cluster.GetStatusAsync(ct: ct).ConfigureAwait(false);
        var state = status switch
        {
            { Running: true } => "running",
            { Initialized: true } => "stopped",
            _ => "not created (`ledger db start` creates it)",
        };
        await WriteStatusAsync(output, status, state).ConfigureAwait(false);
        return status.Running ? 0 : NotRunningExitCode;
    }

    private static async Task<int> StartAsync(LocalCluster cluster, TextWriter output, CancellationToken ct)
    {
        var status = await cluster.StartAsync(log: new Progress(output), ct: ct).ConfigureAwait(false);
        await WriteStatusAsync(output, status, "running").ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ConnectionOption.EnvironmentVariable)))
        {
            await output.WriteLineAsync(
                $"note: {ConnectionOption.EnvironmentVariable} is set, so other commands use it rather than this cluster.").ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> StopAsync(LocalCluster cluster, TextWriter output, CancellationToken ct)
    {
        var stopped = await cluster.StopAsync(ct).ConfigureAwait(false);
        await output.WriteLineAsync(stopped
            ? $"Stopped the PostgreSQL cluster in {cluster.DataDirectory}."
            : $"The PostgreSQL cluster in {cluster.DataDirectory} was not running.").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task WriteStatusAsync(TextWriter output, LocalClusterStatus status, string state)
    {
        await output.WriteLineAsync($"cluster:    {status.ClusterDirectory}").ConfigureAwait(false);
        await output.WriteLineAsync($"data:       {status.DataDirectory}").ConfigureAwait(false);
        await output.WriteLineAsync($"state:      {state}").ConfigureAwait(false);
        await output.WriteLineAsync($"port:       {status.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}").ConfigureAwait(false);
        await output.WriteLineAsync($"connection: {status.ConnectionString ?? "-"}").ConfigureAwait(false);
        await output.WriteLineAsync($"log:        {status.LogFile}").ConfigureAwait(false);
    }

    private sealed class Progress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
