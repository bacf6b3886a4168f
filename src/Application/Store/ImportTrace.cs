using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Where an import's wall-clock goes, per pipeline stage (busy and waiting time), written to stderr at the
/// end of an import when the environment variable <c>LEDGER_IMPORT_TRACE</c> is set (the import bench sets it with
/// <c>--trace</c>). Off, it costs one branch per batch.</summary>
internal sealed class ImportTrace
{
    private readonly long[] _ticks = new long[(int)Step.Count];

    public static ImportTrace? FromEnvironment() =>
        Environment.GetEnvironmentVariable("LEDGER_IMPORT_TRACE") is { Length: > 0 } ? new ImportTrace() : null;

    public enum Step
    {
        ReadParse,
        ReadWaitHandOff,
        CheckWaitInput,
        CheckKeys,
        CheckJudge,
        CheckPrepare,
        CheckWaitWrite,
        WriteBegin,
        WriteCopyEvents,
        WriteCopyKeys,
        WriteStatusCommit,
        Count,
    }

    public void Add(Step step, long startTimestamp) =>
        Interlocked.Add(ref _ticks[(int)step], Stopwatch.GetTimestamp() - startTimestamp);

    public void Report(TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"import trace, wall {elapsed.TotalSeconds:F1} s:");
        for (var i = 0; i < (int)Step.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n  {(Step)i,-18} {Stopwatch.GetElapsedTime(0, _ticks[i]).TotalSeconds,7:F2} s");
        }

        Console.Error.WriteLine(text.ToString());
    }
}
