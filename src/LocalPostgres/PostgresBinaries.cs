using System.Globalization;

namespace Bittensor.Ledger.LocalPostgres;

/// <summary>A directory holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c> of one PostgreSQL version.</summary>
public sealed record PostgresBinaries(string BinDirectory)
{
    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    /// <summary>The message given when no binaries are found (and no connection string or Docker either).</summary>
    public const string InstallHint =
        "No PostgreSQL found: set LEDGER_CONNECTION (or --connection) to a PostgreSQL 13+ connection string, " +
        "start a Docker engine, or install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; " +
        "Fedora: dnf install postgresql-server; macOS: brew install postgresql@15).";

    /// <summary>
    /// Searches, in order: <paramref name="explicitBinDirectory"/>, <c>pg_ctl</c> and <c>initdb</c> on PATH,
    /// <c>pg_config --bindir</c>, then the highest version under <c>/usr/lib/postgresql/*/bin</c> (Debian) and
    /// <c>/usr/pgsql-*/bin</c> (RHEL).
    /// </summary>
    public static async Task<PostgresBinaries?> FindAsync(string? explicitBinDirectory, CancellationToken ct)
    {
        if (explicitBinDirectory is not null)
        {
            return IsComplete(explicitBinDirectory) ? new PostgresBinaries(Path.GetFullPath(explicitBinDirectory)) : null;
        }

        foreach (var tool in new[] { "pg_ctl", "initdb" })
        {
            var found = OsCommand.FindOnPath(tool);
            if (found is not null && IsComplete(Path.GetDirectoryName(found)!))
            {
                return new PostgresBinaries(Path.GetDirectoryName(found)!);
            }
        }

        var pgConfig = OsCommand.FindOnPath("pg_config");
        if (pgConfig is not null)
        {
            try
            {
                var result = await OsCommand.RunAsync(pgConfig, ["--bindir"], ct).ConfigureAwait(false);
                if (result.Succeeded && IsComplete(result.Output))
                {
                    return new PostgresBinaries(result.Output);
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // pg_config exists but cannot run: keep looking.
            }
        }

        var versioned = VersionedDirectories("/usr/lib/postgresql", "", "bin")
            .Concat(VersionedDirectories("/usr", "pgsql-", "bin"))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Path)
            .FirstOrDefault(IsComplete);
        return versioned is null ? null : new PostgresBinaries(versioned);
    }

    private static bool IsComplete(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) &&
        File.Exists(Path.Combine(directory, "pg_ctl")) &&
        File.Exists(Path.Combine(directory, "postgres"));

    private static IEnumerable<(decimal Version, string Path)> VersionedDirectories(string parent, string prefix, string leaf)
    {
        if (!Directory.Exists(parent))
        {
            yield break;
        }

        foreach (var directory in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var name = Path.GetFileName(directory)[prefix.Length..];
            if (decimal.TryParse(name, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var version))
            {
                yield return (version, Path.Combine(directory, leaf));
            }
        }
    }
}
