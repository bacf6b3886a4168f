using System.Diagnostics;
using System.Text.Json;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Bittensor.Ledger.Projections;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>
/// Commands run at once on one database, through the built executable (docs/adr/0001-streams.md, "Who waits for
/// whom"). The concurrency is made deterministic from the test's own session: it holds a lock, or an uncommitted row
/// the command under test must wait for, until that command is seen waiting in <c>pg_locks</c>/<c>pg_stat_activity</c>
/// or has said so on stderr. No assertion is about time; every wait is bounded.
/// </summary>
public sealed class ConcurrencyTests
{
    private static readonly string Sample = Path.Combine(ExecutableTests.RepositoryRoot(), "samples", "sample-chain.ndjson");
    private static readonly int Lines = File.ReadLines(Sample).Count(l => !string.IsNullOrWhiteSpace(l));
    private static readonly int Epochs = File.ReadLines(Sample).Count(l => l.Contains("\"type\":\"epoch_triggered\"", StringComparison.Ordinal));

    /// <summary>Every secondary index of the read models, which a rebuild drops and builds again at its end.</summary>
    private static readonly string[] ReadModelIndexes =
        [.. ProjectionsRegistration.Flat.SelectMany(p => p.Tables).SelectMany(t => t.Indexes).Select(i => i.Name).Distinct()];

    [Fact]
    public async Task StatusAndDigestDuringARebuild_Succeed_AndTheRebuildSucceeds()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await PostgresServer.CreateDatabaseAsync("conc_readers_rebuild");
        (await ExecutableTests.RunAsync("import", Sample, "--connection", db)).ExitCode.ShouldBe(0);
        ReadModelIndexes.ShouldNotBeEmpty();

        // A point inside the rebuild where its indexes are down: it records the skipped (archived) last event, and waits
        // there for the test's uncommitted row with the same key.
        var archived = (long)(await ScalarAsync(db, "update ledger.mt_events set is_archived = true where seq_id = (select max(seq_id) from ledger.mt_events) returning seq_id"))!;
        await using var hold = new NpgsqlConnection(db);
        await hold.OpenAsync(ct);
        await using var tx = await hold.BeginTransactionAsync(ct);
        await using (var row = new NpgsqlCommand($"insert into {ProjectorTables.Skipped} (seq_id, type, reason) values ({archived}, 'held', 'by the test')", hold, tx))
        {
            await row.ExecuteNonQueryAsync(ct);
        }

        await using var rebuild = LedgerProcess.Start("rebuild", "--all", "--connection", db);
        await WaitUntilAsync(db, $"select count(*) > 0 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into {ProjectorTables.Skipped}%'", "the rebuild waiting on the held row");
        (await IndexCountAsync(db)).ShouldBe(0, "the rebuild has its indexes down at this point");

        // status neither waits for the rebuild nor creates the indexes under it.
        var status = await ExecutableTests.RunAsync("status", "--json", "--connection", db);
        status.ExitCode.ShouldBe(0, status.Error);
        status.Output.ShouldContain($"\"events\": {Lines + (2 * Epochs)}");
        (await IndexCountAsync(db)).ShouldBe(0, "status must leave the rebuild's indexes to it");

        // digest waits for the rebuild, saying so, instead of timing out.
        await using var digest = LedgerProcess.Start("digest", "--json", "--connection", db);
        var waiting = await digest.WaitForErrorLineAsync("another command is projecting this ledger's read models");
        waiting.ShouldContain($"PostgreSQL pid {await ScalarAsync(db, ProjectorHolder)}", Case.Sensitive, "the line names the rebuild's session");
        (await IndexCountAsync(db)).ShouldBe(0);

        await tx.RollbackAsync(ct);
        var rebuilt = await rebuild.ExitAsync();
        var digested = await digest.ExitAsync();

        rebuilt.ExitCode.ShouldBe(0, rebuilt.Error);
        rebuilt.Output.ShouldContain("rebuilt through seq");
        rebuilt.Output.ShouldContain("skipped events: 1");
        rebuilt.Error.ShouldNotContain("42P07");
        digested.ExitCode.ShouldBe(0, digested.Error);
        (await IndexCountAsync(db)).ShouldBe(ReadModelIndexes.Length);
        // What the digest read during the rebuild is what the rebuilt ledger holds.
        var after = await ExecutableTests.RunAsync("digest", "--json", "--connection", db);
        after.ExitCode.ShouldBe(0, after.Error);
        Digests(digested.Output).ShouldBe(Digests(after.Output));
    }

    [Fact]
    public async Task RebuildWhileAnImportRuns_GivesTheDigestOfARebuildAfterIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var reference = await PostgresServer.CreateDatabaseAsync("conc_rebuild_import_ref");
        (await ExecutableTests.RunAsync("import", Sample, "--connection", reference)).ExitCode.ShouldBe(0);
        var referenceDigest = await ExecutableTests.RunAsync("digest", "--json", "--connection", reference);
        referenceDigest.ExitCode.ShouldBe(0, referenceDigest.Error);
        // A line in the middle of the file: the import stops at its batch while the test holds its natural key.
        var middle = (string)(await ScalarAsync(reference, $"select natural_key from {NaturalKeys.QualifiedName} order by seq_id offset {Lines / 2} limit 1"))!;

        var db = await PostgresServer.CreateDatabaseAsync("conc_rebuild_import");
        (await ExecutableTests.RunAsync("digest", "--connection", db)).ExitCode.ShouldBe(0); // the schema, empty
        await using var hold = new NpgsqlConnection(db);
        await hold.OpenAsync(ct);
        await using var tx = await hold.BeginTransactionAsync(ct);
        await using (var row = new NpgsqlCommand($"insert into {NaturalKeys.QualifiedName} (natural_key, seq_id) values (@key, 0)", hold, tx))
        {
            row.Parameters.AddWithValue("key", middle);
            await row.ExecuteNonQueryAsync(ct);
        }

        await using var import = LedgerProcess.Start("import", Sample, "--batch-size", "250", "--connection", db);
        await WaitUntilAsync(db, $"select count(*) > 0 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'copy {NaturalKeys.QualifiedName}%'", "the import waiting on the held key");
        var committed = (long)(await ScalarAsync(db, "select coalesce(max(seq_id), 0) from ledger.mt_events"))!;
        committed.ShouldBeGreaterThan(0, "earlier batches are committed");
        committed.ShouldBeLessThan(Lines, "the import is half-way");

        var rebuild = await ExecutableTests.RunAsync("rebuild", "--all", "--connection", db);
        rebuild.ExitCode.ShouldBe(0, rebuild.Error);
        rebuild.Output.ShouldContain($"rebuilt through seq {committed}:", Case.Sensitive, "the rebuild projects what was committed when it began");

        await tx.RollbackAsync(ct);
        var imported = await import.ExitAsync();
        imported.ExitCode.ShouldBe(0, imported.Error);
        imported.Output.ShouldContain($"appended {Lines}, already present 0, rejected 0");

        var during = await ExecutableTests.RunAsync("digest", "--json", "--connection", db);
        var again = await ExecutableTests.RunAsync("rebuild", "--all", "--connection", db);
        var after = await ExecutableTests.RunAsync("digest", "--json", "--connection", db);
        during.ExitCode.ShouldBe(0, during.Error);
        again.ExitCode.ShouldBe(0, again.Error);
        after.ExitCode.ShouldBe(0, after.Error);
        Digests(during.Output).ShouldBe(Digests(after.Output));
        Digests(during.Output).ShouldBe(Digests(referenceDigest.Output));
    }

    [Fact]
    public async Task ImportAndSimulationAtOnce_AreSerialized_AndTheSimulationRefusesTheImportedLedger()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await PostgresServer.CreateDatabaseAsync("conc_import_simulate");
        await using var writer = await HoldAsync(db, WriterLock.Key);

        await using var import = LedgerProcess.Start("import", Sample, "--connection", db);
        (await import.WaitForErrorLineAsync("another command is writing this ledger")).ShouldContain($"PostgreSQL pid {writer.ProcessID}");
        await WaitForWaitersAsync(db, WriterLock.Key, 1);
        await using var simulate = LedgerProcess.Start("simulate", "--blocks", "50", "--tempo", "20", "--neurons", "16", "--validators", "4", "--connection", db);
        (await simulate.WaitForErrorLineAsync("another command is writing this ledger")).ShouldContain($"PostgreSQL pid {writer.ProcessID}");
        await WaitForWaitersAsync(db, WriterLock.Key, 2);

        // Released, the lock goes to the first in line, the import; the simulation then finds a ledger that is not empty.
        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({WriterLock.Key})", writer))
        {
            await release.ExecuteNonQueryAsync(ct);
        }

        var imported = await import.ExitAsync();
        var simulated = await simulate.ExitAsync();
        imported.ExitCode.ShouldBe(0, imported.Error);
        imported.Output.ShouldContain($"appended {Lines}, already present 0, rejected 0");
        simulated.ExitCode.ShouldBe(2, simulated.Error);
        simulated.Error.ShouldContain("simulate: the ledger already holds events (through block");
        simulated.Error.ShouldContain("pass --reset");
        simulated.Error.ShouldNotContain("   at ");
        simulated.Error.ShouldNotContain("Exception");

        // The ledger is the import's alone, and sound.
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe((long)(Lines + (2 * Epochs)));
        var verify = await ExecutableTests.RunAsync("verify", "--json", "--connection", db);
        verify.ExitCode.ShouldBe(0, verify.Error);
        verify.Output.ShouldContain("\"holds\": true");
    }

    [Fact]
    public async Task ResetDuringARebuild_WaitsForIt_ThenDrops()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await PostgresServer.CreateDatabaseAsync("conc_reset_rebuild");
        (await ExecutableTests.RunAsync("import", Sample, "--connection", db)).ExitCode.ShouldBe(0);
        // Stand in for a running rebuild: the projector lock, held by the test's session.
        await using var rebuild = await HoldAsync(db, LedgerLocks.Projector);

        await using var reset = LedgerProcess.Start("import", "--reset", Sample, "--connection", db);
        (await reset.WaitForErrorLineAsync("another command is projecting this ledger's read models")).ShouldContain($"PostgreSQL pid {rebuild.ProcessID}");
        await WaitForWaitersAsync(db, LedgerLocks.Projector, 1);
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe((long)(Lines + (2 * Epochs)), "nothing is dropped under the rebuild");

        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({LedgerLocks.Projector})", rebuild))
        {
            await release.ExecuteNonQueryAsync(ct);
        }

        var ended = await reset.ExitAsync();
        ended.ExitCode.ShouldBe(0, ended.Error);
        ended.Output.ShouldContain($"appended {Lines}, already present 0, rejected 0");
    }

    public static TheoryData<string, string[]> Waiters() => new()
    {
        { "writer", ["import", Sample] },
        { "writer", ["simulate", "--blocks", "50", "--tempo", "20", "--neurons", "16", "--validators", "4"] },
        { "projector", ["rebuild", "--all"] },
        { "projector", ["digest"] },
    };

    [Theory]
    [MemberData(nameof(Waiters))]
    public async Task ACommandWaitingForALock_SaysWhoHoldsIt_AndCtrlCEndsTheWaitInOneLine(string lockName, string[] args)
    {
        var db = await PostgresServer.CreateDatabaseAsync("conc_wait_" + args[0]);
        (await ExecutableTests.RunAsync("digest", "--connection", db)).ExitCode.ShouldBe(0); // the schema, empty
        var (key, saying) = lockName == "writer"
            ? (WriterLock.Key, "another command is writing this ledger")
            : (LedgerLocks.Projector, "another command is projecting this ledger's read models");
        await using var holder = await HoldAsync(db, key);

        await using var waiter = LedgerProcess.Start([.. args, "--connection", db]);
        var line = await waiter.WaitForErrorLineAsync(saying);
        await WaitForWaitersAsync(db, key, 1);
        waiter.Interrupt();
        var ended = await waiter.ExitAsync();

        line.ShouldStartWith("ledger: ");
        line.ShouldContain($"PostgreSQL pid {holder.ProcessID}");
        line.ShouldContain("Ctrl-C to stop waiting");
        ended.ExitCode.ShouldBe(130, ended.Error);
        ended.Error.ShouldContain("ledger: interrupted");
        ended.Error.ShouldNotContain("   at ");
        ended.Error.ShouldNotContain("Exception");
        (await ScalarAsync(db, "select count(*) from ledger.mt_events")).ShouldBe(0L, "nothing was written");
    }

    /// <summary>The PostgreSQL pid of the session holding the projector lock.</summary>
    private static readonly string ProjectorHolder =
        $"select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database()) and classid = ({LedgerLocks.Projector} >> 32) and objid = ({LedgerLocks.Projector} & 4294967295)";

    /// <summary>(name, digest, rows) per projection from `digest --json`.</summary>
    private static List<string> Digests(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return [.. doc.RootElement.GetProperty("digests").EnumerateArray()
            .Select(d => $"{d.GetProperty("name").GetString()} {d.GetProperty("digest").GetString()} {d.GetProperty("rows").GetInt64()}")];
    }

    private static async Task<long> IndexCountAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("select count(*) from pg_indexes where schemaname = 'ledger' and indexname = any(@names)", connection);
        cmd.Parameters.AddWithValue("names", ReadModelIndexes);
        return (long)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>A session of the test's own holding the advisory lock <paramref name="key"/>, standing in for a running command.</summary>
    private static async Task<NpgsqlConnection> HoldAsync(string db, long key)
    {
        var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var take = new NpgsqlCommand($"select pg_advisory_lock({key})", connection);
        await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static Task WaitForWaitersAsync(string db, long key, int waiters) => WaitUntilAsync(db,
        $"select count(*) >= {waiters} from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database()) and classid = ({key} >> 32) and objid = ({key} & 4294967295)",
        $"{waiters} sessions waiting for lock {key}");

    /// <summary>Polls <paramref name="condition"/> (a boolean query) until it holds; bounded, so a test that never gets
    /// there fails instead of hanging.</summary>
    private static async Task WaitUntilAsync(string db, string condition, string what)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        for (var i = 0; i < 2_400; i++)
        {
            await using var cmd = new NpgsqlCommand(condition, connection);
            if ((bool)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!)
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new ShouldAssertException($"never saw {what}");
    }

    private static async Task<object?> ScalarAsync(string db, string sql)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>A `ledger` process started and left running, its stderr read line by line as it comes.</summary>
    private sealed class LedgerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly List<string> _error = [];
        private readonly SemaphoreSlim _lines = new(0);
        private readonly Task _errorDone;
        private int _read;

        private LedgerProcess(Process process)
        {
            _process = process;
            _output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            _errorDone = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (_error)
                    {
                        _error.Add(line);
                    }

                    _lines.Release();
                }

                _lines.Release(1_000);
            });
        }

        public static LedgerProcess Start(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ledger.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            return new LedgerProcess(Process.Start(start)!);
        }

        /// <summary>The first stderr line not yet read that contains <paramref name="text"/>; fails when the process
        /// ends without one.</summary>
        public async Task<string> WaitForErrorLineAsync(string text)
        {
            while (true)
            {
                (await _lines.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken)).ShouldBeTrue($"no stderr line with '{text}'");
                string? line;
                lock (_error)
                {
                    line = _read < _error.Count ? _error[_read++] : null;
                }

                if (line is null)
                {
                    throw new ShouldAssertException($"the process ended without saying '{text}': {string.Join('\n', _error)}");
                }

                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }

        /// <summary>Ctrl-C: SIGINT, as a terminal sends it.</summary>
        public void Interrupt()
        {
            using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public async Task<(int ExitCode, string Output, string Error)> ExitAsync()
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            bounded.CancelAfter(TimeSpan.FromMinutes(3));
            await _process.WaitForExitAsync(bounded.Token);
            await _errorDone;
            var output = await _output;
            lock (_error)
            {
                return (_process.ExitCode, output, string.Join('\n', _error));
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }

            _process.Dispose();
            _lines.Dispose();
        }
    }
}
