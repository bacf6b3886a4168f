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

    /// <summary>Linux: writing 5 to clear_refs resets this process's VmHWM, so the next <see cref="PeakRssMb"/> is the
    /// peak of what ran in between, not of everything before it.</summary>
    public static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>This process's peak resident set (VmHWM) in MB, NaN where /proc is not there.</summary>
    public static double PeakRssMb()
    {
        if (!File.Exists("/proc/self/status"))
        {
            return double.NaN;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }
}

internal sealed class ConsoleLog : IProgress<string>
{
    public void Report(string value) => Console.WriteLine(value);
}
