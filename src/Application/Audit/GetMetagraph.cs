using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.Metagraph;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.WeightsHistory;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>A subnet's metagraph as the SDK shows it, now or as of the end of a block: per uid the hotkey holding it,
/// its coldkey, the stake on that hotkey, the terms of the last epoch at or before the block (stake weight, consensus,
/// incentive, dividends, validator trust, emission, active, permit) and the block of its last weight submission.</summary>
public sealed record GetMetagraph(NetUid NetUid, ulong? AtBlock = null) : IQuery<MetagraphReport>;

public sealed record MetagraphNeuron(
    ushort Uid, string Hotkey, string Coldkey, ulong RegisteredAt, ulong Stake,
    ulong? Epoch, ushort StakeWeight, ushort Consensus, ushort Incentive, ushort Dividends, ushort ValidatorTrust,
    ulong Emission, bool Active, bool ValidatorPermit, ulong? LastUpdate);

/// <param name="Source"><c>computed</c>: the ledger computed these terms (simulate, import); <c>observed</c>: the chain
/// stored them and `ledger chain sync` recorded them (ChainSync/ObservedMetagraph).</param>
public sealed record MetagraphReport(ushort NetUid, ulong? AtBlock, ulong? Epoch, ulong? EpochBlock, IReadOnlyList<MetagraphNeuron> Neurons, string Source = "computed");

public sealed class GetMetagraphHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits) : IQueryHandler<GetMetagraph, MetagraphReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<MetagraphReport> Handle(GetMetagraph query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var sql =
            $"with n as (select distinct on (uid) uid, hotkey, coldkey, block from {NeuronHistoryProjection.Table} " +
            "where netuid = @netuid and block <= @at order by uid, seq_id desc), " +
            $"s as (select hotkey, sum(balance) as stake from (select distinct on (hotkey, coldkey) hotkey, balance from {StakeLedgerProjection.HistoryTable} " +
            "where netuid = @netuid and hotkey in (select hotkey from n) and block <= @at order by hotkey, coldkey, seq_id desc, ordinal desc) x group by hotkey), " +
            $"ep as (select max(epoch) as epoch from {EmissionHistoryProjection.HistoryTable} where netuid = @netuid and block <= @at), " +
            $"e as (select h.* from {EmissionHistoryProjection.HistoryTable} h join ep on h.epoch = ep.epoch where h.netuid = @netuid), " +
            $"w as (select distinct on (uid, hotkey) uid, hotkey, block from {WeightsHistoryProjection.Table} " +
            "where netuid = @netuid and block <= @at order by uid, hotkey, seq_id desc) " +
            "select n.uid, n.hotkey, n.coldkey, n.block, coalesce(s.stake, 0), e.epoch, e.stake_weight, e.consensus, e.incentive, e.dividends, " +
            "e.validator_trust, e.emission, e.active, e.validator_permit, w.block, e.block " +
            "from n left join s on s.hotkey = n.hotkey left join e on e.uid = n.uid and e.hotkey = n.hotkey " +
            "left join w on w.uid = n.uid and w.hotkey = n.hotkey order by n.uid";
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue("netuid", (int)query.NetUid.Value);
        cmd.Parameters.AddWithValue("at", query.AtBlock is { } b ? checked((long)b) : long.MaxValue);
        var neurons = new List<MetagraphNeuron>();
        ulong? epoch = null, epochBlock = null;
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var hasTerms = !r.IsDBNull(5);
                ushort U16(int i) => hasTerms ? checked((ushort)r.GetInt32(i)) : (ushort)0;
                if (hasTerms)
                {
                    epoch = checked((ulong)r.GetInt64(5));
                    epochBlock = checked((ulong)r.GetInt64(15));
                }

                neurons.Add(new MetagraphNeuron(
                    checked((ushort)r.GetInt32(0)), r.GetString(1), r.GetString(2), checked((ulong)r.GetInt64(3)),
                    AuditReadModels.Rao(r.GetFieldValue<BigInteger>(4)),
                    hasTerms ? checked((ulong)r.GetInt64(5)) : null, U16(6), U16(7), U16(8), U16(9), U16(10),
                    hasTerms ? AuditReadModels.Rao(r.GetFieldValue<BigInteger>(11)) : 0, hasTerms && r.GetBoolean(12), hasTerms && r.GetBoolean(13),
                    r.IsDBNull(14) ? null : checked((ulong)r.GetInt64(14))));
            }
        }

        if (neurons.Count == 0)
        {
            // A subnet the ledger did not compute may be one `ledger chain sync` recorded: its metagraph as the chain stored it.
            if (await ObservedMetagraph.ReadAsync(dataSource, stored, query.NetUid.Value, query.AtBlock, cancellationToken).ConfigureAwait(false) is { } observed)
            {
                return observed;
            }

            await AuditReadModels.EnsureSubnetKnownAsync(dataSource, query.NetUid.Value, cancellationToken).ConfigureAwait(false);
        }

        return new MetagraphReport(query.NetUid.Value, query.AtBlock, epoch, epochBlock, neurons);
    }
}
