using System.Globalization;
using System.Numerics;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.Supply;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>Supply over blocks (FromBlock, ToBlock] per asset (TAO and each subnet's alpha): issuance at both ends,
/// minted, recycled, burned, staked at the end and annualized inflation; with <see cref="ByEpochNetUid"/>, the same
/// per epoch of that subnet (each epoch's accrual range). No FromBlock = from before the first event; no ToBlock =
/// to the last block projected.</summary>
public sealed record GetSupply(ulong? FromBlock = null, ulong? ToBlock = null, NetUid? ByEpochNetUid = null) : IQuery<SupplyReport>
{
    public sealed class Validator : AbstractValidator<GetSupply>
    {
        public Validator() =>
            RuleFor(x => x.ToBlock).GreaterThan(x => x.FromBlock).When(x => x.FromBlock is not null && x.ToBlock is not null)
                .OverridePropertyName("to_block").WithMessage("must be after --from-block");
    }
}

/// <summary>One asset over a range. Amounts in rao (signed: contra accounts can make a range's flow negative);
/// <see cref="AnnualizedInflationPercent"/> is a report figure (double), never an amount.</summary>
public sealed record AssetSupply(
    string Asset, BigInteger IssuanceStart, BigInteger IssuanceEnd, BigInteger Minted, BigInteger Recycled, BigInteger Burned,
    BigInteger StakedEnd, double? AnnualizedInflationPercent);

public sealed record EpochSupply(ulong Epoch, ulong FromBlock, ulong Block, AssetSupply Tao, AssetSupply Alpha);

public sealed record SupplyReport(long FromBlock, long ToBlock, IReadOnlyList<AssetSupply> Assets, IReadOnlyList<EpochSupply> Epochs);

public sealed class GetSupplyHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits) : IQueryHandler<GetSupply, SupplyReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<SupplyReport> Handle(GetSupply query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var from = query.FromBlock is { } f ? checked((long)f) : -1L;
        var to = query.ToBlock is { } t ? checked((long)t) : await LastBlockAsync(dataSource, cancellationToken).ConfigureAwait(false);
        var assets = await RangeAsync(dataSource, from, to, null, cancellationToken).ConfigureAwait(false);
        var epochs = new List<EpochSupply>();
        if (query.ByEpochNetUid is { } n)
        {
            await using var cmd = dataSource.CreateCommand(
                $"select distinct epoch, from_block, block from {EmissionHistoryProjection.PostingTable} where netuid = @n and block > @from and block <= @to order by epoch");
            cmd.Parameters.AddWithValue("n", (int)n.Value);
            cmd.Parameters.AddWithValue("from", from);
            cmd.Parameters.AddWithValue("to", to);
            var ranges = new List<(ulong Epoch, long From, long Block)>();
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    ranges.Add((checked((ulong)r.GetInt64(0)), r.GetInt64(1), r.GetInt64(2)));
                }
            }

            foreach (var (epoch, f0, b) in ranges)
            {
                var rows = await RangeAsync(dataSource, f0, b, [SupplyProjection.Tao, n.Value], cancellationToken).ConfigureAwait(false);
                var alphaName = "alpha:" + n.Value.ToString(CultureInfo.InvariantCulture);
                epochs.Add(new EpochSupply(epoch, checked((ulong)f0), checked((ulong)b),
                    rows.FirstOrDefault(a => a.Asset == "tao") ?? Empty("tao"), rows.FirstOrDefault(a => a.Asset == alphaName) ?? Empty(alphaName)));
            }
        }

        return new SupplyReport(from, to, assets, epochs);
    }

    private static AssetSupply Empty(string asset) => new(asset, 0, 0, 0, 0, 0, 0, null);

    public static async Task<long> LastBlockAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var cmd = dataSource.CreateCommand($"select coalesce(max(block), 0) from {SupplyProjection.Table}");
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Per asset over blocks (from, to]: issuance = −Σ unissued − Σ recycled (both start at supply and zero).</summary>
    public static async Task<List<AssetSupply>> RangeAsync(NpgsqlDataSource dataSource, long from, long to, int[]? assets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var rateFrom = Math.Max(from, 0);
        await using var cmd = dataSource.CreateCommand(
            "select asset, " +
            "coalesce(sum(delta) filter (where kind = 'unissued' and block <= @from), 0), coalesce(sum(delta) filter (where kind = 'unissued'), 0), " +
            "coalesce(sum(delta) filter (where kind = 'recycled' and block <= @from), 0), coalesce(sum(delta) filter (where kind = 'recycled'), 0), " +
            "coalesce(sum(delta) filter (where kind = 'burned' and block > @from), 0), " +
            "coalesce(sum(delta) filter (where kind = case when asset = -1 then 'subnet_tao' else 'stake' end), 0), " +
            "coalesce(sum(delta) filter (where kind in ('unissued', 'recycled') and block <= @rate_from), 0) " +
            $"from {SupplyProjection.Table} where block <= @to" + (assets is null ? "" : " and asset = any(@assets)") + " group by asset order by asset");
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        // A range that starts before the first event (from = -1) has no issuance to grow from: the rate is measured
        // from block 0 (the network's start) instead.
        cmd.Parameters.AddWithValue("rate_from", rateFrom);
        if (assets is not null)
        {
            cmd.Parameters.AddWithValue("assets", assets);
        }

        var result = new List<AssetSupply>();
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var asset = r.GetInt32(0);
            BigInteger N(int i) => r.GetFieldValue<BigInteger>(i);
            var (u0, u1, r0, r1) = (N(1), N(2), N(3), N(4));
            var start = -u0 - r0;
            var end = -u1 - r1;
            var rateStart = -N(7);
            double? inflation = rateStart > 0 && to > rateFrom
                ? (double)(end - rateStart) / (double)rateStart * (BlockTime.BlocksPerYear / (to - rateFrom)) * 100
                : null;
            result.Add(new AssetSupply(asset == SupplyProjection.Tao ? "tao" : "alpha:" + asset.ToString(CultureInfo.InvariantCulture),
                start, end, u0 - u1, r1 - r0, N(5), N(6), inflation));
        }

        return result;
    }
}
