using System.Text;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.SubnetStatus;
using Bittensor.Ledger.Application.Store;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>Emission history for one hotkey, coldkey (the uid's owner) or subnet, optionally within an epoch or a
/// block range (both inclusive), with totals. Take and nominator shares are the uid's postings of its epoch.</summary>
public sealed record GetEmissions(
    Hotkey? Hotkey = null, Coldkey? Coldkey = null, NetUid? NetUid = null,
    ulong? FromEpoch = null, ulong? ToEpoch = null, ulong? FromBlock = null, ulong? ToBlock = null, RowPage? Page = null) : IQuery<EmissionHistoryReport>
{
    public sealed class Validator : AbstractValidator<GetEmissions>
    {
        public Validator()
        {
            RuleFor(x => x).Must(x => (x.Hotkey is null ? 0 : 1) + (x.Coldkey is null ? 0 : 1) + (x.NetUid is null ? 0 : 1) == 1)
                .OverridePropertyName("hotkey").WithMessage("give exactly one of --hotkey, --coldkey, --netuid");
            RuleFor(x => x).Must(x => (x.FromEpoch ?? x.ToEpoch) is null || (x.FromBlock ?? x.ToBlock) is null)
                .OverridePropertyName("from_epoch").WithMessage("give an epoch range or a block range, not both");
            RuleFor(x => x.ToEpoch).GreaterThanOrEqualTo(x => x.FromEpoch).When(x => x.FromEpoch is not null && x.ToEpoch is not null)
                .OverridePropertyName("to_epoch").WithMessage("must not be before --from-epoch");
            RuleFor(x => x.ToBlock).GreaterThanOrEqualTo(x => x.FromBlock).When(x => x.FromBlock is not null && x.ToBlock is not null)
                .OverridePropertyName("to_block").WithMessage("must not be before --from-block");
            RuleFor(x => x.Page).IsAPage();
        }
    }
}

public sealed record NominatorShare(string Coldkey, ulong Amount);

public sealed record EmissionRow(
    ushort NetUid, ulong Epoch, ushort Uid, ulong Block, long Seq, string Hotkey, string Coldkey,
    ushort StakeWeight, ushort Consensus, ushort Incentive, ushort Dividends, ushort ValidatorTrust,
    ulong ServerEmission, ulong ValidatorEmission, ulong Emission, ulong Take, ulong NominatorDividends,
    IReadOnlyList<NominatorShare> Nominators);

/// <param name="Source"><c>computed</c>: epochs the ledger computed; <c>observed</c>: epochs of a subnet `ledger chain
/// sync` recorded, as the chain stored them (ChainSync/ObservedEmissions).</param>
/// <remarks>With a <see cref="GetEmissions.Page"/>, <see cref="Rows"/> is that page, the totals are the whole answer's
/// and <see cref="TotalRows"/> its row count; without one, <see cref="Rows"/> is the whole answer.</remarks>
public sealed record EmissionHistoryReport(IReadOnlyList<EmissionRow> Rows, ulong ServerEmission, ulong ValidatorEmission, ulong Emission, ulong Take, ulong NominatorDividends, string Source = "computed")
{
    /// <summary>Rows in the whole answer (not serialized: the CLI's --json is the whole answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long TotalRows { get; init; } = -1;
}

public sealed class GetEmissionsHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits) : IQueryHandler<GetEmissions, EmissionHistoryReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<EmissionHistoryReport> Handle(GetEmissions query, CancellationToken cancellationToken)
    {
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Command(dataSource, query);
        if (query.Page is { } page)
        {
            cmd.CommandText += page.Sql;
        }

        var rows = new List<EmissionRow>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Read(reader));
            }
        }

        long total = rows.Count;
        if (query.Page is { } p && !p.TrimToWhole(rows))
        {
            // Not the whole answer: its totals and row count, summed by PostgreSQL.
            var totals = await TotalsAsync(query, cancellationToken).ConfigureAwait(false);
            if (totals.TotalRows > 0)
            {
                return totals with { Rows = rows };
            }

            total = 0;
        }

        if (total == 0 && rows.Count == 0 && await ObservedEmissions.ReadAsync(dataSource, stored, query, cancellationToken).ConfigureAwait(false) is { Count: > 0 } observed)
        {
            // A subnet the ledger did not compute may be one `ledger chain sync` recorded: its epochs as the chain stored
            // them (a short list per subnet, paged here).
            var all = observed.ToList();
            return Summed(all, query.Page is { } op ? [.. all.Skip(op.Offset).Take(op.Limit)] : all, ObservedMetagraph.Source);
        }

        if (total == 0)
        {
            // An empty table for a subnet or key the ledger never saw reads as "no emission": say it is unknown instead.
            if (query.NetUid is { } netuid)
            {
                await AuditReadModels.EnsureSubnetKnownAsync(dataSource, netuid.Value, cancellationToken).ConfigureAwait(false);
            }
            else if (query.Hotkey is { } hotkey)
            {
                await AuditReadModels.EnsureKeyKnownAsync(dataSource, "hotkey", hotkey.Address, cancellationToken).ConfigureAwait(false);
            }
            else if (query.Coldkey is { } coldkey)
            {
                await AuditReadModels.EnsureKeyKnownAsync(dataSource, "coldkey", coldkey.Address, cancellationToken).ConfigureAwait(false);
            }
        }

        return Summed(rows, rows, "computed");
    }

    /// <summary>A report showing <paramref name="shown"/> with the totals and row count of <paramref name="all"/>.</summary>
    private static EmissionHistoryReport Summed(List<EmissionRow> all, IReadOnlyList<EmissionRow> shown, string source)
    {
        ulong Sum(Func<EmissionRow, ulong> f) => all.Aggregate(0UL, (s, r) => checked(s + f(r)));
        return new EmissionHistoryReport(shown, Sum(r => r.ServerEmission), Sum(r => r.ValidatorEmission), Sum(r => r.Emission), Sum(r => r.Take),
            Sum(r => r.NominatorDividends), source) { TotalRows = all.Count };
    }

    /// <summary>The whole answer's row count and totals, for a page that does not show them.</summary>
    private async Task<EmissionHistoryReport> TotalsAsync(GetEmissions query, CancellationToken ct)
    {
        await using var cmd = Filtered(dataSource, query, TotalsSelect, "");
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        static ulong Rao(long value) => checked((ulong)value);
        return new EmissionHistoryReport([], Rao(r.GetInt64(1)), Rao(r.GetInt64(2)), Rao(r.GetInt64(3)), Rao(r.GetInt64(4)), Rao(r.GetInt64(5))) { TotalRows = r.GetInt64(0) };
    }

    /// <summary>The query behind `ledger emissions` and `ledger export --what emissions` (bench/Projections.Bench
    /// runs it under EXPLAIN): an index range scan on the key column, then the uid's postings by index.</summary>
    // Amounts leave PostgreSQL as bigint (checked there: an amount past 2^63 is an error, never a wrap), which is far
    // cheaper to read than numeric; every amount is bounded by an asset's 21e15-rao supply.
    private const string RowsSelect =
        "select e.netuid, e.epoch, e.uid, e.block, e.seq_id, e.hotkey, e.coldkey, e.stake_weight, e.consensus, e.incentive, e.dividends, " +
        "e.validator_trust, e.server_emission::bigint, e.validator_emission::bigint, e.emission::bigint, coalesce(p.take, 0)::bigint, coalesce(p.nominators, 0)::bigint, " +
        "coalesce(p.nominator_coldkeys, '{}'), coalesce(p.nominator_amounts, '{}') " +
        $"from {EmissionHistoryProjection.HistoryTable} e left join lateral (" +
        "select sum(amount) filter (where reason = 'ValidatorTake') as take, sum(amount) filter (where reason = 'NominatorDividend') as nominators, " +
        "array_agg(coldkey order by ordinal) filter (where reason = 'NominatorDividend') as nominator_coldkeys, " +
        "array_agg(amount::bigint order by ordinal) filter (where reason = 'NominatorDividend') as nominator_amounts " +
        $"from {EmissionHistoryProjection.PostingTable} p where p.netuid = e.netuid and p.epoch = e.epoch and p.uid = e.uid) p on true where ";

    // The same rows' count and sums, with the postings summed per uid (the covering index): no row leaves PostgreSQL.
    private const string TotalsSelect =
        "select count(*), coalesce(sum(e.server_emission), 0)::bigint, coalesce(sum(e.validator_emission), 0)::bigint, coalesce(sum(e.emission), 0)::bigint, " +
        "coalesce(sum(p.take), 0)::bigint, coalesce(sum(p.nominators), 0)::bigint " +
        $"from {EmissionHistoryProjection.HistoryTable} e left join lateral (" +
        "select sum(amount) filter (where reason = 'ValidatorTake') as take, sum(amount) filter (where reason = 'NominatorDividend') as nominators " +
        $"from {EmissionHistoryProjection.PostingTable} p where p.netuid = e.netuid and p.epoch = e.epoch and p.uid = e.uid) p on true where ";

    /// <summary>The rows of <paramref name="q"/>, in (netuid, epoch, uid) order (the query, the export, the bench).</summary>
    public static NpgsqlCommand Command(NpgsqlDataSource dataSource, GetEmissions q) => Filtered(dataSource, q, RowsSelect, " order by e.netuid, e.epoch, e.uid");

    /// <summary><paramref name="select"/> (ending in <c>where </c>) restricted to the rows <paramref name="q"/> asks for.</summary>
    private static NpgsqlCommand Filtered(NpgsqlDataSource dataSource, GetEmissions q, string select, string tail)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(q);
        var sql = new StringBuilder(select);
        var cmd = dataSource.CreateCommand();
        if (q.Hotkey is { } h)
        {
            sql.Append("e.hotkey = @key");
            cmd.Parameters.AddWithValue("key", h.Address);
        }
        else if (q.Coldkey is { } c)
        {
            sql.Append("e.coldkey = @key");
            cmd.Parameters.AddWithValue("key", c.Address);
        }
        else if (q.NetUid is { } n)
        {
            sql.Append("e.netuid = @netuid");
            cmd.Parameters.AddWithValue("netuid", (int)n.Value);
        }
        else
        {
            sql.Append("true"); // export of everything; the query itself always names a key (validator)
        }

        Range("e.epoch", q.FromEpoch, q.ToEpoch);
        Range("e.block", q.FromBlock, q.ToBlock);
        sql.Append(tail);
        cmd.CommandText = sql.ToString();
        return cmd;

        void Range(string column, ulong? from, ulong? to)
        {
            if (from is { } f)
            {
                sql.Append(" and ").Append(column).Append(" >= ").Append(checked((long)f).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (to is { } t)
            {
                sql.Append(" and ").Append(column).Append(" <= ").Append(checked((long)t).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    public static EmissionRow Read(NpgsqlDataReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var coldkeys = r.GetFieldValue<string[]>(17);
        var amounts = r.GetFieldValue<long[]>(18);
        return new EmissionRow(
            checked((ushort)r.GetInt32(0)), checked((ulong)r.GetInt64(1)), checked((ushort)r.GetInt32(2)), checked((ulong)r.GetInt64(3)), r.GetInt64(4),
            r.GetString(5), r.GetString(6),
            checked((ushort)r.GetInt32(7)), checked((ushort)r.GetInt32(8)), checked((ushort)r.GetInt32(9)), checked((ushort)r.GetInt32(10)), checked((ushort)r.GetInt32(11)),
            Rao(r.GetInt64(12)), Rao(r.GetInt64(13)), Rao(r.GetInt64(14)), Rao(r.GetInt64(15)), Rao(r.GetInt64(16)),
            [.. coldkeys.Zip(amounts, (c, a) => new NominatorShare(c, Rao(a)))]);

        static ulong Rao(long value) => checked((ulong)value);
    }
}
