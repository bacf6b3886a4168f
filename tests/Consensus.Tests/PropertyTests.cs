using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;
using Bittensor.Ledger.Consensus.Yuma;
using CsCheck;

namespace Bittensor.Ledger.Consensus.Tests;

public sealed class PropertyTests
{
    /// <summary>A random but well-formed epoch. Stakes are distinct multiples of 1e9 rao when <paramref name="distinctStakes"/>.</summary>
    private static Gen<YumaInput> Epochs(bool distinctStakes, bool sortedRows) =>
        from n in Gen.Int[1, 40]
        from seed in Gen.Int
        from yuma3 in Gen.Bool
        from liquid in Gen.Bool
        from kappa in Gen.UShort
        from bondsPenalty in Gen.OneOf(Gen.Const((ushort)0), Gen.Const((ushort)65535), Gen.UShort)
        from ownerPick in Gen.Int[-1, 39]
        from rao in Gen.OneOf(Gen.Const(1_000_000_000UL), Gen.ULong[0, 21_000_000_000_000_000])
        select Build(n, seed, yuma3, liquid, kappa, bondsPenalty, ownerPick, rao, distinctStakes, sortedRows);

    private static YumaInput Build(int n, int seed, bool yuma3, bool liquid, ushort kappa, ushort bondsPenalty, int ownerPick, ulong rao, bool distinctStakes, bool sortedRows)
    {
        var rng = new Random(seed); // test-side input generation only; Consensus itself has no randomness
        var pool = Enumerable.Range(1, 1000).OrderBy(_ => rng.Next()).ToArray();
        var stake = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            stake[i] = rng.Next(4) == 0 ? 0 : distinctStakes ? (ulong)pool[i] * 1_000_000_000UL : (ulong)rng.NextInt64(0, 21_000_000_000_000_000);
        }

        stake[rng.Next(n)] = distinctStakes ? (ulong)pool[n] * 1_000_000_000UL : 1_000_000_000_000; // at least one staker
        var weights = new (ushort, ushort)[n][];
        var bonds = new (ushort, ushort)[n][];
        for (int i = 0; i < n; i++)
        {
            var cols = Enumerable.Range(0, n + 2).Where(_ => rng.Next(3) == 0).Select(c => (ushort)c);
            cols = sortedRows ? cols.Order() : cols.OrderBy(_ => rng.Next());
            weights[i] = [.. cols.Select(c => (c, (ushort)(rng.Next(5) == 0 ? 0 : rng.Next(1, 65536))))];
            bonds[i] = [.. Enumerable.Range(0, n).Where(_ => rng.Next(3) == 0).Select(c => ((ushort)c, (ushort)rng.Next(0, 65536)))];
        }

        return new YumaInput
        {
            CurrentBlock = 1000,
            RaoEmission = rao,
            N = n,
            Hyperparameters = new YumaHyperparameters
            {
                Tempo = 100,
                ActivityCutoff = 500,
                Kappa = kappa,
                BondsPenalty = bondsPenalty,
                Yuma3 = yuma3,
                LiquidAlpha = liquid,
                AlphaLow = 6553,
                AlphaHigh = 19660,
                MaxAllowedValidators = (ushort)rng.Next(1, n + 2),
                OwnerUid = ownerPick >= 0 && ownerPick < n ? (ushort)ownerPick : null,
                LastMechanismStepBlock = (ulong)rng.Next(0, 3) * 400,
            },
            StakeAlphaRao = stake,
            BlockAtRegistration = [.. Enumerable.Range(0, n).Select(_ => (ulong)rng.Next(0, 1000))],
            LastUpdate = [.. Enumerable.Range(0, n).Select(_ => (ulong)rng.Next(0, 1000))],
            ValidatorPermit = [.. Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0)],
            Weights = weights,
            Bonds = bonds,
            Trace = true,
        };
    }

    [Fact]
    public void InplaceNormalize_SumsToOneWithinOneUlpPerElement()
    {
        Gen.Long[0, 1L << 40].Array[1, 300].Sample(raw =>
        {
            var x = raw.Select(I32F32.FromBits).ToArray();
            if (YumaMath.Sum(x).IsZero)
            {
                return;
            }

            YumaMath.InplaceNormalize(x);
            long sum = YumaMath.Sum(x).Bits;
            sum.ShouldBeLessThanOrEqualTo(I32F32.One.Bits);
            sum.ShouldBeGreaterThanOrEqualTo(I32F32.One.Bits - x.Length);
        });
    }

    [Fact]
    public void RowNormalizedWeights_SumToOneWithinOneUlpPerEntry()
    {
        Epochs(distinctStakes: false, sortedRows: false).Sample(input =>
        {
            foreach (var row in YumaEpoch.Run(input).Trace!.Weights)
            {
                long sum = row.Sum(e => e.Val.Bits);
                if (sum != 0)
                {
                    sum.ShouldBeInRange(I32F32.One.Bits - row.Length, I32F32.One.Bits);
                }
            }
        }, iter: 300);
    }

    [Fact]
    public void Emission_NeverExceedsRaoEmissionAndDustIsBounded()
    {
        Epochs(distinctStakes: false, sortedRows: false).Sample(input =>
        {
            var output = YumaEpoch.Run(input);
            UInt128 total = 0;
            for (int i = 0; i < input.N; i++)
            {
                total += (UInt128)output.ServerEmission[i] + output.ValidatorEmission[i];
            }

            total.ShouldBeLessThanOrEqualTo((UInt128)input.RaoEmission);
            if (output.Trace!.Stake.Any(s => !s.IsZero))
            {
                UInt128 n2 = 2 * (UInt128)input.N;
                UInt128 bound = n2 + ((UInt128)input.RaoEmission * n2 >> 32);
                ((UInt128)input.RaoEmission - total).ShouldBeLessThanOrEqualTo(bound);
            }

            output.Trace.Incentive.ShouldAllBe(v => v >= I32F32.Zero);
            output.Trace.Dividends.ShouldAllBe(v => v >= I32F32.Zero);
        }, iter: 300);
    }

    /// <summary>
    /// Relabelling uids permutes every output. The reference is uid-order dependent in three places, which this test
    /// avoids rather than hides: top-k permits break stake ties by uid (so non-zero stakes are distinct multiples of
    /// 1e9 rao, far apart after I32F32 flooring); the liquid-alpha merge walk assumes rows sorted by column (so rows are
    /// generated sorted and re-sorted after relabelling); and stored Yuma3 bond rows follow weight-row order (so bond
    /// rows are compared as sets). The weighted median's pivot order could matter only when a cumulative stake lands
    /// exactly on the minority threshold, which these stakes make vanishingly unlikely.
    /// </summary>
    [Fact]
    public void PermutingUids_PermutesOutputs()
    {
        Gen.Select(Epochs(distinctStakes: true, sortedRows: true), Gen.Int).Sample((input, seed) =>
        {
            int n = input.N;
            var rng = new Random(seed);
            int[] perm = [.. Enumerable.Range(0, n).OrderBy(_ => rng.Next())]; // perm[old] = new
            ushort Map(ushort c) => c < n ? (ushort)perm[c] : c;
            T[] Permute<T>(T[] a)
            {
                var r = new T[a.Length];
                for (int i = 0; i < a.Length; i++)
                {
                    r[perm[i]] = a[i];
                }

                return r;
            }

            (ushort, ushort)[][] Rows((ushort Col, ushort Val)[][] rows) =>
                Permute(rows.Select(r => r.Select(e => (Map(e.Col), e.Val)).OrderBy(e => e.Item1).ToArray()).ToArray());

            var permuted = input with
            {
                StakeAlphaRao = Permute(input.StakeAlphaRao),
                BlockAtRegistration = Permute(input.BlockAtRegistration),
                LastUpdate = Permute(input.LastUpdate),
                ValidatorPermit = Permute(input.ValidatorPermit),
                Weights = Rows(input.Weights),
                Bonds = Rows(input.Bonds),
                Hyperparameters = input.Hyperparameters with { OwnerUid = input.Hyperparameters.OwnerUid is ushort o ? (ushort)perm[o] : null },
            };

            var a = YumaEpoch.Run(input);
            var b = YumaEpoch.Run(permuted);
            b.StakeWeight.ShouldBe(Permute(a.StakeWeight));
            b.Consensus.ShouldBe(Permute(a.Consensus));
            b.Incentive.ShouldBe(Permute(a.Incentive));
            b.Dividends.ShouldBe(Permute(a.Dividends));
            b.ValidatorTrust.ShouldBe(Permute(a.ValidatorTrust));
            b.ServerEmission.ShouldBe(Permute(a.ServerEmission));
            b.ValidatorEmission.ShouldBe(Permute(a.ValidatorEmission));
            b.Emission.ShouldBe(Permute(a.Emission));
            b.Active.ShouldBe(Permute(a.Active));
            b.NewValidatorPermit.ShouldBe(Permute(a.NewValidatorPermit));
            var expectedBonds = Rows(a.Bonds);
            for (int i = 0; i < n; i++)
            {
                b.Bonds[i].OrderBy(e => e.Col).ShouldBe(expectedBonds[i]);
            }
        }, iter: 200);
    }

    [Fact]
    public void EmptyAndSingleNeuronSubnets_AreHandled()
    {
        var empty = YumaEpoch.Run(new YumaInput { N = 0, RaoEmission = 1_000_000_000, CurrentBlock = 5 });
        empty.Emission.ShouldBeEmpty();
        empty.Bonds.ShouldBeEmpty();

        var single = YumaEpoch.Run(new YumaInput
        {
            N = 1,
            CurrentBlock = 2,
            RaoEmission = 1_000_000_000,
            StakeAlphaRao = [5],
            BlockAtRegistration = [1],
            LastUpdate = [1],
            ValidatorPermit = [true],
            Weights = [[(0, 65535)]],
            Bonds = [[]],
        });
        single.ValidatorEmission.ShouldBe([1_000_000_000UL]);
        single.ServerEmission.ShouldBe([0UL]);
    }

    [Fact]
    public void ZeroStake_EmitsNothingAndGrantsNoPermits()
    {
        var output = YumaEpoch.Run(new YumaInput
        {
            N = 3,
            CurrentBlock = 2,
            RaoEmission = 1_000_000_000,
            StakeAlphaRao = [0, 0, 0],
            BlockAtRegistration = [0, 0, 0],
            LastUpdate = [1, 1, 1],
            ValidatorPermit = [true, true, true],
            Weights = [[(1, 65535)], [(2, 65535)], []],
            Bonds = [[], [], []],
        });
        output.Emission.ShouldAllBe(e => e == 0);
        output.NewValidatorPermit.ShouldAllBe(p => !p);
        output.Consensus.ShouldAllBe(c => c == 0);
    }
}
