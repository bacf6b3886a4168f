using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Yuma;
using CsCheck;

namespace Bittensor.Ledger.Consensus.Tests.Oracle;

/// <summary>
/// The optimized <see cref="YumaEpoch.Run"/> against <see cref="ReferenceEpoch.Run"/> (the straightforward epoch it
/// replaced, kept verbatim in this folder): every output and every trace vector must agree bit for bit, on inputs that
/// hit the awkward paths too (unsorted rows, duplicate columns, columns ≥ n, explicit zeros, short vectors, saturating
/// stakes, commit-reveal, both bond variants, liquid alpha, any penalty, trace on and off).
/// </summary>
public sealed class OracleEquivalenceTests
{
    private static Gen<YumaInput> Inputs(int maxN) =>
        from n in Gen.Int[0, maxN]
        from seed in Gen.Int
        from flags in Gen.Int
        select Build(n, seed, flags);

    private static YumaInput Build(int n, int seed, int flags)
    {
        var rng = new Random(seed); // test-side input generation only
        bool Flag(int bit) => ((flags >> bit) & 1) != 0;
        int density = rng.Next(5) switch { 0 => 100, 1 => 0, _ => rng.Next(1, 100) };
        bool unsorted = Flag(0) && rng.Next(3) == 0;
        bool duplicates = Flag(1) && rng.Next(3) == 0;
        bool wideStakes = Flag(2);
        int validators = n == 0 ? 0 : rng.Next(1, n + 1);

        var stake = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            stake[i] = rng.Next(6) == 0 ? 0
                : wideStakes ? (ulong)rng.NextInt64(0, long.MaxValue) * (ulong)rng.Next(1, 3)
                : (ulong)rng.NextInt64(1, 100_000_000_000_000);
        }

        (ushort, ushort)[] Row(int i, int cols, bool bondsRow)
        {
            var list = new List<(ushort, ushort)>();
            for (int j = 0; j < cols + 3; j++)
            {
                if (rng.Next(100) < density || (j == i && rng.Next(4) == 0))
                {
                    ushort v = rng.Next(8) == 0 ? (ushort)0 : rng.Next(4) == 0 ? (ushort)65535 : (ushort)rng.Next(1, 65536);
                    if (!bondsRow || j < cols || rng.Next(2) == 0)
                    {
                        list.Add(((ushort)j, v));
                    }
                }
            }

            if (duplicates && list.Count > 0)
            {
                var e = list[rng.Next(list.Count)];
                list.Insert(rng.Next(list.Count + 1), (e.Item1, (ushort)rng.Next(0, 65536)));
            }

            if (unsorted)
            {
                list = [.. list.OrderBy(_ => rng.Next())];
            }

            return [.. list];
        }

        int weightRows = rng.Next(8) == 0 ? rng.Next(0, n + 1) : n;
        var weights = new (ushort, ushort)[weightRows][];
        for (int i = 0; i < weightRows; i++)
        {
            weights[i] = i < validators || rng.Next(10) == 0 ? Row(i, n, false) : [];
        }

        int bondRows = rng.Next(8) == 0 ? rng.Next(0, n + 1) : n;
        var bonds = new (ushort, ushort)[bondRows][];
        for (int i = 0; i < bondRows; i++)
        {
            bonds[i] = rng.Next(3) == 0 ? [] : Row(i, n, true);
        }

        int Len() => rng.Next(10) switch { 0 => 0, 1 => rng.Next(0, n + 1), _ => n };
        ulong currentBlock = 10_000;
        ushort alphaLow = (ushort)rng.Next(0, 65536);
        ushort alphaHigh = (ushort)rng.Next(alphaLow, 65536);
        return new YumaInput
        {
            CurrentBlock = currentBlock,
            RaoEmission = rng.Next(3) == 0 ? (ulong)rng.NextInt64(0, long.MaxValue) : 1_000_000_000,
            N = n,
            Hyperparameters = new YumaHyperparameters
            {
                Tempo = 360,
                ActivityCutoff = (ulong)rng.Next(1, 6000),
                StakeThreshold = rng.Next(4) == 0 ? (ulong)rng.NextInt64(0, 50_000_000_000_000) : 0,
                OwnerUid = n > 0 && rng.Next(3) == 0 ? (ushort)rng.Next(0, n + 2) : null,
                MaxAllowedValidators = (ushort)rng.Next(0, n + 3),
                Kappa = rng.Next(3) == 0 ? (ushort)rng.Next(0, 65536) : (ushort)32_767,
                BondsPenalty = rng.Next(3) switch { 0 => 0, 1 => 65_535, _ => (ushort)rng.Next(0, 65536) },
                Yuma3 = Flag(3),
                LiquidAlpha = Flag(4),
                AlphaLow = alphaLow,
                AlphaHigh = alphaHigh,
                AlphaSigmoidSteepness = rng.Next(3) == 0 ? (short)rng.Next(short.MinValue, short.MaxValue + 1) : (short)1000,
                BondsMovingAverage = rng.Next(3) == 0 ? (ulong)rng.Next(0, 2_000_000) : 900_000,
                LastMechanismStepBlock = rng.Next(2) == 0 ? 0 : (ulong)rng.Next(9_000, 10_000),
            },
            StakeAlphaRao = stake,
            StakeTaoRao = Flag(5) ? [.. Enumerable.Range(0, Len()).Select(_ => (ulong)rng.NextInt64(0, 1_000_000_000_000))] : null,
            TaoWeight = Flag(5) ? StakeWeights.TaoWeight(971_718_665_099_567_868) : default,
            TotalStake = Flag(6) && rng.Next(2) == 0
                ? [.. Enumerable.Range(0, Len()).Select(_ => I64F64.FromBits((Int128)rng.NextInt64() << rng.Next(0, 64)))]
                : null,
            BlockAtRegistration = [.. Enumerable.Range(0, Len()).Select(_ => rng.Next(3) == 0 ? (ulong)rng.Next(8_000, 10_001) : 0UL)],
            LastUpdate = [.. Enumerable.Range(0, Len()).Select(_ => (ulong)rng.Next(3_000, 10_000))],
            ValidatorPermit = [.. Enumerable.Range(0, Len()).Select(i => i < validators ? rng.Next(8) != 0 : rng.Next(8) == 0)],
            Weights = weights,
            Bonds = bonds,
            CommitBlocks = Flag(7) ? [.. Enumerable.Range(0, Len()).Select(_ => rng.Next(3) == 0 ? ulong.MaxValue : (ulong)rng.Next(8_000, 10_001))] : null,
            Trace = Flag(8),
        };
    }

    private static void ShouldMatch(YumaOutput actual, YumaOutput expected)
    {
        actual.StakeWeight.ShouldBe(expected.StakeWeight);
        actual.Consensus.ShouldBe(expected.Consensus);
        actual.Incentive.ShouldBe(expected.Incentive);
        actual.Dividends.ShouldBe(expected.Dividends);
        actual.ValidatorTrust.ShouldBe(expected.ValidatorTrust);
        actual.ServerEmission.ShouldBe(expected.ServerEmission);
        actual.ValidatorEmission.ShouldBe(expected.ValidatorEmission);
        actual.Emission.ShouldBe(expected.Emission);
        actual.Active.ShouldBe(expected.Active);
        actual.NewValidatorPermit.ShouldBe(expected.NewValidatorPermit);
        actual.Bonds.Length.ShouldBe(expected.Bonds.Length);
        for (int i = 0; i < expected.Bonds.Length; i++)
        {
            actual.Bonds[i].ShouldBe(expected.Bonds[i], $"bond row {i}");
        }

        (actual.Trace is null).ShouldBe(expected.Trace is null);
        if (expected.Trace is { } e && actual.Trace is { } a)
        {
            a.Stake.ShouldBe(e.Stake);
            a.ActiveStake.ShouldBe(e.ActiveStake);
            Rows(a.Weights, e.Weights, "weights");
            a.Consensus.ShouldBe(e.Consensus);
            a.Incentive.ShouldBe(e.Incentive);
            a.Dividends.ShouldBe(e.Dividends);
            a.ValidatorTrust.ShouldBe(e.ValidatorTrust);
            Rows(a.BondsDelta, e.BondsDelta, "bonds delta");
            Rows(a.EmaBonds, e.EmaBonds, "ema bonds");
            a.NormalizedServerEmission.ShouldBe(e.NormalizedServerEmission);
            a.NormalizedValidatorEmission.ShouldBe(e.NormalizedValidatorEmission);
            a.NormalizedCombinedEmission.ShouldBe(e.NormalizedCombinedEmission);
        }
    }

    private static void Rows((ushort Col, I32F32 Val)[][] actual, (ushort Col, I32F32 Val)[][] expected, string what)
    {
        actual.Length.ShouldBe(expected.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].ShouldBe(expected[i], $"{what} row {i}");
        }
    }

    [Fact]
    public void SmallEpochs_MatchTheReferenceEpochBitForBit()
    {
        Inputs(24).Sample(input => ShouldMatch(YumaEpoch.Run(input), ReferenceEpoch.Run(input)), iter: 3000);
    }

    [Fact]
    public void LargerEpochs_MatchTheReferenceEpochBitForBit()
    {
        Inputs(300).Sample(input => ShouldMatch(YumaEpoch.Run(input), ReferenceEpoch.Run(input)), iter: 200);
    }

    [Fact]
    public void RunningTwice_GivesTheSameResultAndLeavesTheInputUntouched()
    {
        Inputs(40).Sample(input =>
        {
            var weights = input.Weights.Select(r => r.ToArray()).ToArray();
            var bonds = input.Bonds.Select(r => r.ToArray()).ToArray();
            var first = YumaEpoch.Run(input);
            ShouldMatch(YumaEpoch.Run(input), first);
            input.Weights.ShouldBe(weights);
            input.Bonds.ShouldBe(bonds);
        }, iter: 300);
    }

    [Fact]
    public void WeightedMedianColSparse_MatchesReference()
    {
        // Few distinct scores and stakes (ties everywhere), zero and negative stakes (dropped rows), stakes too small to
        // survive normalization, duplicate and out-of-range columns, explicit zeros, empty rows and columns, and
        // majorities from 0 to above the stake total (minority below 0). Stakes stay below 2^58 so that their sum (14 rows
        // at most) fits a long, as the epoch's normalized stakes always do.
        var stakeBits = Gen.OneOf(Gen.Long[-2, 3], Gen.Const(1L << 30), Gen.Const(1L << 32), Gen.Long[0, 1L << 34], Gen.Long[0, 1L << 58]);
        var scoreBits = Gen.OneOf(Gen.Long[0, 3].Select(v => v << 29), Gen.Long[0, 1L << 32], Gen.Long[-2, 2], Gen.Long);
        var majorityBits = Gen.OneOf(Gen.Const(0L), Gen.Long[0, 1L << 32], Gen.Long[(1L << 32) - 8, (1L << 32) + 8], Gen.Const(1L << 33), Gen.Long);
        var entry = Gen.Select(Gen.Int[0, 11], scoreBits, (c, v) => ((ushort)c, I32F32.FromBits(v)));
        Gen.Select(stakeBits.Array[0, 14], entry.Array[0, 12].Array[0, 14], Gen.Int[0, 10], majorityBits).Sample((stakes, rows, columns, majority) =>
        {
            var stake = stakes.Select(I32F32.FromBits).ToArray();
            var expected = new I32F32[columns];
            ReferenceMath.WeightedMedianColSparse(stake, rows, columns, I32F32.FromBits(majority), expected);
            var jagged = new I32F32[columns];
            Kernels.YumaMath.WeightedMedianColSparse(stake, rows, columns, I32F32.FromBits(majority), jagged);
            jagged.ShouldBe(expected);

            using var csr = new Kernels.CsrMatrix(rows.Length, rows.Sum(r => r.Length));
            int w = 0;
            for (int i = 0; i < rows.Length; i++)
            {
                foreach (var (col, val) in rows[i])
                {
                    csr.Col[w] = col;
                    csr.Val[w++] = val;
                }

                csr.Start[i + 1] = w;
            }

            var flat = new I32F32[columns];
            Kernels.YumaMath.WeightedMedianColSparse(stake, csr, columns, I32F32.FromBits(majority), flat);
            flat.ShouldBe(expected);
        }, iter: 20_000);
    }

    [Fact]
    public void ExpSafe_MatchesTheReferenceKernel()
    {
        var inputs = Gen.OneOf(Gen.Long, Gen.Long[-25L << 32, 25L << 32], Gen.Long[-6L << 32, 6L << 32], Gen.Long[-1000, 1000],
            Gen.Long[(19L << 32) - 1000, (21L << 32) + 1000]);
        inputs.Sample(x => Kernels.YumaMath.ExpSafe(I32F32.FromBits(x)).ShouldBe(ReferenceMath.ExpSafe(I32F32.FromBits(x))), iter: 100_000);
    }

    [Fact]
    public void ExpSafeOverASpan_MatchesTheReferenceKernelElementWise()
    {
        var element = Gen.OneOf(Gen.Long, Gen.Long[-25L << 32, 25L << 32], Gen.Long[-6L << 32, 6L << 32], Gen.Long[-1000, 1000],
            Gen.Long[(19L << 32) - 1000, (21L << 32) + 1000], Gen.OneOf(Gen.Const(0L), Gen.Const(1L << 32), Gen.Const(-(1L << 32))));
        element.Array[0, 13].Sample(xs =>
        {
            var input = xs.Select(I32F32.FromBits).ToArray();
            var result = new I32F32[input.Length];
            Kernels.YumaMath.ExpSafe(input, result);
            result.ShouldBe(input.Select(ReferenceMath.ExpSafe).ToArray());
            Kernels.YumaMath.ExpSafe(input, input);
            input.ShouldBe(result);
        }, iter: 20_000);
    }
}
