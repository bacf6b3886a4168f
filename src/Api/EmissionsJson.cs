using System.Buffers;
using System.Text.Json;
using Bittensor.Ledger.Application.Audit;

namespace Bittensor.Ledger.Api;

/// <summary>
/// The emissions answer written straight to UTF-8: the bytes <see cref="ApiJson.ToNode{T}"/> and
/// <see cref="Answers.Page"/> produce for an <see cref="EmissionHistoryReport"/> (the same properties in the same
/// order, tested byte for byte in tests/Api.Tests), without building and walking a <c>JsonNode</c> per row. A hotkey's
/// 1,000 epochs are the API's largest common answer (bench/Api.Bench), and the node path spent as long as the query.
/// </summary>
internal static class EmissionsJson
{
    private static readonly JsonWriterOptions Writer = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static byte[] Write(EmissionHistoryReport report, Paging paging, long total)
    {
        ArgumentNullException.ThrowIfNull(report);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, report.Rows.Count * 900));
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            w.WriteStartArray("rows");
            foreach (var row in report.Rows)
            {
                WriteRow(w, row);
            }

            w.WriteEndArray();
            w.WriteString("server_emission", ApiJson.Readable(report.ServerEmission));
            w.WriteString("validator_emission", ApiJson.Readable(report.ValidatorEmission));
            w.WriteString("emission", ApiJson.Readable(report.Emission));
            w.WriteString("take", ApiJson.Readable(report.Take));
            w.WriteString("nominator_dividends", ApiJson.Readable(report.NominatorDividends));
            w.WriteString("source", report.Source);
            Exact(w, "server_emission_rao", report.ServerEmission);
            Exact(w, "validator_emission_rao", report.ValidatorEmission);
            Exact(w, "emission_rao", report.Emission);
            Exact(w, "take_rao", report.Take);
            Exact(w, "nominator_dividends_rao", report.NominatorDividends);
            // The report has no subnet of its own: ToNode's default unit.
            w.WriteString("unit", ApiJson.Alpha);
            w.WriteStartObject("paging");
            w.WriteNumber("offset", paging.Offset);
            w.WriteNumber("limit", paging.Limit);
            w.WriteNumber("total", total);
            if (paging.NextOffset(total) is { } next)
            {
                w.WriteNumber("next_offset", next);
            }
            else
            {
                w.WriteNull("next_offset");
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRow(Utf8JsonWriter w, EmissionRow r)
    {
        var unit = ApiJson.UnitOf(r.NetUid);
        w.WriteStartObject();
        w.WriteNumber("net_uid", r.NetUid);
        w.WriteNumber("epoch", r.Epoch);
        w.WriteNumber("uid", r.Uid);
        w.WriteNumber("block", r.Block);
        w.WriteNumber("seq", r.Seq);
        w.WriteString("hotkey", r.Hotkey);
        w.WriteString("coldkey", r.Coldkey);
        w.WriteNumber("stake_weight", r.StakeWeight);
        w.WriteNumber("consensus", r.Consensus);
        w.WriteNumber("incentive", r.Incentive);
        w.WriteNumber("dividends", r.Dividends);
        w.WriteNumber("validator_trust", r.ValidatorTrust);
        w.WriteString("server_emission", ApiJson.Readable(r.ServerEmission));
        w.WriteString("validator_emission", ApiJson.Readable(r.ValidatorEmission));
        w.WriteString("emission", ApiJson.Readable(r.Emission));
        w.WriteString("take", ApiJson.Readable(r.Take));
        w.WriteString("nominator_dividends", ApiJson.Readable(r.NominatorDividends));
        w.WriteStartArray("nominators");
        foreach (var n in r.Nominators)
        {
            w.WriteStartObject();
            w.WriteString("coldkey", n.Coldkey);
            w.WriteString("amount", ApiJson.Readable(n.Amount));
            Exact(w, "amount_rao", n.Amount);
            w.WriteString("unit", unit);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Exact(w, "server_emission_rao", r.ServerEmission);
        Exact(w, "validator_emission_rao", r.ValidatorEmission);
        Exact(w, "emission_rao", r.Emission);
        Exact(w, "take_rao", r.Take);
        Exact(w, "nominator_dividends_rao", r.NominatorDividends);
        w.WriteString("unit", unit);
        w.WriteEndObject();
    }

    private static void Exact(Utf8JsonWriter w, string name, ulong rao)
    {
        Span<byte> digits = stackalloc byte[20];
        rao.TryFormat(digits, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        w.WriteString(name, digits[..n]);
    }
}
