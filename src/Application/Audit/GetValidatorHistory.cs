using System.Globalization;
using System.Text;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.BondsHistory;
using Bittensor.Ledger.Projections.WeightsHistory;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>The weights one subnet's validators set, in block order (the weights_history read model), optionally of
/// one validator uid and within a block range (inclusive). Until issue 11 these appeared only in explain and export.</summary>
public sealed record GetWeightsHistory(NetUid NetUid, Uid? ValidatorUid = null, ulong? FromBlock = null, ulong? ToBlock = null, RowPage? Page = null) : IQuery<WeightsHistoryReport>
{
    public sealed class Validator : AbstractValidator<GetWeightsHistory>
    {
        public Validator()
        {
            RuleFor(x => x.ToBlock).GreaterThanOrEqualTo(x => x.FromBlock).When(x => x.FromBlock is not null && x.ToBlock is not null)
                .OverridePropertyName("to_block").WithMessage("must not be before from_block");
            RuleFor(x => x.Page).IsAPage();
        }
    }
}

/// <summary>One weights_set as stored: u16 weights on the listed uids.</summary>
public sealed record WeightsRow(long Seq, ushort NetUid, ushort Mechanism, ushort Uid, string Hotkey, ulong Block, string VersionKey, IReadOnlyList<ushort> Uids, IReadOnlyList<ushort> Weights);

/// <param name="Rows">The whole answer, or with <see cref="GetWeightsHistory.Page"/> that page.</param>
public sealed record WeightsHistoryReport(ushort NetUid, IReadOnlyList<WeightsRow> Rows)
{
    /// <summary>Rows in the whole answer.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long TotalRows { get; init; }
}

/// <summary>The bonds each validator held after each epoch of one subnet (the bonds_history read model), optionally of
/// one validator uid and within an epoch range (inclusive).</summary>
public sealed record GetBondsHistory(NetUid NetUid, Uid? ValidatorUid = null, ulong? FromEpoch = null, ulong? ToEpoch = null, RowPage? Page = null) : IQuery<BondsHistoryReport>
{
    public sealed class Validator : AbstractValidator<GetBondsHistory>
    {
        public Validator()
        {
            RuleFor(x => x.ToEpoch).GreaterThanOrEqualTo(x => x.FromEpoch).When(x => x.FromEpoch is not null && x.ToEpoch is not null)
                .OverridePropertyName("to_epoch").WithMessage("must not be before from_epoch");
            RuleFor(x => x.Page).IsAPage();
        }
    }
}

/// <summary>One validator's bond row after an epoch: u16 bonds on the listed uids.</summary>
public sealed record BondsRow(ushort NetUid, ulong Epoch, ushort Mechanism, ushort Uid, ulong Block, long Seq, string? Hotkey, IReadOnlyList<ushort> Uids, IReadOnlyList<ushort> Bonds);

/// <param name="Rows">The whole answer, or with <see cref="GetBondsHistory.Page"/> that page.</param>
public sealed record BondsHistoryReport(ushort NetUid, IReadOnlyList<BondsRow> Rows)
{
    /// <summary>Rows in the whole answer.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long TotalRows { get; init; }
}

public sealed class GetValidatorHistoryHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits)
    : IQueryHandler<GetWeightsHistory, WeightsHistoryReport>, IQueryHandler<GetBondsHistory, BondsHistoryReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<WeightsHistoryReport> Handle(GetWeightsHistory query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder($"select seq_id, netuid, mechanism, uid, hotkey, block, version_key::text, uids, weights from {WeightsHistoryProjection.Table} where netuid = @netuid");
        await using var cmd = dataSource.CreateCommand();
        cmd.Parameters.AddWithValue("netuid", (int)query.NetUid.Value);
        Filter(sql, cmd, "uid", query.ValidatorUid is { } v ? v.Value : null);
        Range(sql, "block", query.FromBlock, query.ToBlock);
        var filter = sql.ToString();
        sql.Append(" order by block, seq_id").Append(query.Page?.Sql);
        cmd.CommandText = sql.ToString();
        var rows = new List<WeightsRow>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new WeightsRow(r.GetInt64(0), checked((ushort)r.GetInt32(1)), checked((ushort)r.GetInt32(2)), checked((ushort)r.GetInt32(3)), r.GetString(4),
                    checked((ulong)r.GetInt64(5)), r.GetString(6), U16(r.GetFieldValue<int[]>(7)), U16(r.GetFieldValue<int[]>(8))));
            }
        }

        var total = await TotalAsync(cmd, filter, query.Page, rows, cancellationToken).ConfigureAwait(false);
        if (total == 0)
        {
            await AuditReadModels.EnsureSubnetKnownAsync(dataSource, query.NetUid.Value, cancellationToken).ConfigureAwait(false);
        }

        return new WeightsHistoryReport(query.NetUid.Value, rows) { TotalRows = total };
    }

    public async ValueTask<BondsHistoryReport> Handle(GetBondsHistory query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var sql = new StringBuilder($"select netuid, epoch, mechanism, uid, block, seq_id, hotkey, uids, bonds from {BondsHistoryProjection.Table} where netuid = @netuid");
        await using var cmd = dataSource.CreateCommand();
        cmd.Parameters.AddWithValue("netuid", (int)query.NetUid.Value);
        Filter(sql, cmd, "uid", query.ValidatorUid is { } v ? v.Value : null);
        Range(sql, "epoch", query.FromEpoch, query.ToEpoch);
        var filter = sql.ToString();
        sql.Append(" order by epoch, mechanism, uid").Append(query.Page?.Sql);
        cmd.CommandText = sql.ToString();
        var rows = new List<BondsRow>();
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(new BondsRow(checked((ushort)r.GetInt32(0)), checked((ulong)r.GetInt64(1)), checked((ushort)r.GetInt32(2)), checked((ushort)r.GetInt32(3)),
                    checked((ulong)r.GetInt64(4)), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), U16(r.GetFieldValue<int[]>(7)), U16(r.GetFieldValue<int[]>(8))));
            }
        }

        var total = await TotalAsync(cmd, filter, query.Page, rows, cancellationToken).ConfigureAwait(false);
        if (total == 0)
        {
            await AuditReadModels.EnsureSubnetKnownAsync(dataSource, query.NetUid.Value, cancellationToken).ConfigureAwait(false);
        }

        return new BondsHistoryReport(query.NetUid.Value, rows) { TotalRows = total };
    }

    /// <summary>The whole answer's row count: the rows read when they are all of it, else counted with the page's filter
    /// (<paramref name="filter"/>, "select … from T where …", and the parameters of <paramref name="read"/>).</summary>
    private static async Task<long> TotalAsync<TRow>(NpgsqlCommand read, string filter, RowPage? page, List<TRow> rows, CancellationToken ct)
    {
        if (page is null || page.TrimToWhole(rows))
        {
            return rows.Count;
        }

        var from = filter.IndexOf(" from ", StringComparison.Ordinal);
        read.CommandText = "select count(*)" + filter[from..];
        return (long)(await read.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static ushort[] U16(int[] values) => [.. values.Select(v => checked((ushort)v))];

    private static void Filter(StringBuilder sql, NpgsqlCommand cmd, string column, ushort? value)
    {
        if (value is { } v)
        {
            sql.Append(" and ").Append(column).Append(" = @").Append(column);
            cmd.Parameters.AddWithValue(column, (int)v);
        }
    }

    private static void Range(StringBuilder sql, string column, ulong? from, ulong? to)
    {
        if (from is { } f)
        {
            sql.Append(" and ").Append(column).Append(" >= ").Append(checked((long)f).ToString(CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            sql.Append(" and ").Append(column).Append(" <= ").Append(checked((long)t).ToString(CultureInfo.InvariantCulture));
        }
    }
}
