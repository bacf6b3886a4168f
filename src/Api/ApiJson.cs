using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Bittensor.Ledger.Api;

/// <summary>
/// The API's JSON: the CLI's <c>--json</c> (snake_case, exact integers) with every amount given twice, exact as a
/// string in rao (<c>"emission_rao": "1234500000"</c>) and readable in τ or α (<c>"emission": "1.2345"</c>, with the
/// object's <c>"unit"</c>), so a client never loses precision to a JSON number past 2^53 (issue 11).
/// </summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new BigIntegerConverter() },
    };

    public const string Tao = "τ";
    public const string Alpha = "α";

    /// <summary>The properties of the Application's reports that hold rao (snake_case). <c>stake_rao</c> (explain) is
    /// already named for its unit; it keeps its name and gains a readable <c>stake</c>.</summary>
    private static readonly HashSet<string> Amounts = new(StringComparer.Ordinal)
    {
        "stake", "total_stake", "emission", "server_emission", "validator_emission", "take", "nominator_dividends", "amount",
        "hotkey_total", "stake_rao", "drained_pot", "stored_server_emission", "stored_validator_emission", "incentive_paid",
        "validator_paid", "validator_pot", "validator_payout", "issuance_start", "issuance_end", "minted", "recycled", "burned",
        "staked_end", "stake_start", "stake_end", "supply_start", "supply_end", "emission_received", "recorded", "replayed",
        "difference", "total_by_subnet",
    };

    /// <summary>Serializes a report as the CLI does, then adds the readable amounts.</summary>
    public static JsonNode ToNode<T>(T value, string? unit = null)
    {
        var node = JsonSerializer.SerializeToNode(value, Options) ?? throw new InvalidOperationException("a report serialized to null");
        AddReadableAmounts(node, unit ?? Alpha);
        return node;
    }

    /// <summary>"1.2345" for 1234500000 rao: exact, from the integer's digits, trailing zeros dropped.</summary>
    public static string Readable(BigInteger rao)
    {
        var negative = rao.Sign < 0;
        var digits = BigInteger.Abs(rao).ToString(CultureInfo.InvariantCulture).PadLeft(10, '0');
        var whole = digits[..^9];
        var fraction = digits[^9..].TrimEnd('0');
        return (negative ? "-" : "") + whole + (fraction.Length > 0 ? "." + fraction : "");
    }

    /// <summary><see cref="Readable(BigInteger)"/> of a u64, without a BigInteger: the same digits.</summary>
    public static string Readable(ulong rao)
    {
        var whole = (rao / 1_000_000_000UL).ToString(CultureInfo.InvariantCulture);
        var fraction = rao % 1_000_000_000UL;
        return fraction == 0 ? whole : whole + "." + fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    public static string UnitOf(ushort netuid) => netuid == 0 ? Tao : Alpha;

    private static void AddReadableAmounts(JsonNode node, string unit)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        AddReadableAmounts(item, unit);
                    }
                }

                break;
            case JsonObject obj:
                unit = ObjectUnit(obj) ?? unit;
                var converted = false;
                foreach (var (name, child) in obj.ToList())
                {
                    if (Amounts.Contains(name) && child is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
                    {
                        var rao = BigInteger.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
                        var baseName = name.EndsWith("_rao", StringComparison.Ordinal) ? name[..^4] : name;
                        obj[baseName + "_rao"] = rao.ToString(CultureInfo.InvariantCulture);
                        obj[baseName] = Readable(rao);
                        converted = true;
                    }
                    else if (name == "total_by_subnet" && child is JsonObject perKey)
                    {
                        // total_by_subnet: netuid → rao.
                        var exact = new JsonObject();
                        var readable = new JsonObject();
                        foreach (var (key, amount) in perKey.ToList())
                        {
                            var rao = BigInteger.Parse(amount!.ToJsonString(), CultureInfo.InvariantCulture);
                            exact[key] = rao.ToString(CultureInfo.InvariantCulture);
                            readable[key] = Readable(rao);
                        }

                        obj[name + "_rao"] = exact;
                        obj[name] = readable;
                    }
                    else if (child is not null)
                    {
                        AddReadableAmounts(child, unit);
                    }
                }

                if (converted && !obj.ContainsKey("unit"))
                {
                    obj["unit"] = unit;
                }

                break;
        }
    }

    private static string? ObjectUnit(JsonObject obj)
    {
        if (obj.TryGetPropertyValue("asset", out var asset) && asset is JsonValue a && a.GetValueKind() == JsonValueKind.String)
        {
            return a.GetValue<string>().StartsWith("tao", StringComparison.OrdinalIgnoreCase) ? Tao : Alpha;
        }

        foreach (var name in (ReadOnlySpan<string>)["net_uid", "netuid"])
        {
            if (obj.TryGetPropertyValue(name, out var netuid) && netuid is JsonValue n && n.GetValueKind() == JsonValueKind.Number)
            {
                return UnitOf(n.GetValue<ushort>());
            }
        }

        return null;
    }

    private sealed class BigIntegerConverter : JsonConverter<BigInteger>
    {
        public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            BigInteger.Parse(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.ToString(CultureInfo.InvariantCulture));
    }
}
