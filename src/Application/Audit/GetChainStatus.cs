using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Projections.ChainHistory;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>Per synced subnet: where <c>ledger chain sync</c> has got to (its checkpoint) and the latest audit verdict
/// of each stored epoch, counted by verdict. A read: the chain_verdicts read model is caught up first, like every
/// audit query; the checkpoint table is written in the sync's own transaction and needs no catch-up.</summary>
public sealed record GetChainStatus : IQuery<ChainStatusReport>;

/// <param name="NextBlock">The next block the sync will read; null when the subnet has verdicts but no checkpoint.</param>
/// <param name="LastHash">The hash of the last block the sync committed.</param>
/// <param name="SpecVersion">The runtime spec version of that block.</param>
/// <param name="Audited">Epochs with a stored verdict (the latest per epoch counts).</param>
/// <param name="LastAuditedBlock">The highest block with a verdict.</param>
public sealed record ChainSubnetStatus(ushort Netuid, long? NextBlock, string? LastHash, long? SpecVersion,
    long Audited, long Matched, long Differed, long Incomplete, long? LastAuditedBlock);

public sealed record ChainStatusReport(IReadOnlyList<ChainSubnetStatus> Subnets);

public sealed class GetChainStatusHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits)
    : IQueryHandler<GetChainStatus, ChainStatusReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<ChainStatusReport> Handle(GetChainStatus query, CancellationToken cancellationToken)
    {
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var sql =
            $"with v as (select distinct on (netuid, block) netuid, block, verdict from {ChainHistoryProjection.VerdictsTable} order by netuid, block, seq_id desc), " +
            "a as (select netuid, count(*) as audited, " +
            $"count(*) filter (where verdict = '{Verdicts.Match}') as matched, " +
            $"count(*) filter (where verdict = '{Verdicts.Differs}') as differed, " +
            $"count(*) filter (where verdict = '{Verdicts.Incomplete}') as incomplete, max(block) as last_block from v group by netuid) " +
            $"select coalesce(c.netuid, a.netuid), c.next_block, c.last_hash, c.spec_version, coalesce(a.audited, 0), coalesce(a.matched, 0), " +
            "coalesce(a.differed, 0), coalesce(a.incomplete, 0), a.last_block " +
            $"from {ChainCheckpoints.QualifiedName} c full outer join a on a.netuid = c.netuid order by 1";
        var subnets = new List<ChainSubnetStatus>();
        await using var cmd = dataSource.CreateCommand(sql);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            subnets.Add(new ChainSubnetStatus(checked((ushort)r.GetInt32(0)),
                r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt64(3),
                r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.IsDBNull(8) ? null : r.GetInt64(8)));
        }

        return new ChainStatusReport(subnets);
    }
}
