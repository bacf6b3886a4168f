using Bittensor.Ledger.Domain;
using System.CommandLine;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Cli.Audit;
using Npgsql;

namespace Bittensor.Ledger.Cli.Db;

/// <summary>
/// The <c>--connection</c> option every command that touches the database adds, and how it is resolved:
/// <c>--connection</c>, else <c>LEDGER_CONNECTION</c>, else <see cref="PostgresLocator"/> (the CLI's private cluster
/// when it exists, Docker, a new private cluster).
/// </summary>
public static class ConnectionOption
{
    public const string Name = "--connection";
    public const string EnvironmentVariable = "LEDGER_CONNECTION";

    public static Option<string?> Create() => new(Name)
    {
        Description = $"PostgreSQL connection string. Default: ${EnvironmentVariable}, else a Docker container, " +
                      "else the ledger's private cluster (see `ledger db status`).",
    };

    /// <summary>Resolves the database for a command that added <see cref="Create"/>; progress goes to stderr.</summary>
    public static Task<LedgerDatabase> ResolveAsync(ParseResult parseResult, CancellationToken ct) =>
        ResolveAsync(parseResult, PostgresLocatorOptions.ForCli(), ct);

    public static async Task<LedgerDatabase> ResolveAsync(ParseResult parseResult, PostgresLocatorOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var source = Name;
        var explicitConnection = parseResult.GetValue<string?>(Name);
        if (string.IsNullOrWhiteSpace(explicitConnection))
        {
            source = "$" + EnvironmentVariable;
            explicitConnection = Environment.GetEnvironmentVariable(EnvironmentVariable);
        }

        if (!string.IsNullOrWhiteSpace(explicitConnection))
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(explicitConnection);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw new FieldErrorException(source, "not a valid PostgreSQL connection string: " + e.Message);
            }
        }

        var error = parseResult.InvocationConfiguration.Error;
        var database = await PostgresLocator.ResolveAsync(explicitConnection, options, new Progress(error), ct).ConfigureAwait(false);
        CliErrors.LastConnectionString = database.ConnectionString;
        return database;
    }

    /// <summary>Writes progress synchronously (System.Progress posts to the thread pool and would reorder lines).</summary>
    private sealed class Progress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
