using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Bittensor.Ledger.LocalPostgres;

/// <summary>How a private cluster is tuned and how long it lives.</summary>
public enum LocalClusterProfile
{
    /// <summary>The CLI's cluster: crash-safe PostgreSQL defaults, kept running between commands.</summary>
    Durable,

    /// <summary>A test cluster: fsync off, stopped and deleted when its owner is done.</summary>
    Throwaway,
}

/// <summary>What <c>ledger db status</c> shows.</summary>
public sealed record LocalClusterStatus(
    string ClusterDirectory,
    string DataDirectory,
    bool Initialized,
    bool Running,
    int? Port,
    string? ConnectionString,
    string LogFile);

/// <summary>
/// A private PostgreSQL cluster under one directory: <c>data/</c> is PGDATA (owned by the postgres user when we run
/// as root, because initdb and postgres refuse root), <c>cluster.json</c> records the port and the generated password
/// so that a later process connects to the running server. The server listens on 127.0.0.1 only and keeps its unix
/// socket inside PGDATA.
/// </summary>
public sealed class LocalCluster
{
    private const string StateFileName = "cluster.json";
    private const string ConfigFileName = "ledger.conf";
    private const string SuperUser = "postgres";
    private const string OsUser = "postgres";

    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    private readonly string? _binDirectory;
    private PostgresBinaries? _binaries;

    public LocalCluster(string clusterDirectory, LocalClusterProfile profile = LocalClusterProfile.Durable, string? binDirectory = null)
    {
        ClusterDirectory = Path.GetFullPath(clusterDirectory);
        Profile = profile;
        _binDirectory = binDirectory;
    }

    public string ClusterDirectory { get; }

    public string DataDirectory => Path.Combine(ClusterDirectory, "data");

    public string LogFile => Path.Combine(DataDirectory, "server.log");

    public LocalClusterProfile Profile { get; }

    public bool IsInitialized => File.Exists(Path.Combine(DataDirectory, "PG_VERSION"));

    private string StateFile => Path.Combine(ClusterDirectory, StateFileName);

    private static bool RunAsOtherUser => Environment.IsPrivilegedProcess;

    public async Task<LocalClusterStatus> GetStatusAsync(string databaseName = "ledger", CancellationToken ct = default)
    {
        var state = ReadState();
        var running = IsInitialized && await IsRunningAsync(state, ct).ConfigureAwait(false);
        var port = running ? ReadRunningPort() ?? state?.Port : state?.Port;
        var connectionString = state is null || port is null ? null : BuildConnectionString(port.Value, state.Password, databaseName);
        return new LocalClusterStatus(ClusterDirectory, DataDirectory, IsInitialized, running, port, connectionString, LogFile);
    }

    /// <summary>
    /// Starts the cluster when it is not running: initdb the first time, then pg_ctl start on the recorded port
    /// (or a free one when that port is taken), and creates <paramref name="databaseName"/> when missing.
    /// </summary>
    public async Task<LocalClusterStatus> StartAsync(string databaseName = "ledger", IProgress<string>? log = null, CancellationToken ct = default)
    {
        await using (await ClusterLock.AcquireAsync(ClusterDirectory, ct).ConfigureAwait(false))
        {
            var binaries = await GetBinariesAsync(ct).ConfigureAwait(false);
            var state = ReadState();
            if (!IsInitialized)
            {
                state = await InitializeAsync(binaries, log, ct).ConfigureAwait(false);
            }
            else if (state is null)
            {
                throw new PostgresUnavailableException(
                    $"{DataDirectory} holds a cluster but {StateFile} is missing; delete {ClusterDirectory} to start afresh.");
            }

            if (!await IsRunningAsync(state, ct).ConfigureAwait(false))
            {
                state = await StartServerAsync(binaries, state, log, ct).ConfigureAwait(false);
            }

            var port = ReadRunningPort() ?? state.Port;
            await EnsureDatabaseAsync(BuildConnectionString(port, state.Password, "postgres"), databaseName, ct).ConfigureAwait(false);
            return new LocalClusterStatus(ClusterDirectory, DataDirectory, true, true, port,
                BuildConnectionString(port, state.Password, databaseName), LogFile);
        }
    }

    /// <summary>Stops the server (fast shutdown: open sessions are rolled back). Returns false when it was not running.</summary>
    public async Task<bool> StopAsync(CancellationToken ct = default)
    {
        await using (await ClusterLock.AcquireAsync(ClusterDirectory, ct).ConfigureAwait(false))
        {
            if (!IsInitialized || !await IsRunningAsync(ReadState(), ct).ConfigureAwait(false))
            {
                return false;
            }

            var binaries = await GetBinariesAsync(ct).ConfigureAwait(false);
            var result = await RunPostgresToolAsync(binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], ct)
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new PostgresUnavailableException($"pg_ctl stop failed for {DataDirectory}:\n{result.Output}");
            }

            // Pooled connections to the stopped server are dead; a restart on the same port and password would hand
            // them out again (57P01). We do not know which databases were pooled, so clear them all.
            NpgsqlConnection.ClearAllPools();
            return true;
        }
    }

    /// <summary>Stops the server at once and deletes the whole cluster directory (test clusters).</summary>
    public async Task DeleteAsync(CancellationToken ct = default)
    {
        var binaries = await GetBinariesAsync(ct).ConfigureAwait(false);
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunPostgresToolAsync(binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30"], ct)
                .ConfigureAwait(false);
        }

        DeleteDirectory(ClusterDirectory);
    }

    /// <summary>
    /// Synchronous stop-and-delete for <see cref="AppDomain.ProcessExit"/> handlers, where nothing can be awaited.
    /// Also used to reap clusters left behind by crashed test runs.
    /// </summary>
    public static void StopAndDeleteNow(string clusterDirectory, string? binDirectory)
    {
        var dataDirectory = Path.Combine(clusterDirectory, "data");
        binDirectory ??= ReadStateFrom(Path.Combine(clusterDirectory, StateFileName))?.BinDirectory;
        if (binDirectory is not null && File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            var pgCtl = Path.Combine(binDirectory, "pg_ctl");
            string[] arguments = ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30"];
            try
            {
                _ = RunAsOtherUser
                    ? OsCommand.Run("runuser", ["-u", OsUser, "--", pgCtl, .. arguments], TimeSpan.FromSeconds(40))
                    : OsCommand.Run(pgCtl, arguments, TimeSpan.FromSeconds(40));
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // The binaries are gone: nothing we can stop; still delete the files below.
            }
        }

        DeleteDirectory(clusterDirectory);
    }

    internal async Task<PostgresBinaries> GetBinariesAsync(CancellationToken ct)
    {
        if (_binaries is not null)
        {
            return _binaries;
        }

        // A cluster must be run by the version that created it; prefer the recorded directory while it still exists
        // (and then search nothing: the search may run pg_config, a process per command).
        var recorded = ReadState()?.BinDirectory;
        var found = _binDirectory is null && recorded is not null && File.Exists(Path.Combine(recorded, "pg_ctl"))
            ? new PostgresBinaries(recorded)
            : await PostgresBinaries.FindAsync(_binDirectory, ct).ConfigureAwait(false);

        _binaries = found ?? throw new PostgresUnavailableException(PostgresBinaries.InstallHint);
        return _binaries;
    }

    private async Task<ClusterState> InitializeAsync(PostgresBinaries binaries, IProgress<string>? log, CancellationToken ct)
    {
        log?.Report($"Creating a PostgreSQL cluster in {DataDirectory} with {binaries.BinDirectory}");
        Directory.CreateDirectory(ClusterDirectory);
        if (Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
        {
            throw new PostgresUnavailableException(
                $"{DataDirectory} is not empty but holds no cluster (an interrupted initdb?); delete it and try again.");
        }

        Directory.CreateDirectory(DataDirectory);
        RestrictToOwner(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await HandToPostgresUserAsync(DataDirectory, ct).ConfigureAwait(false);
        await CheckPostgresUserCanWriteAsync(ct).ConfigureAwait(false);

        var state = new ClusterState(FindFreePort(), NewPassword(), binaries.BinDirectory);
        var passwordFile = Path.Combine(ClusterDirectory, ".initdb-password");
        await File.WriteAllTextAsync(passwordFile, state.Password + "\n", ct).ConfigureAwait(false);
        try
        {
            RestrictToOwner(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await HandToPostgresUserAsync(passwordFile, ct).ConfigureAwait(false);
            List<string> arguments =
            [
                "-D", DataDirectory, "-U", SuperUser, "-E", "UTF8", "--locale=C",
                // The unix socket lives inside PGDATA (0700), so only its owner reaches it: trust there, passwords on TCP.
                "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}",
            ];
            if (Profile == LocalClusterProfile.Throwaway)
            {
                arguments.Add("--no-sync");
            }

            var result = await RunPostgresToolAsync(binaries.InitDb, arguments, ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new PostgresUnavailableException($"initdb failed for {DataDirectory}:\n{result.Output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var postgresqlConf = Path.Combine(DataDirectory, "postgresql.conf");
        await File.AppendAllTextAsync(postgresqlConf, $"\ninclude_if_exists = '{ConfigFileName}'\n", ct).ConfigureAwait(false);
        WriteState(state);
        return state;
    }

    private async Task<ClusterState> StartServerAsync(PostgresBinaries binaries, ClusterState state, IProgress<string>? log, CancellationToken ct)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            if (!IsPortFree(state.Port))
            {
                state = state with { Port = FindFreePort() };
            }

            await WriteConfigAsync(state.Port, ct).ConfigureAwait(false);
            WriteState(state);
            log?.Report($"Starting PostgreSQL on 127.0.0.1:{state.Port.ToString(CultureInfo.InvariantCulture)} (data: {DataDirectory})");
            var result = await RunPostgresToolAsync(binaries.PgCtl,
                ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "60"], ct).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return state;
            }

            // Another process may have taken the port between our probe and the server's bind: try a new one.
            if (attempt == attempts || IsPortFree(state.Port))
            {
                throw new PostgresUnavailableException(
                    $"pg_ctl start failed for {DataDirectory}:\n{result.Output}\n{TailOfLog()}");
            }
        }
    }

    private async Task WriteConfigAsync(int port, CancellationToken ct)
    {
        // A unix socket path must fit in sun_path (107 bytes); with a deep data directory, listen on TCP only.
        var socketDirectory = DataDirectory.Length + 20 < 107 ? DataDirectory : string.Empty;
        var lines = new List<string>
        {
            "# Written by bittensor-ledger on every start and included last by postgresql.conf; override with ALTER SYSTEM.",
            "listen_addresses = '127.0.0.1'",
            $"port = {port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{socketDirectory}'",
            "timezone = 'UTC'",
            // The ledger appends events in bursts (imports, rebuilds): fewer checkpoints, more cache.
            "max_wal_size = '4GB'",
            "checkpoint_timeout = '15min'",
            "wal_compression = on",
        };
        if (Profile == LocalClusterProfile.Durable)
        {
            // The CLI's cluster keeps PostgreSQL's crash-safety defaults (fsync, synchronous_commit, full_page_writes):
            // it holds the user's ledger, and losing it to a power cut is not acceptable.
            lines.Add("shared_buffers = '256MB'");
        }
        else
        {
            // Test clusters ONLY: they are rebuilt from nothing on every run and deleted afterwards, so an OS crash
            // losing them costs nothing. Never apply these to the CLI's cluster.
            lines.Add("shared_buffers = '128MB'");
            lines.Add("fsync = off");
            lines.Add("synchronous_commit = off");
            lines.Add("full_page_writes = off");
            // Every test class gets its own database and connection pool.
            lines.Add("max_connections = 300");
        }

        var path = Path.Combine(DataDirectory, ConfigFileName);
        await File.WriteAllLinesAsync(path, lines, ct).ConfigureAwait(false);
        await HandToPostgresUserAsync(path, ct).ConfigureAwait(false);
    }

    private async Task<bool> IsRunningAsync(ClusterState? state, CancellationToken ct)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return false;
        }

        // What pg_ctl status checks (the postmaster's pid from line 1 of postmaster.pid is alive), without starting a
        // process for it on Linux, where every command asks this first.
        if (OperatingSystem.IsLinux() && ReadPostmasterPid() is { } pid)
        {
            return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        }

        var binaries = state?.BinDirectory is { } recorded && File.Exists(Path.Combine(recorded, "pg_ctl"))
            ? new PostgresBinaries(recorded)
            : await GetBinariesAsync(ct).ConfigureAwait(false);
        var result = await RunPostgresToolAsync(binaries.PgCtl, ["status", "-D", DataDirectory], ct).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>Line 1 of postmaster.pid is the postmaster's process id.</summary>
    private int? ReadPostmasterPid()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
            return lines.Length > 0 && int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Line 4 of postmaster.pid is the port the running server listens on.</summary>
    private int? ReadRunningPort()
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
            return lines.Length > 3 && int.TryParse(lines[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task EnsureDatabaseAsync(string adminConnectionString, string databaseName, CancellationToken ct)
    {
        // Unpooled: opened once per process, and never a stale connection from before a restart.
        var unpooled = new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(unpooled);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = databaseName });
        if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        await using var create = new NpgsqlCommand($"create database {QuoteIdentifier(databaseName)}", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another process created it between our check and our create.
        }
    }

    internal static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string BuildConnectionString(int port, string password, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Password = password,
            Database = database,
        }.ConnectionString;

    private static async Task<OsCommandResult> RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        try
        {
            return RunAsOtherUser
                ? await OsCommand.RunAsync("runuser", ["-u", OsUser, "--", tool, .. arguments], ct).ConfigureAwait(false)
                : await OsCommand.RunAsync(tool, arguments, ct).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            var how = RunAsOtherUser ? $"runuser -u {OsUser} -- {tool}" : tool;
            throw new PostgresUnavailableException(
                $"Could not run {how}: {e.Message}. As root the ledger needs runuser (util-linux) and a '{OsUser}' user; " +
                "otherwise run it as a normal user or set LEDGER_CONNECTION.", e);
        }
    }

    private static async Task HandToPostgresUserAsync(string path, CancellationToken ct)
    {
        if (!RunAsOtherUser)
        {
            return;
        }

        var result = await OsCommand.RunAsync("chown", [$"{OsUser}:", path], ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PostgresUnavailableException(
                $"Running as root, the cluster must belong to the '{OsUser}' user, but chown failed: {result.Output}. " +
                "Create that user (apt-get install postgresql does) or run the ledger as a normal user.");
        }
    }

    private async Task CheckPostgresUserCanWriteAsync(CancellationToken ct)
    {
        if (!RunAsOtherUser)
        {
            return;
        }

        var result = await OsCommand.RunAsync("runuser", ["-u", OsUser, "--", "test", "-w", DataDirectory], ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new PostgresUnavailableException(
                $"The '{OsUser}' user cannot reach {DataDirectory} (a parent directory is not searchable by it, e.g. /root). " +
                "Choose a cluster directory under /var/lib or /var/tmp (set LEDGER_HOME), or chmod o+x its parents.");
        }
    }

    private string TailOfLog()
    {
        try
        {
            return "Last lines of " + LogFile + ":\n" + string.Join('\n', File.ReadLines(LogFile).TakeLast(15));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18));

    private ClusterState? ReadState() => ReadStateFrom(StateFile);

    private static ClusterState? ReadStateFrom(string stateFile)
    {
        try
        {
            return File.Exists(stateFile) ? JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(stateFile), StateJson) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void WriteState(ClusterState state)
    {
        var temporary = StateFile + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, StateJson));
        // It holds the superuser password: readable by the owner only.
        RestrictToOwner(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, StateFile, overwrite: true);
    }

    private static void RestrictToOwner(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover directory is reaped by the next test run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record ClusterState(int Port, string Password, string BinDirectory);

    /// <summary>Serialises start/stop of one cluster across processes (two `ledger` commands started at once).</summary>
    private sealed class ClusterLock : IAsyncDisposable
    {
        private readonly FileStream _stream;

        private ClusterLock(FileStream stream) => _stream = stream;

        public static async Task<ClusterLock> AcquireAsync(string clusterDirectory, CancellationToken ct)
        {
            Directory.CreateDirectory(clusterDirectory);
            var path = Path.Combine(clusterDirectory, ".lock");
            while (true)
            {
                try
                {
                    return new ClusterLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException)
                {
                    await Task.Delay(100, ct).ConfigureAwait(false);
                }
            }
        }

        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }
}
