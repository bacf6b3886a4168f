using System.Globalization;
using Npgsql;

namespace Bittensor.Ledger.Bench;

/// <summary>What the database benchmarks share: `--name value` options, a fresh database per run, progress lines.
/// Compiled into each benchmark (linked from bench/Shared), not a project of its own.</summary>
internal static class BenchSupport
{
    public static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static int IntArg(string[] args, string name, int fallback) =>
        StringArg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Drops and creates <paramref name="name"/> on the server and returns a connection string to it.</summary>
    public static async Task<string> FreshDatabaseAsync(string admin, string name)
    {
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }
}

internal sealed class ConsoleLog : IProgress<string>
{
    public void Report(string value) => Console.WriteLine(value);
}
