using System.Numerics;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>The sample chain through the real import (binary COPY, epochs computed inside its batches, no Marten append
/// pipeline): the projections see every imported event, agree with the engine's fold and with the stored epochs, and
/// a rebuild reproduces them.</summary>
public sealed class ImportedLedgerTests
{
    [Fact]
    public async Task ImportedSampleChain_IsProjected_AndAgreesWithTheEngineAndTheStoredEpochs()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await PostgresServer.CreateDatabaseAsync("projections_imported_sample");
        await using var services = AuditChain.Services(db);
        var summary = await SendAsync(services, new ImportFile(Path.Combine(RepositoryRoot(), "samples", "sample-chain.ndjson")));
        summary.Error.ShouldBeNull();

        var live = await SendAsync(services, new GetDigests());
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync(ct);
        var engine = await services.GetRequiredService<StoredEvents>().FoldAsync(connection, ct);

        live.CatchUp.Gaps.ShouldBeEmpty();
        live.CatchUp.Skipped.ShouldBeEmpty();
        (await Scalar<long>(connection, "select count(*) from ledger.mt_events where type = 'epoch_completed'")).ShouldBeGreaterThan(0);
        // One emission row per uid of every stored epoch, one posting row per stored posting.
        (await Scalar<long>(connection, "select count(*) from ledger.emission_history"))
            .ShouldBe(await Scalar<long>(connection, "select coalesce(sum(jsonb_array_length(data->'Terms')), 0)::bigint from ledger.mt_events where type = 'epoch_completed'"));
        (await Scalar<long>(connection, "select count(*) from ledger.emission_posting"))
            .ShouldBe(await Scalar<long>(connection, "select coalesce(sum(jsonb_array_length(data->'Postings')), 0)::bigint from ledger.mt_events where type = 'subnet_emission_posted'"));
        (await Scalar<long>(connection, "select count(*) from ledger.weights_history"))
            .ShouldBe(await Scalar<long>(connection, "select count(*) from ledger.mt_events where type = 'weights_set'"));
        await using (var cmd = new NpgsqlCommand("select netuid, hotkey, coldkey, balance from ledger.stake_balance", connection))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            var positions = 0;
            while (await reader.ReadAsync(ct))
            {
                positions++;
                ((ulong)reader.GetFieldValue<BigInteger>(3)).ShouldBe(
                    engine.State.Stake(Coldkey.Parse(reader.GetString(2)), Hotkey.Parse(reader.GetString(1)), new NetUid((ushort)reader.GetInt32(0))).Value);
            }

            positions.ShouldBeGreaterThan(0);
        }

        await SendAsync(services, new RebuildProjections([], All: true));
        (await SendAsync(services, new GetDigests())).Digests.ShouldBe(live.Digests);
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task<T> SendAsync<T>(ServiceProvider services, IMessage message)
    {
        await using var scope = services.CreateAsyncScope();
        return (T)(await scope.ServiceProvider.GetRequiredService<IMediator>().Send((object)message, TestContext.Current.CancellationToken))!;
    }

    private static async Task<ImportSummary> SendAsync(ServiceProvider services, ImportFile command) => await SendAsync<ImportSummary>(services, (IMessage)command);

    private static async Task<DigestReport> SendAsync(ServiceProvider services, GetDigests query) => await SendAsync<DigestReport>(services, (IMessage)query);

    private static async Task<Bittensor.Ledger.Projections.Tailing.CatchUpResult> SendAsync(ServiceProvider services, RebuildProjections command) =>
        await SendAsync<Bittensor.Ledger.Projections.Tailing.CatchUpResult>(services, (IMessage)command);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bittensor.Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Bittensor.Ledger.sln not found above " + AppContext.BaseDirectory);
    }
}
