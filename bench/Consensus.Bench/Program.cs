using System.Diagnostics;
using BenchmarkDotNet.Running;
using Bittensor.Ledger.Consensus.Bench;
using Bittensor.Ledger.Consensus.Yuma;

if (args is ["--write-json", var path, var shape, var variant])
{
    // `ledger yuma` input for the CLI benchmark (docs/benchmarks.md): e.g. --write-json in.json 4096/256/10 Classic.
    var parts = shape.Split('/').Select(int.Parse).ToArray();
    var generated = EpochInputs.Generate(parts[0], parts[1], parts[2], Enum.Parse<Variant>(variant), seed: 42);
    using var file = File.Create(path);
    EpochJson.Write(generated, file);
    return;
}

if (args is ["--loop", var loopShape, var loopVariant, var loopCount])
{
    // A fixed number of epochs on one shape, for profilers (perf, valgrind --tool=callgrind): e.g. --loop 256/64/100 Classic 2000.
    var parts = loopShape.Split('/').Select(int.Parse).ToArray();
    var looped = EpochInputs.Generate(parts[0], parts[1], parts[2], Enum.Parse<Variant>(loopVariant), seed: 42);
    for (int i = int.Parse(loopCount, System.Globalization.CultureInfo.InvariantCulture); i > 0; i--)
    {
        YumaEpoch.Run(looped);
    }

    return;
}

if (args is ["--smoke"])
{
    // A sanity run without BenchmarkDotNet, ~20 s: per shape, at least 60 epochs and 2 s of warm-up (tiered JIT needs
    // 30 calls of each kernel plus a background compile before the hot loops run optimized code; 30 warm-up epochs
    // were not enough and measured tier-0 code), then the best of 5 rounds of 10 epochs, which filters out most of
    // the noise of a shared machine.
    foreach (var (n, v, d) in new[] { (256, 64, 100), (1024, 128, 100), (4096, 256, 10) })
    {
        foreach (var mode in new[] { Variant.Classic, Variant.Yuma3LiquidAlpha })
        {
            var input = EpochInputs.Generate(n, v, d, mode, seed: 42);
            var sw = Stopwatch.StartNew();
            for (int warm = 0; warm < 60 || sw.ElapsedMilliseconds < 2000; warm++)
            {
                YumaEpoch.Run(input);
            }

            double best = double.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                sw.Restart();
                for (int i = 0; i < 10; i++)
                {
                    YumaEpoch.Run(input);
                }

                best = Math.Min(best, sw.Elapsed.TotalMilliseconds / 10);
            }

            Console.WriteLine($"n={n} validators={v} density={d}% {mode}: {best:F2} ms/epoch (best of 5 x 10)");
        }
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(EpochBenchmarks).Assembly).Run(args);
