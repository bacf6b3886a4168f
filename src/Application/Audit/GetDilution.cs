using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.Supply;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>One coldkey over blocks (FromBlock, ToBlock], per subnet: its stake and share of the subnet's staked alpha
/// at both ends (the end of FromBlock and of ToBlock), the emission credited to it as stake (incentive, take,
/// nominator dividends, owner cut), its annualized yield on the starting stake, the annualized growth of the subnet's
/// staked alpha, and the real yield: yield − supply growth (what the emission earned beyond keeping the share).
/// Supply here is the alpha held as stake (Σ stake accounts), not coinbase issuance: stake bought from the pool is
/// outstanding alpha too, and the pool is a contra account in the books (ADR 0005).</summary>
public sealed record GetDilution(Coldkey Coldkey, ulong FromBlock, ulong ToBlock) : IQuery<DilutionReport>
{
    public sealed class Validator : AbstractValidator<GetDilution>
    {
        public Validator() =>
            RuleFor(x => x.ToBlock).GreaterThan(x => x.FromBlock).OverridePropertyName("to_block").WithMessage("must be after --from-block");
    }
}

public sealed record CoinDilution(
    ushort NetUid, ulong StakeStart, ulong StakeEnd, BigInteger SupplyStart, BigInteger SupplyEnd, double? ShareStartPercent,
    double? ShareEndPercent, ulong EmissionReceived, double? YieldPercent, double? SupplyGrowthPercent, double? RealYieldPercent);

public sealed record DilutionReport(string Coldkey, ulong FromBlock, ulong ToBlock, IReadOnlyList<CoinDilution> Subnets);

public sealed class GetDilutionHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits) : IQueryHandler<GetDilution, DilutionReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<DilutionReport> Handle(GetDilution query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var from = checked((long)query.FromBlock);
        var to = checked((long)query.ToBlock);
        var stakes = new Dictionary<ushort, (BigInteger Start, BigInteger End, BigInteger Received)>();
        await using (var cmd = dataSource.CreateCommand(
            "with l as (select distinct on (netuid, hotkey, coldkey, at) netuid, at, balance from " +
            $"(select h.*, a.at from {StakeLedgerProjection.HistoryTable} h cross join unnest(array[@from, @to]::bigint[]) a(at) " +
            "where h.coldkey = @c and h.block <= a.at) x order by netuid, hotkey, coldkey, at, seq_id desc, ordinal desc) " +
            "select netuid, coalesce(sum(balance) filter (where at = @from), 0), coalesce(sum(balance) filter (where at = @to), 0) from l group by netuid"))
        {
            cmd.Parameters.AddWithValue("c", query.Coldkey.Address);
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                stakes[checked((ushort)r.GetInt32(0))] = (r.GetFieldValue<BigInteger>(1), r.GetFieldValue<BigInteger>(2), 0);
            }
        }

        await using (var cmd = dataSource.CreateCommand(
            $"select netuid, sum(amount) from {EmissionHistoryProjection.PostingTable} where coldkey = @c and block > @from and block <= @to " +
            "and reason in ('Incentive', 'ValidatorTake', 'NominatorDividend', 'OwnerCutStaked', 'RootDividend') group by netuid"))
        {
            cmd.Parameters.AddWithValue("c", query.Coldkey.Address);
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var n = checked((ushort)r.GetInt32(0));
                var s = stakes.GetValueOrDefault(n);
                stakes[n] = (s.Start, s.End, r.GetFieldValue<BigInteger>(1));
            }
        }

        var supply = new Dictionary<ushort, (BigInteger Start, BigInteger End)>();
        await using (var cmd = dataSource.CreateCommand(
            "select asset, coalesce(sum(delta) filter (where block <= @from), 0), coalesce(sum(delta), 0) " +
            $"from {SupplyProjection.Table} where kind = 'stake' and asset = any(@assets) and block <= @to group by asset"))
        {
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            cmd.Parameters.AddWithValue("assets", stakes.Keys.Select(k => (int)k).ToArray());
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                supply[checked((ushort)r.GetInt32(0))] = (r.GetFieldValue<BigInteger>(1), r.GetFieldValue<BigInteger>(2));
            }
        }

        var years = (to - from) / BlockTime.BlocksPerYear;
        var rows = new List<CoinDilution>();
        foreach (var (netuid, (start, end, received)) in stakes.OrderBy(kv => kv.Key))
        {
            var (i0, i1) = supply.GetValueOrDefault(netuid);
            double? Pct(BigInteger a, BigInteger b) => b > 0 ? (double)a / (double)b * 100 : null;
            var yield = start > 0 ? (double)received / (double)start / years * 100 : (double?)null;
            var growth = i0 > 0 ? (double)(i1 - i0) / (double)i0 / years * 100 : (double?)null;
            rows.Add(new CoinDilution(netuid, AuditReadModels.Rao(start), AuditReadModels.Rao(end), i0, i1, Pct(start, i0), Pct(end, i1),
                AuditReadModels.Rao(received), yield, growth, yield - growth));
        }

        return new DilutionReport(query.Coldkey.Address, query.FromBlock, query.ToBlock, rows);
    }
}
