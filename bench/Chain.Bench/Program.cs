using System.Diagnostics;
using BenchmarkDotNet.Running;
using Bittensor.Ledger.Chain.Bench;

if (args is ["--loop", var name, var seconds])
{
    // Decode one payload in a loop for a profiler (`perf record -g` with DOTNET_PerfMapEnabled=1), no BenchmarkDotNet.
    var bench = new DecodeBenchmarks { Payload = Enum.Parse<Payload>(name, ignoreCase: true) };
    bench.Setup();
    var sw = Stopwatch.StartNew();
    var calls = 0;
    while (sw.Elapsed.TotalSeconds < double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture))
    {
        bench.Decode();
        calls++;
    }

    Console.WriteLine($"{bench.Payload}: {calls} decodes in {sw.Elapsed.TotalSeconds:F1} s, {sw.Elapsed.TotalMilliseconds * 1000 / calls:F1} us each");
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
