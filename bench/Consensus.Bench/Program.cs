using System.Diagnostics;
using BenchmarkDotNet.Running;
using Bittensor.Ledger.Consensus.Bench;
using Bittensor.Ledger.Consensus.Yuma;

if (args is ["--smoke"])
{
    // A few seconds' sanity run without BenchmarkDotNet: mean of 10 epochs per shape after 30 warm-ups (tiered JIT).
    foreach (var (n, v, d) in new[] { (256, 64, 100), (1024, 128, 100), (4096, 256, 10) })
    {
        foreach (var mode in new[] { Variant.Classic, Variant.Yuma3LiquidAlpha })
        {
            var input = EpochInputs.Generate(n, v, d, mode, seed: 42);
            for (int i = 0; i < 30; i++)
            {
                YumaEpoch.Run(input);
            }

            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 10; i++)
            {
                YumaEpoch.Run(input);
            }

            Console.WriteLine($"n={n} validators={v} density={d}% {mode}: {sw.Elapsed.TotalMilliseconds / 10:F2} ms/epoch");
        }
    }

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(EpochBenchmarks).Assembly).Run(args);
