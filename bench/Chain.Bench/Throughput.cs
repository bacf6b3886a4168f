using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Bittensor.Ledger.Chain.Bench;

/// <summary>
/// SCALE bytes and item counts per payload, for the MB/s and items/s columns. The sizes are known to the host process
/// too (it loads the same fixtures), so the columns do not depend on state of the benchmark processes.
/// </summary>
public static class Throughput
{
    private static readonly ConcurrentDictionary<Payload, (int Bytes, int Items, string ItemName, int JsonChars)> Known = new();

    public static void Record(Payload payload, RecordedAnswer answer) =>
        Known[payload] = (answer.Scale.Length, answer.Items, answer.ItemName, answer.Json.Length);

    public static (int Bytes, int Items, string ItemName, int JsonChars) Of(Payload payload)
    {
        if (!Known.TryGetValue(payload, out var known))
        {
            var bench = new DecodeBenchmarks { Payload = payload };
            bench.Setup();
            known = Known[payload];
        }

        return known;
    }
}

public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new PayloadColumn("SCALE KB", (t, _) => (t.Bytes / 1000.0).ToString("N1", CultureInfo.InvariantCulture)));
        AddColumn(new PayloadColumn("JSON KB", (t, _) => (t.JsonChars / 1000.0).ToString("N1", CultureInfo.InvariantCulture)));
        AddColumn(new PayloadColumn("MB/s of SCALE", (t, meanNs) => (t.Bytes / (meanNs / 1e9) / 1e6).ToString("N1", CultureInfo.InvariantCulture)));
        AddColumn(new PayloadColumn("items/s", (t, meanNs) =>
            $"{(t.Items / (meanNs / 1e9)).ToString("N0", CultureInfo.InvariantCulture)} {t.ItemName}", decodeOnly: true));
    }
}

/// <summary>A column computed from the payload's size and the measured mean.</summary>
public sealed class PayloadColumn(
    string name, Func<(int Bytes, int Items, string ItemName, int JsonChars), double, string> value, bool decodeOnly = false) : IColumn
{
    public string Id => nameof(PayloadColumn) + "." + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => name switch
    {
        "MB/s of SCALE" => "SCALE bytes of the answer (10^6 per MB) per second of the mean, for every method",
        "items/s" => "records, elements, uids or registry types decoded per second of the mean (Decode rows only)",
        _ => "size of the answer (10^3 bytes or characters)",
    };

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        if (benchmarkCase.Parameters["Payload"] is not Payload payload)
        {
            return "?";
        }

        if (decodeOnly && benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(DecodeBenchmarks.Decode))
        {
            return "-";
        }

        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? value(Throughput.Of(payload), mean.Value) : value(Throughput.Of(payload), double.NaN);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
