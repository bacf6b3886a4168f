using Bittensor.Ledger.Domain;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.LocalPostgres;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Rpc;
using Bittensor.Ledger.Cli.Audit;
using Bittensor.Ledger.Cli.Yuma;
using Npgsql;

namespace Bittensor.Ledger.Cli;

/// <summary>
/// The `ledger` executable's error boundary: what escapes a command becomes one line naming what failed and what to do,
/// with the exit code of <see cref="ExitCodes"/>; no stack trace ever reaches the user. Option errors are rewritten in
/// words ("--netuid: 'abc' is not a whole number") and exit <see cref="ExitCodes.BadInput"/>.
/// </summary>
public static partial class CliErrors
{
    /// <summary>The connection string the command resolved last; named in connection errors (host, port, database).</summary>
    public static string? LastConnectionString { get; set; }

    /// <summary>One line per parse error, in words.</summary>
    public static IEnumerable<string> DescribeParseErrors(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        foreach (var error in parse.Errors)
        {
            yield return DescribeParseError(error);
        }
    }

    private static string DescribeParseError(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option,
            ArgumentResult { Parent: OptionResult o } => o.Option,
            _ => null,
        };
        var cannotParse = CannotParse().Match(error.Message);
        if (option is not null && cannotParse.Success)
        {
            return $"{option.Name}: '{cannotParse.Groups["value"].Value}' is not {Kind(option.ValueType)}";
        }

        return option is null ? error.Message : $"{option.Name}: {error.Message}";
    }

    /// <summary>What an option's value must be, in words.</summary>
    public static string Kind(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()));
        }

        return t switch
        {
            _ when t == typeof(int) || t == typeof(long) || t == typeof(short) => "a whole number",
            _ when t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte) =>
                $"a whole number from 0 to {t.GetField("MaxValue")!.GetValue(null)}",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(double) || t == typeof(decimal) || t == typeof(float) => "a number",
            _ => "a valid " + t.Name.ToLowerInvariant(),
        };
    }

    /// <summary>The line to print for an exception that escaped a command, and the exit code.</summary>
    public static (string Message, int ExitCode) Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var known = DescribeOne(e);
            if (known is not null)
            {
                return known.Value;
            }
        }

        var root = exception.GetBaseException();
        return ($"unexpected error ({root.GetType().Name}): {root.Message}", ExitCodes.Failure);
    }

    private static (string, int)? DescribeOne(Exception e) => e switch
    {
        OperationCanceledException => ("interrupted; work committed before the interruption is kept", ExitCodes.Interrupted),
        FieldErrorException or NotFoundException =>
            (e.Message, ExitCodes.BadInput),
        PostgresUnavailableException => (e.Message, ExitCodes.Failure),
        Application.ChainSync.ChainSyncRefusedException refused =>
            ($"chain sync: {e.Message}", refused.Field is "--from-block" or "--to-block" or "--netuid" && !refused.Reason.Contains("already being synced", StringComparison.Ordinal) ? ExitCodes.BadInput : ExitCodes.Failure),
        ChainRpcException or ChainDecodeException or ChainMetadataException or UnknownStorageException or ChainLayoutException => ($"chain: {e.Message}", ExitCodes.Failure),
        PostgresException pg => (DescribePostgres(pg), ExitCodes.Failure),
        NpgsqlException { InnerException: SocketException socket } =>
            ($"database: cannot connect to {Where()} ({socket.Message}); check that PostgreSQL runs there and accepts " +
             "TCP connections, or leave out --connection to use the private cluster", ExitCodes.Failure),
        NpgsqlException { InnerException: TimeoutException } or TimeoutException when IsDatabase(e) =>
            ($"database: {Where()} did not answer in time ({e.Message}); check the server's load and network", ExitCodes.Failure),
        DirectoryNotFoundException or FileNotFoundException =>
            ($"{e.Message.TrimEnd('.')}; check the path", ExitCodes.BadInput),
        UnauthorizedAccessException => ($"{e.Message.TrimEnd('.')}; check the file's permissions", ExitCodes.Failure),
        IOException io when io.GetType() == typeof(IOException) => ($"file: {io.Message}", ExitCodes.Failure),
        _ => null,
    };

    private static bool IsDatabase(Exception e) => e.StackTrace?.Contains("Npgsql", StringComparison.Ordinal) == true;

    private static string DescribePostgres(PostgresException pg) => pg.SqlState switch
    {
        "28P01" or "28000" => $"database: {Where()} refused the login ({pg.MessageText}); check the user and password in --connection",
        "3D000" => $"database: {pg.MessageText} on {Where()}; create it (createdb) or name another in --connection",
        "42501" => $"database: permission denied on {Where()} ({pg.MessageText}); the ledger's role needs to create and write " +
                   "its schema (see docs/postgres.md)",
        "25006" => $"database: {Where()} is read-only ({pg.MessageText}); the ledger needs a writable primary",
        "57P03" or "53300" => $"database: {Where()} cannot take a connection now ({pg.MessageText}); try again later",
        "42P01" or "3F000" => $"database: the ledger's tables are gone ({pg.MessageText}); another command may have reset " +
                              "the ledger meanwhile: run the command again",
        _ => $"database: {Where()} answered {pg.SqlState}: {pg.MessageText}",
    };

    private static string Where()
    {
        if (LastConnectionString is null)
        {
            return "the database";
        }

        try
        {
            var b = new NpgsqlConnectionStringBuilder(LastConnectionString);
            return $"{b.Host}:{b.Port} (database {b.Database ?? b.Username}, user {b.Username})";
        }
        catch (ArgumentException)
        {
            return "the database";
        }
    }

    [GeneratedRegex("^Cannot parse argument '(?<value>.*)' for option")]
    private static partial Regex CannotParse();
}
