using BenchmarkDotNet.Attributes;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Bench;

/// <summary>
/// One sparse Yuma epoch at subnet sizes the ledger meets. Inputs are generated once per parameter set from a fixed
/// seed; bonds come from a warm-up epoch so the EMA paths see realistic, non-empty bond rows.
/// </summary>
[MemoryDiagnoser]
public class EpochBenchmarks
{
    private YumaInput _input = null!;

    /// <summary>n / validators / row density (percent).</summary>
    [Params("256/64/100", "1024/128/100", "4096/256/10")]
    public string Shape { get; set; } = "256/64/100";

    [Params(Variant.Classic, Variant.Yuma3LiquidAlpha)]
    public Variant Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('/').Select(int.Parse).ToArray();
        _input = EpochInputs.Generate(parts[0], parts[1], parts[2], Mode, seed: 42);
    }

    [Benchmark]
    public YumaOutput Epoch() => YumaEpoch.Run(_input);
}

public enum Variant
{
    Classic,
    Yuma3LiquidAlpha,
}

public static class EpochInputs
{
    public static YumaInput Generate(int n, int validators, int densityPercent, Variant mode, int seed)
    {
        var rng = new Random(seed);
        var stake = new ulong[n];
        var weights = new (ushort, ushort)[n][];
        var permits = new bool[n];
        // Sparse subnets still agree on which miners matter: a shared set of columns (the density) that each
        // validator weights with probability 0.9, so consensus, clipping and liquid alpha all do real work.
        var shared = Enumerable.Range(validators, n - validators).Where(_ => densityPercent >= 100 || rng.Next(100) < densityPercent).ToArray();
        for (int v = 0; v < validators; v++)
        {
            stake[v] = (ulong)rng.NextInt64(1_000_000_000_000, 100_000_000_000_000);
            permits[v] = true;
            var row = new List<(ushort, ushort)>();
            foreach (int j in shared)
            {
                if (densityPercent >= 100 || rng.Next(10) < 9)
                {
                    row.Add(((ushort)j, (ushort)rng.Next(1, 65536)));
                }
            }

            weights[v] = [.. row];
        }

        for (int i = validators; i < n; i++)
        {
            weights[i] = [];
        }

        var input = new YumaInput
        {
            CurrentBlock = 10_000,
            RaoEmission = 1_000_000_000,
            N = n,
            Hyperparameters = new YumaHyperparameters
            {
                Tempo = 360,
                ActivityCutoff = 5000,
                MaxAllowedValidators = (ushort)validators,
                Yuma3 = mode == Variant.Yuma3LiquidAlpha,
                LiquidAlpha = mode == Variant.Yuma3LiquidAlpha,
                AlphaLow = 6553,
                AlphaHigh = 19660,
                LastMechanismStepBlock = 9_640,
            },
            StakeAlphaRao = stake,
            BlockAtRegistration = new ulong[n],
            LastUpdate = [.. Enumerable.Range(0, n).Select(_ => (ulong)rng.Next(9_000, 10_000))],
            ValidatorPermit = permits,
            Weights = weights,
            Bonds = [.. Enumerable.Range(0, n).Select(_ => Array.Empty<(ushort, ushort)>())],
        };

        // Warm-up epoch: its stored bonds become this epoch's bonds.
        var warm = YumaEpoch.Run(input);
        return input with { Bonds = warm.Bonds };
    }
}
