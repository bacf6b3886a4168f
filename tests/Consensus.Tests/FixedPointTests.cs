using System.Numerics;
using Bittensor.Ledger.Consensus.FixedPoint;
using CsCheck;

namespace Bittensor.Ledger.Consensus.Tests;

public sealed class FixedPointTests
{
    [Fact]
    public void I32F32Mul_NegativeProduct_FloorsTowardMinusInfinity()
    {
        I32F32.FromBits(-1).SaturatingMul(I32F32.FromBits(1)).Bits.ShouldBe(-1);
        I32F32.FromBits(-3).SaturatingMul(I32F32.FromBits(1L << 31)).Bits.ShouldBe(-2); // −1.5 ulp → −2
        I32F32.FromBits(3).SaturatingMul(I32F32.FromBits(1L << 31)).Bits.ShouldBe(1);   // +1.5 ulp → 1
    }

    [Fact]
    public void I32F32Div_NegativeQuotient_TruncatesTowardZero()
    {
        I32F32.FromNum(-1).CheckedDiv(I32F32.FromNum(3))!.Value.Bits.ShouldBe(-1_431_655_765);
        I32F32.FromNum(1).CheckedDiv(I32F32.FromNum(3))!.Value.Bits.ShouldBe(1_431_655_765);
    }

    [Fact]
    public void SafeDiv_ByZeroOrOnOverflow_ReturnsZero()
    {
        I32F32.One.SafeDiv(I32F32.Zero).ShouldBe(I32F32.Zero);
        I32F32.One.SafeDiv(I32F32.Delta).ShouldBe(I32F32.Zero);          // 2^32 does not fit: 0, not MAX
        I32F32.One.SaturatingDiv(I32F32.Delta).ShouldBe(I32F32.MaxValue);
        I64F64.One.SafeDiv(I64F64.FromBits(1)).ShouldBe(I64F64.Zero);
        I96F32.One.SafeDiv(I96F32.Zero).ShouldBe(I96F32.Zero);
        U64F64.One.SafeDiv(U64F64.FromBits(1)).ShouldBe(U64F64.Zero);
    }

    [Fact]
    public void SaturatingAndCheckedMul_ClampOrFailOnOverflow()
    {
        I32F32.MaxValue.SaturatingMul(I32F32.FromNum(2)).ShouldBe(I32F32.MaxValue);
        I32F32.MaxValue.SaturatingMul(I32F32.FromNum(-2)).ShouldBe(I32F32.MinValue);
        I32F32.MaxValue.CheckedMul(I32F32.FromNum(2)).ShouldBeNull();
        I64F64.FromNum((Int128)1 << 62).SaturatingMul(I64F64.FromNum(4)).ShouldBe(I64F64.MaxValue);
        I64F64.FromNum((Int128)1 << 62).SaturatingMul(I64F64.FromNum(-4)).ShouldBe(I64F64.MinValue);
        I64F64.FromNum((Int128)1 << 62).CheckedMul(I64F64.FromNum(4)).ShouldBeNull();
    }

    [Fact]
    public void FloatLiterals_RoundToNearestEvenFromExactBinaryValue()
    {
        // from_num(0.1_f64) is 429496730 (the bma=900000 alpha); the f32 literal 0.1 is 0.100000001490116…, so
        // 429496735.97 rounds to 429496736 — as the vectors' *_f32/*_bits pairs confirm (test_math_sigmoid_safe).
        I32F32.FromF64(0.1).Bits.ShouldBe(429_496_730);
        I32F32.FromF32(0.1f).Bits.ShouldBe(429_496_736);
        I32F32.FromF32(0.3f).Bits.ShouldBe(1_288_490_240);       // f32 0.3 is 0.30000001192…
        I32F32.FromF32(-0.5f).Bits.ShouldBe(-(1L << 31));
        I32F32.FromF64(2.5 / 4294967296.0).Bits.ShouldBe(2);      // tie → even
        I32F32.FromF64(3.5 / 4294967296.0).Bits.ShouldBe(4);      // tie → even
        I32F32.FromF64(1e-300).Bits.ShouldBe(0);
        I64F64.FromF64(0.5).Bits.ShouldBe((Int128)1 << 63);
    }

    [Fact]
    public void Round_TiesAwayFromZero()
    {
        I32F32.FromF64(2.5).Round().ShouldBe(I32F32.FromNum(3));
        I32F32.FromF64(-2.5).Round().ShouldBe(I32F32.FromNum(-3));
        I32F32.FromF64(-0.5).Round().ShouldBe(I32F32.FromNum(-1));
        I32F32.FromF64(2.4999).Round().ShouldBe(I32F32.FromNum(2));
        I32F32.FromF64(-2.4999).Round().ShouldBe(I32F32.FromNum(-2));
    }

    [Fact]
    public void ToIntegerConversions_FloorAndSaturate()
    {
        I32F32.FromF64(-0.25).FloorToInt().ShouldBe(-1);
        I32F32.FromF64(-0.25).SaturatingToU64().ShouldBe(0UL);
        I32F32.FromF64(65535.99).SaturatingToU16().ShouldBe((ushort)65535);
        I32F32.FromNum(70000).SaturatingToU16().ShouldBe(ushort.MaxValue);
        I96F32.FromNum(-5).SaturatingToU64().ShouldBe(0UL);
        I64F64.FromBits(-1).ToI32F32Saturating().Bits.ShouldBe(-1);   // floor of −2^-64 at 32 fractional bits
    }

    [Fact]
    public void I64F64_MulAndDiv_MatchBigIntegerReference()
    {
        var gen = Gen.Select(Gen.Long, Gen.Long, Gen.Long, Gen.Long);
        gen.Sample((a1, a0, b1, b0) =>
        {
            Int128 a = ((Int128)a1 << 64) | (ulong)a0, b = ((Int128)b1 << 64) | (ulong)b0;
            var product = (BigInteger)a * (BigInteger)b;
            var floored = BigInteger.Divide(product - (product.Sign < 0 ? (BigInteger.One << 64) - 1 : 0), BigInteger.One << 64);
            var mul = I64F64.FromBits(a).CheckedMul(I64F64.FromBits(b));
            bool fits = floored >= (BigInteger)Int128.MinValue && floored <= (BigInteger)Int128.MaxValue;
            (mul is not null).ShouldBe(fits);
            if (mul is { } m)
            {
                ((BigInteger)m.Bits).ShouldBe(floored);
            }

            if (b != 0)
            {
                var q = BigInteger.Divide((BigInteger)a << 64, b); // BigInteger division truncates toward zero
                var div = I64F64.FromBits(a).CheckedDiv(I64F64.FromBits(b));
                bool qFits = q >= (BigInteger)Int128.MinValue && q <= (BigInteger)Int128.MaxValue;
                (div is not null).ShouldBe(qFits);
                if (div is { } d)
                {
                    ((BigInteger)d.Bits).ShouldBe(q);
                }
            }
        });
    }

    [Fact]
    public void U96F32_MulAndDiv_MatchBigIntegerReference()
    {
        Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, Gen.UInt).Sample((a1, a0, b0, shift) =>
        {
            UInt128 a = ((UInt128)(a1 >> (int)(shift % 64)) << 64) | a0, b = b0;
            var product = ((BigInteger)a * b) >> 32;
            var mul = U96F32.FromBits(a).CheckedMul(U96F32.FromBits(b));
            (mul is not null).ShouldBe(product <= (BigInteger)UInt128.MaxValue);
            if (mul is { } m)
            {
                ((BigInteger)m.Bits).ShouldBe(product);
            }

            if (b != 0)
            {
                var q = ((BigInteger)a << 32) / b;
                var div = U96F32.FromBits(a).CheckedDiv(U96F32.FromBits(b));
                (div is not null).ShouldBe(q <= (BigInteger)UInt128.MaxValue);
                if (div is { } d)
                {
                    ((BigInteger)d.Bits).ShouldBe(q);
                }
            }
        });
    }

    [Fact]
    public void I32F32_MulAndDiv_MatchBigIntegerReference()
    {
        Gen.Select(Gen.Long, Gen.Long).Sample((a, b) =>
        {
            var product = (BigInteger)a * b;
            var floored = BigInteger.Divide(product - (product.Sign < 0 ? (BigInteger.One << 32) - 1 : 0), BigInteger.One << 32);
            var clamped = BigInteger.Min(BigInteger.Max(floored, long.MinValue), long.MaxValue);
            ((BigInteger)I32F32.FromBits(a).SaturatingMul(I32F32.FromBits(b)).Bits).ShouldBe(clamped);
            if (b != 0)
            {
                var q = BigInteger.Divide((BigInteger)a << 32, b);
                bool fits = q >= long.MinValue && q <= long.MaxValue;
                I32F32.FromBits(a).SafeDiv(I32F32.FromBits(b)).Bits.ShouldBe(fits ? (long)q : 0L);
            }
        });
    }
}

public sealed class WideDivisionTests
{
    [Fact]
    public void SoftwareAndHardwareDivLu_AgreeWithBigInteger()
    {
        Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong[1, ulong.MaxValue]).Sample((hi, lo, v) =>
        {
            ulong u1 = hi % v; // precondition u1 < v
            var expected = (((System.Numerics.BigInteger)u1 << 64) + lo) / v;
            ((System.Numerics.BigInteger)Bittensor.Ledger.Consensus.FixedPoint.Wide.DivLuSoftware(u1, lo, v)).ShouldBe(expected);
            ((System.Numerics.BigInteger)Bittensor.Ledger.Consensus.FixedPoint.Wide.DivLu(u1, lo, v)).ShouldBe(expected);
        });
    }
}

public sealed class DivisorTests
{
    private static readonly Gen<long> Values = Gen.OneOf(
        Gen.Long,
        Gen.Long[0, 1L << 32],
        Gen.Long[0, 65535].Select(v => v << 32),
        Gen.Long[-3, 3],
        Gen.Long[(1L << 32) - 3, (1L << 32) + 3],
        Gen.Long[long.MaxValue - 3, long.MaxValue],
        Gen.Long[long.MinValue, long.MinValue + 3],
        Gen.Long[1, 1L << 20],
        Gen.Long[0, 1L << 40].Select(v => v << 16));

    [Fact]
    public void I32F32Divisor_AgreesWithSafeDiv()
    {
        Gen.Select(Values, Values).Sample((a, b) =>
        {
            var expected = I32F32.FromBits(a).SafeDiv(I32F32.FromBits(b));
            new I32F32Divisor(I32F32.FromBits(b)).SafeDivide(I32F32.FromBits(a)).ShouldBe(expected);
        }, iter: 200_000);
    }

    [Fact]
    public void SaturatingAndCheckedMul_AgreeWithTheFull128BitProduct()
    {
        Gen.Select(Values, Values).Sample((a, b) =>
        {
            Int128 shifted = ((Int128)a * b) >> 32;
            bool fits = shifted >= long.MinValue && shifted <= long.MaxValue;
            var expected = fits ? I32F32.FromBits((long)shifted) : ((a ^ b) < 0 ? I32F32.MinValue : I32F32.MaxValue);
            I32F32.FromBits(a).SaturatingMul(I32F32.FromBits(b)).ShouldBe(expected);
            I32F32.FromBits(a).CheckedMul(I32F32.FromBits(b)).ShouldBe(fits ? expected : null);
        }, iter: 300_000);
    }

    [Fact]
    public void I32F32Divisor_OnEveryMode_AgreesWithSafeDiv()
    {
        // The divisor's modes: integer-valued (B·2^32, B = 1 included), any positive b with a proportion dividend
        // (b = 1 and powers of two included), and the fallbacks (b ≤ 0, negative or large dividends).
        var divisors = Gen.OneOf(
            Gen.Long[1, 1L << 20].Select(v => v << 32),
            Gen.Long[1, 4],
            Gen.Int[0, 62].Select(k => 1L << k),
            Gen.Long[1, 1L << 40],
            Gen.Long[(1L << 32) - 3, (1L << 32) + 3],
            Gen.Long[-3, 0],
            Values);
        var dividends = Gen.OneOf(Gen.Long[0, (1L << 32) - 1], Gen.Long[(1L << 32) - 3, (1L << 32) + 3], Gen.Long[-3, 3], Values);
        Gen.Select(dividends, divisors).Sample((a, b) =>
            new I32F32Divisor(I32F32.FromBits(b)).SafeDivide(I32F32.FromBits(a)).ShouldBe(I32F32.FromBits(a).SafeDiv(I32F32.FromBits(b))),
            iter: 300_000);
    }

    [Fact]
    public void U64Divisor_AgreesWithHardwareDivision()
    {
        var values = Gen.OneOf(Gen.ULong, Gen.ULong[0, 100], Gen.ULong[ulong.MaxValue - 100, ulong.MaxValue], Gen.ULong[0, 1UL << 32], Gen.UInt.Select(v => (ulong)v << 32));
        Gen.Select(values, values.Where(d => d != 0)).Sample((n, d) => new U64Divisor(d).Divide(n).ShouldBe(n / d), iter: 200_000);
    }

    [Fact]
    public void BranchFreeDivisor_AgreesWithHardwareDivision()
    {
        var values = Gen.OneOf(Gen.ULong, Gen.ULong[0, 100], Gen.ULong[ulong.MaxValue - 100, ulong.MaxValue], Gen.ULong[0, 1UL << 32], Gen.UInt.Select(v => (ulong)v << 32));
        var divisors = Gen.OneOf(Gen.ULong[2, 31], Gen.ULong[2, 1UL << 20], Gen.ULong.Where(d => d >= 2), Gen.Int[1, 63].Select(k => 1UL << k));
        Gen.Select(values, divisors).Sample((n, d) => new BranchFreeDivisor(d).Divide(n).ShouldBe(n / d), iter: 300_000);
        for (ulong d = 2; d <= 31; d++)
        {
            var divisor = new BranchFreeDivisor(d);
            foreach (ulong n in new ulong[] { 0UL, 1, d - 1, d, d + 1, ulong.MaxValue, ulong.MaxValue - 1, ulong.MaxValue - d, 1UL << 63, (1UL << 63) - 1 })
            {
                divisor.Divide(n).ShouldBe(n / d);
            }
        }
    }

    [Fact]
    public void DivFull_WithTrailingZeroDivisors_MatchesBigInteger()
    {
        var limb = Gen.OneOf(Gen.ULong, Gen.ULong[0, 3], Gen.ULong[0, 1UL << 40]);
        Gen.Select(Gen.Select(limb, limb, limb, limb), Gen.Select(limb, limb, Gen.Int[0, 127])).Sample((n, dv) =>
        {
            UInt128 hi = ((UInt128)n.Item1 << 64) | n.Item2, lo = ((UInt128)n.Item3 << 64) | n.Item4;
            UInt128 d = (((UInt128)dv.Item1 << 64) | dv.Item2) << dv.Item3;
            var big = ((BigInteger)hi << 128) + lo;
            bool ok = Wide.DivFull(hi, lo, d, out UInt128 q);
            bool fits = d != 0 && big / d <= (BigInteger)UInt128.MaxValue;
            ok.ShouldBe(fits);
            if (ok)
            {
                ((BigInteger)q).ShouldBe(big / d);
            }
        }, iter: 100_000);
    }
}
