namespace Bittensor.Ledger.MainnetDay.Bench;

/// <summary>One phase of the run. <paramref name="Inside"/> is the time the command reports for its own work (after
/// process start and schema check), where it reports one; <paramref name="Events"/> what it processed (lines for
/// generate, COPY and import; events of the projected types for rebuild; stored events for verify).</summary>
public sealed record Phase(
    string Name, string Command, double WallSeconds, double? InsideSeconds, long Events, long Epochs, double PeakRssMb,
    double CpuSeconds, double PostgresCpuSeconds, long DatabaseBytes, double LoadMin, double LoadMax,
    IReadOnlyList<StatementCost> TopStatements, string? Detail = null)
{
    public double EventsPerSecond => Events / (InsideSeconds ?? WallSeconds);

    public double EpochsPerSecond => Epochs / (InsideSeconds ?? WallSeconds);
}

public sealed record DigestRow(string Name, string Digest, long Rows);

public sealed record TableSize(string Name, long Bytes, long Rows);

public sealed record RunReport(
    string Workload, int Subnets, int Blocks, int Seed, string Server, string? StatementsUnavailable,
    Workload File, IReadOnlyList<Phase> Phases, double ImportOverCopy, double RebuildOverCopy, double ImportOverLz4Copy, double RebuildOverLz4Copy,
    IReadOnlyList<DigestRow> DigestAfterImport, IReadOnlyList<DigestRow> DigestAfterRebuild, bool DigestsEqual,
    bool VerifyHolds, long VerifyEpochs, long VerifyEpochsMatching, IReadOnlyList<QueryTiming> Queries,
    IReadOnlyList<TableSize> Tables, long RawCopyTableBytes, long RawCopyLz4TableBytes);
