using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.SubnetStatus;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Status;

/// <summary>Per subnet: neurons, latest block, weight submissions and total stake, from the subnet_status read
/// model (src/Projections/SubnetStatus). A read: it touches no message bus, takes no writer lock and applies no schema
/// (issue 11: the migration check cost most of `ledger status`'s start). It reads three tables the writers keep
/// current (the import maintains subnet_status in its own transactions), and a database where a table does not exist
/// yet simply holds nothing of it.</summary>
public sealed record GetStatus : IQuery<LedgerStatus>;

/// <summary><see cref="Runs"/>: the runs (simulations) that wrote this ledger, with when each completed;
/// <see cref="Incomplete"/> the ones that started and did not complete.</summary>
public sealed record LedgerStatus(long Events, IReadOnlyList<SubnetStatus> Subnets)
{
    public IReadOnlyList<LedgerRun> Runs { get; init; } = [];

    public IReadOnlyList<LedgerRun> Incomplete => [.. Runs.Where(r => r.CompletedAt is null)];
}

public sealed class GetStatusHandler(NpgsqlDataSource dataSource) : IQueryHandler<GetStatus, LedgerStatus>
{
    public async ValueTask<LedgerStatus> Handle(GetStatus query, CancellationToken cancellationToken)
    {
        bool hasStatus, hasEvents, hasRuns;
        await using (var exists = dataSource.CreateCommand(
            $"select to_regclass('{SubnetStatusTransformation.Table}') is not null, to_regclass('{LedgerStore.Schema}.mt_events') is not null, " +
            $"to_regclass('{LedgerRuns.QualifiedName}') is not null"))
        {
            await using var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (hasStatus, hasEvents, hasRuns) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2));
        }

        var subnets = new List<SubnetStatus>();
        if (hasStatus)
        {
            await using var cmd = dataSource.CreateCommand(
                $"select netuid, neurons, latest_block, weight_submissions, total_stake from {SubnetStatusTransformation.Table} order by netuid");
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                subnets.Add(new SubnetStatus(
                    new NetUid(checked((ushort)reader.GetInt32(0))),
                    reader.GetInt64(1),
                    new Block(checked((ulong)reader.GetInt64(2))),
                    reader.GetInt64(3),
                    new Rao((ulong)reader.GetFieldValue<BigInteger>(4))));
            }
        }

        // The highest sequence, not count(*): a full scan of mt_events would grow with the ledger.
        long events = 0;
        if (hasEvents)
        {
            await using var count = dataSource.CreateCommand($"select coalesce(max(seq_id), 0) from {LedgerStore.Schema}.mt_events");
            events = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        return new LedgerStatus(events, subnets) { Runs = hasRuns ? await LedgerRuns.AllAsync(dataSource, cancellationToken).ConfigureAwait(false) : [] };
    }
}
