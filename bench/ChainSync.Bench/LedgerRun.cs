using System.Diagnostics;
using System.Globalization;

namespace Bittensor.Ledger.ChainSync.Bench;

/// <summary>One run of the real <c>ledger</c> executable, watched from outside: wall time, peak RSS (VmHWM) and CPU time
/// (utime + stime) of its process, polled from /proc every 50 ms, and the machine's load average meanwhile.</summary>
internal sealed record LedgerRun(int ExitCode, string Output, string Error, TimeSpan Wall, double PeakRssMb, TimeSpan Cpu, double LoadMin, double LoadMax)
{
    /// <summary>The Cli project's own build of ledger.dll in the bench's configuration (built by the bench's project
    /// reference), or the one <c>--ledger PATH</c> names (another build of the ledger, to compare in the same session).</summary>
    public static string Executable { get; set; } = Find();

    public static async Task<LedgerRun> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Executable);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Never read a developer's chain URL or cache from the environment.
        start.Environment.Remove("LEDGER_CHAIN_URL");
        start.Environment.Remove("LEDGER_CACHE_DIR");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        double peakKb = 0;
        long ticks = 0;
        double loadMin = double.MaxValue, loadMax = 0;
        var nextLoad = TimeSpan.Zero;
        var exited = process.WaitForExitAsync();
        while (!exited.IsCompleted)
        {
            if (Status(process.Id, "VmHWM:") is { } hwm)
            {
                peakKb = Math.Max(peakKb, hwm);
            }

            if (CpuTicks(process.Id) is { } cpu)
            {
                ticks = cpu;
            }

            if (clock.Elapsed >= nextLoad)
            {
                var load = LoadAverage();
                loadMin = Math.Min(loadMin, load);
                loadMax = Math.Max(loadMax, load);
                nextLoad += TimeSpan.FromSeconds(5);
            }

            await Task.WhenAny(exited, Task.Delay(50));
        }

        await exited;
        clock.Stop();
        // USER_HZ is 100 on Linux.
        return new LedgerRun(process.ExitCode, await output, await error, clock.Elapsed, peakKb / 1024, TimeSpan.FromSeconds(ticks / 100.0), loadMin, loadMax);
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static double? Status(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process has just exited.
        }

        return null;
    }

    /// <summary>utime + stime of process <paramref name="pid"/> in clock ticks (1/100 s), or null when it is gone or not visible.</summary>
    public static long? CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which is in parentheses and may hold spaces): state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static string Find()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent?.Name ?? "Release";
        for (var dir = tfm; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Cli", "bin", configuration, tfm.Name, "ledger.dll");
            if (File.Exists(Path.Combine(dir.FullName, "Bittensor.Ledger.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"src/Cli/bin/{configuration}/{tfm.Name}/ledger.dll was not found above {AppContext.BaseDirectory}: build the bench project (it builds src/Cli)");
    }
}
