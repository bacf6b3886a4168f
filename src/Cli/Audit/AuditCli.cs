using Bittensor.Ledger.Domain;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bittensor.Ledger.Cli.Db;
using Bittensor.Ledger.Cli.Import;
using Bittensor.Ledger.Domain.Primitives;
using FluentValidation;
using Mediator;
using Spectre.Console;

namespace Bittensor.Ledger.Cli.Audit;

/// <summary>What the audit commands share: key options parsed to `field: reason` errors (exit 2), a read-only
/// <see cref="LedgerScope"/>, validation failures mapped to exit 2, and the JSON and table writers.</summary>
internal static class AuditCli
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new BigIntegerConverter() },
    };

    public static Option<string?> HotkeyOption() => new("--hotkey") { Description = "Hotkey (SS58)." };

    public static Option<string?> ColdkeyOption() => new("--coldkey") { Description = "Coldkey (SS58)." };

    public static Option<int?> NetUidOption() => new("--netuid") { Description = "Subnet id." };

    /// <summary>A block number option; the ledger stores blocks as PostgreSQL bigint, so larger values are refused
    /// as bad input here rather than overflowing in a query.</summary>
    public static Option<ulong?> BlockOption(string name, string description)
    {
        var option = new Option<ulong?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            // Read the token, not the converted value: a value that does not convert is reported by the parser itself.
            if (result.Tokens.Count == 1 && ulong.TryParse(result.Tokens[0].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var block) && block > long.MaxValue)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"must be at most {long.MaxValue}"));
            }
        });
        return option;
    }

    public static Option<bool> JsonOption() => new("--json") { Description = "Machine-readable output with exact integers (rao)." };

    public static Hotkey? Hotkey(ParseResult parse, Option<string?> option)
    {
        var text = parse.GetValue(option);
        if (text is null)
        {
            return null;
        }

        return Domain.Primitives.Hotkey.TryParse(text, out var key, out var reason) ? key : throw new FieldErrorException("hotkey", reason);
    }

    public static Coldkey? Coldkey(ParseResult parse, Option<string?> option)
    {
        var text = parse.GetValue(option);
        if (text is null)
        {
            return null;
        }

        return Domain.Primitives.Coldkey.TryParse(text, out var key, out var reason) ? key : throw new FieldErrorException("coldkey", reason);
    }

    public static NetUid? NetUid(ParseResult parse, Option<int?> option) => parse.GetValue(option) switch
    {
        null => null,
        >= 0 and <= ushort.MaxValue and var n => new NetUid((ushort)n),
        _ => throw new FieldErrorException("netuid", "must be between 0 and 65535"),
    };

    /// <summary>Reads the options with <paramref name="read"/> (bad values exit 2 before any database is touched),
    /// then resolves the database, opens a scope and runs <paramref name="body"/>; validation failures exit 2.</summary>
    public static async Task<int> RunAsync<TInput>(
        ParseResult parse, Func<TInput> read, Func<TInput, IMediator, TextWriter, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(body);
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var input = read();
            await using var database = await ConnectionOption.ResolveAsync(parse, ct).ConfigureAwait(false);
            await using var scope = new LedgerScope(database.ConnectionString, parse.InvocationConfiguration.Error);
            return await body(input, scope.Mediator, parse.InvocationConfiguration.Output, ct).ConfigureAwait(false);
        }
        catch (FieldErrorException ex)
        {
            await error.WriteLineAsync(ex.Message.AsMemory(), ct).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (ValidationException ex)
        {
            foreach (var failure in ex.Errors)
            {
                await error.WriteLineAsync($"{failure.PropertyName}: {failure.ErrorMessage}".AsMemory(), ct).ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
        }
    }

    public static async Task WriteJsonAsync<T>(TextWriter output, T value, CancellationToken ct) =>
        await output.WriteLineAsync(JsonSerializer.Serialize(value, Json).AsMemory(), ct).ConfigureAwait(false);

    public static Table Table(params string[] columns)
    {
        var table = new Table().AddColumns(columns);
        foreach (var c in table.Columns)
        {
            c.RightAligned();
        }

        return table;
    }

    /// <summary>A row of plain text: cells such as "(0, 30]" are not Spectre markup.</summary>
    public static Table AddTextRow(this Table table, params string[] cells) => table.AddRow([.. cells.Select(c => new Text(c))]);

    public static string Num<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>`--rao`: tables print amounts as exact integers; without it, in τ or α with thousands separators and 9
    /// decimals, and u16 terms as the SDK's floats (issue 11). `--json` and exports are exact either way.</summary>
    public static Option<bool> RaoOption() => new("--rao") { Description = "Tables in exact integers (rao, u16) instead of τ/α with 9 decimals and 0..1 terms." };

    /// <summary>An amount for a table: <c>1,234.500000000</c>, or with <paramref name="exact"/> the rao integer.</summary>
    public static string Amount(BigInteger rao, bool exact)
    {
        if (exact)
        {
            return rao.ToString(CultureInfo.InvariantCulture);
        }

        var whole = BigInteger.DivRem(BigInteger.Abs(rao), 1_000_000_000, out var fraction);
        return (rao.Sign < 0 ? "-" : "") + whole.ToString("N0", CultureInfo.InvariantCulture) + "." + fraction.ToString("D9", CultureInfo.InvariantCulture);
    }

    /// <summary>A u16 term (consensus, incentive, ...) as the SDK shows it, value / 65535: 1177 is 0.0180.</summary>
    public static string Term(ushort value, bool exact) =>
        exact ? Num(value) : (value / 65535.0).ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>A column's unit: rao with `--rao`, else the asset's.</summary>
    public static string Unit(bool exact, string unit = "α") => exact ? "rao" : unit;

    public static string Pct(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) + "%" : "-";

    public static string Short(string key) => key.Length > 12 ? key[..6] + "…" + key[^4..] : key;

    private sealed class BigIntegerConverter : JsonConverter<BigInteger>
    {
        public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            BigInteger.Parse(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
