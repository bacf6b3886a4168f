using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.Supply;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

public enum ExportWhat
{
    Emissions,
    Stake,
    Supply,
}

public enum ExportFormat
{
    Csv,
    Ndjson,
}

/// <summary>`ledger export`: rows for accountants, streamed to <see cref="Output"/> as CSV (header first) or NDJSON,
/// amounts as exact integers in rao. Filters apply where the rows have the column (block range everywhere).</summary>
public sealed record ExportRows(
    ExportWhat What, ExportFormat Format, TextWriter Output,
    Hotkey? Hotkey = null, Coldkey? Coldkey = null, NetUid? NetUid = null, ulong? FromBlock = null, ulong? ToBlock = null) : ICommand<long>
{
    public sealed class Validator : AbstractValidator<ExportRows>
    {
        public Validator()
        {
            RuleFor(x => x.ToBlock).GreaterThanOrEqualTo(x => x.FromBlock).When(x => x.FromBlock is not null && x.ToBlock is not null)
                .OverridePropertyName("to_block").WithMessage("must not be before --from-block");
            RuleFor(x => x).Must(x => x.What != ExportWhat.Supply || (x.Hotkey is null && x.Coldkey is null))
                .OverridePropertyName("what").WithMessage("supply rows are per asset and block: --hotkey/--coldkey do not apply");
            RuleFor(x => x).Must(x => (x.Hotkey is null ? 0 : 1) + (x.Coldkey is null ? 0 : 1) <= 1)
                .OverridePropertyName("hotkey").WithMessage("give at most one of --hotkey, --coldkey");
        }
    }
}

public sealed class ExportRowsHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, LockWaits waits) : ICommandHandler<ExportRows, long>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<long> Handle(ExportRows command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = command.What switch
        {
            ExportWhat.Emissions => GetEmissionsHandler.Command(dataSource,
                new GetEmissions(command.Hotkey, command.Coldkey, command.NetUid, FromBlock: command.FromBlock, ToBlock: command.ToBlock)),
            ExportWhat.Stake => StakeCommand(command),
            _ => SupplyCommand(command),
        };
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        if (command.What == ExportWhat.Emissions)
        {
            names = ["netuid", "epoch", "uid", "block", "seq_id", "hotkey", "coldkey", "stake_weight", "consensus", "incentive", "dividends",
                "validator_trust", "server_emission", "validator_emission", "emission", "take", "nominator_dividends", "nominator_coldkeys", "nominator_amounts"];
        }

        if (command.Format == ExportFormat.Csv)
        {
            await command.Output.WriteLineAsync(string.Join(',', names).AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        long rows = 0;
        var line = new StringBuilder();
        using var buffer = new MemoryStream();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            if (command.Format == ExportFormat.Csv)
            {
                line.Clear();
                for (var i = 0; i < names.Length; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }

                    line.Append(Csv(reader.GetValue(i)));
                }

                await command.Output.WriteLineAsync(line.ToString().AsMemory(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                buffer.SetLength(0);
                using (var w = new Utf8JsonWriter(buffer))
                {
                    w.WriteStartObject();
                    for (var i = 0; i < names.Length; i++)
                    {
                        w.WritePropertyName(names[i]);
                        Json(w, reader.GetValue(i));
                    }

                    w.WriteEndObject();
                }

                await command.Output.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }

        await command.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }

    private NpgsqlCommand StakeCommand(ExportRows c)
    {
        var where = new List<string> { "true" };
        var cmd = dataSource.CreateCommand();
        if (c.Coldkey is { } ck)
        {
            where.Add("coldkey = @coldkey");
            cmd.Parameters.AddWithValue("coldkey", ck.Address);
        }

        if (c.Hotkey is { } hk)
        {
            where.Add("hotkey = @hotkey");
            cmd.Parameters.AddWithValue("hotkey", hk.Address);
        }

        if (c.NetUid is { } n)
        {
            where.Add("netuid = @netuid");
            cmd.Parameters.AddWithValue("netuid", (int)n.Value);
        }

        AddBlocks(c, where, cmd);
        cmd.CommandText = $"select seq_id, ordinal, block, netuid, hotkey, coldkey, reason, delta, balance from {StakeLedgerProjection.HistoryTable} " +
                          $"where {string.Join(" and ", where)} order by seq_id, ordinal";
        return cmd;
    }

    private NpgsqlCommand SupplyCommand(ExportRows c)
    {
        var where = new List<string> { "true" };
        var cmd = dataSource.CreateCommand();
        if (c.NetUid is { } n)
        {
            where.Add("asset = @asset");
            cmd.Parameters.AddWithValue("asset", (int)n.Value);
        }

        AddBlocks(c, where, cmd);
        // One row per asset and block: the flows of that block (minted = what left unissued).
        cmd.CommandText =
            "select case when asset = -1 then 'tao' else 'alpha:' || asset end as asset, block, " +
            "coalesce(-sum(delta) filter (where kind = 'unissued'), 0) as minted, coalesce(sum(delta) filter (where kind = 'recycled'), 0) as recycled, " +
            "coalesce(sum(delta) filter (where kind = 'burned'), 0) as burned, coalesce(sum(delta) filter (where kind = 'stake'), 0) as staked_delta, " +
            "coalesce(sum(delta) filter (where kind = 'subnet_tao'), 0) as subnet_tao_delta " +
            $"from {SupplyProjection.Table} where {string.Join(" and ", where)} group by asset, block order by block, asset";
        return cmd;
    }

    private static void AddBlocks(ExportRows c, List<string> where, NpgsqlCommand cmd)
    {
        if (c.FromBlock is { } f)
        {
            where.Add("block >= @from");
            cmd.Parameters.AddWithValue("from", checked((long)f));
        }

        if (c.ToBlock is { } t)
        {
            where.Add("block <= @to");
            cmd.Parameters.AddWithValue("to", checked((long)t));
        }
    }

    private static string Csv(object value) => value switch
    {
        DBNull => "",
        string s => s,
        bool b => b ? "true" : "false",
        Array a => string.Join(';', a.Cast<object>().Select(Csv)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void Json(Utf8JsonWriter w, object value)
    {
        switch (value)
        {
            case DBNull:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case decimal d:
                // numeric columns hold integers (rao): write them exactly, never through a double.
                w.WriteRawValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case BigInteger big:
                w.WriteRawValue(big.ToString(CultureInfo.InvariantCulture));
                break;
            case Array a:
                w.WriteStartArray();
                foreach (var item in a)
                {
                    Json(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
