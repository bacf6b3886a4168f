using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Signed fixed point with 32 integer and 32 fractional bits (substrate-fixed <c>I32F32</c>): value = Bits / 2^32.
/// </summary>
/// <remarks>
/// Multiplication floors toward -inf (128-bit product, arithmetic shift); division truncates toward zero;
/// <see cref="SafeDiv"/> returns 0 on division by zero and on overflow (safe-math crate). See ADR 0002.
/// </remarks>
public readonly struct I32F32 : IEquatable<I32F32>, IComparable<I32F32>
{
    public const int FracBits = 32;
    private const long OneBits = 1L << FracBits;

    private I32F32(long bits) => Bits = bits;

    /// <summary>The raw two's complement representation.</summary>
    public long Bits { get; }

    public static I32F32 Zero => default;
    public static I32F32 One => new(OneBits);
    public static I32F32 MaxValue => new(long.MaxValue);
    public static I32F32 MinValue => new(long.MinValue);
    /// <summary>The smallest positive value, 2^-32.</summary>
    public static I32F32 Delta => new(1);

    public static I32F32 FromBits(long bits) => new(bits);

    /// <summary>from_num(integer): exact; throws if the integer does not fit 32 integer bits.</summary>
    public static I32F32 FromNum(long value) =>
        value is >= int.MinValue and <= int.MaxValue ? new(value << FracBits) : throw new OverflowException("I32F32 range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static I32F32 SaturatingFromNum(long value) =>
        value > int.MaxValue ? MaxValue : value < int.MinValue ? MinValue : new(value << FracBits);

    /// <summary>saturating_from_num(u64).</summary>
    public static I32F32 SaturatingFromNum(ulong value) => value > int.MaxValue ? MaxValue : new((long)value << FracBits);

    /// <summary>saturating_from_num(I64F64): extra fractional bits shifted out (floor), clamped to range.</summary>
    public static I32F32 SaturatingFromNum(I64F64 value)
    {
        Int128 shifted = value.Bits >> (I64F64.FracBits - FracBits);
        return shifted > long.MaxValue ? MaxValue : shifted < long.MinValue ? MinValue : new((long)shifted);
    }

    /// <summary>from_num(f32) for test inputs: round to nearest, ties to even, on the exact binary value.</summary>
    public static I32F32 FromF32(float value)
    {
        var (neg, m, e) = FloatBits.DecodeF32(BitConverter.SingleToInt32Bits(value));
        return FromRaw(neg, m, e);
    }

    /// <summary>from_num(f64) for test inputs: round to nearest, ties to even, on the exact binary value.</summary>
    public static I32F32 FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return FromRaw(neg, m, e);
    }

    private static I32F32 FromRaw(bool neg, ulong m, int e) =>
        FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) && raw >= long.MinValue && raw <= long.MaxValue
            ? new((long)raw)
            : throw new OverflowException("Float literal out of I32F32 range.");

    /// <summary>Plain <c>+</c> as in Rust release builds (<c>iter().sum()</c>): wraps on overflow.</summary>
    public I32F32 WrappingAdd(I32F32 other) => new(unchecked(Bits + other.Bits));

    public I32F32 WrappingSub(I32F32 other) => new(unchecked(Bits - other.Bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SaturatingAdd(I32F32 other)
    {
        long r = unchecked(Bits + other.Bits);
        if (((Bits ^ r) & (other.Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SaturatingSub(I32F32 other)
    {
        long r = unchecked(Bits - other.Bits);
        if (((Bits ^ other.Bits) & (Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    public I32F32? CheckedAdd(I32F32 other)
    {
        long r = unchecked(Bits + other.Bits);
        return ((Bits ^ r) & (other.Bits ^ r)) < 0 ? null : new I32F32(r);
    }

    /// <summary>a*b, full 128-bit product shifted right 32 (floor toward -inf), clamped to [MIN, MAX].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SaturatingMul(I32F32 other) =>
        TryMulShift(Bits, other.Bits, out long r) ? new(r) : ((Bits ^ other.Bits) < 0 ? MinValue : MaxValue);

    /// <summary>a*b (floor); null on overflow.</summary>
    public I32F32? CheckedMul(I32F32 other) => TryMulShift(Bits, other.Bits, out long r) ? new I32F32(r) : null;

    /// <summary>
    /// (a·b) &gt;&gt; 32 with floor, from the signed 64×64→128 product (<see cref="Math.BigMul(long, long, out long)"/>;
    /// a checked <see cref="Int128"/> multiply costs several times more). The shifted product fits a long exactly when
    /// bits 127..95 of the product agree, i.e. hi &gt;&gt; 31 is 0 or −1. On overflow the product's sign is that of
    /// a·b (it cannot be 0), which is what <see cref="SaturatingMul"/> clamps to.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryMulShift(long a, long b, out long result)
    {
        unchecked
        {
            // Signed high word from the unsigned product (one mulx): as two's complement numbers, a·b and
            // (ulong)a·(ulong)b agree in the low word and differ in the high word by b when a < 0 and by a when b < 0
            // (the identity Math.BigMul(long, long) itself uses; that overload was not inlined into the fused
            // kernels, a call per entry).
            ulong uhi = Math.BigMul((ulong)a, (ulong)b, out ulong ulo);
            long hi = (long)uhi - ((a >> 63) & b) - ((b >> 63) & a);
            long lo = (long)ulo;
            result = (hi << FracBits) | (long)((ulong)lo >> FracBits);
            long top = hi >> (FracBits - 1);
            return top == 0 || top == -1;
        }
    }

    /// <summary>(a &lt;&lt; 32) / b truncating toward zero; null when b == 0 or the quotient overflows.</summary>
    public I32F32? CheckedDiv(I32F32 other) => TryDiv(Bits, other.Bits, out long q) ? new I32F32(q) : null;

    /// <summary>
    /// (a·2^32) / b on magnitudes with a 128-by-64 long division (Hacker's Delight divlu), sign applied after:
    /// truncation toward zero. False on b == 0 or when the quotient does not fit a long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDiv(long a, long b, out long quotient)
    {
        quotient = 0;
        if (b == 0)
        {
            return false;
        }

        bool negative = (a < 0) ^ (b < 0);
        ulong ua = a < 0 ? unchecked(0UL - (ulong)a) : (ulong)a;
        ulong ub = b < 0 ? unchecked(0UL - (ulong)b) : (ulong)b;
        ulong u1 = ua >> FracBits, u0 = ua << FracBits;
        if (u1 >= ub)
        {
            return false;
        }

        // |a| < 2^32 (every proportion ≤ 1): the shifted dividend fits 64 bits and one 64-bit divide is exact.
        ulong q = u1 == 0 ? u0 / ub : Wide.DivLu(u1, u0, ub);
        if (negative)
        {
            if (q > 1UL << 63)
            {
                return false;
            }

            quotient = unchecked((long)(0UL - q));
            return true;
        }

        if (q > long.MaxValue)
        {
            return false;
        }

        quotient = unchecked((long)q);
        return true;
    }

    /// <summary>safe-math <c>safe_div</c>: checked_div or 0 (on division by zero AND on overflow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public I32F32 SafeDiv(I32F32 other) => TryDiv(Bits, other.Bits, out long q) ? new(q) : Zero;

    /// <summary>saturating_div: clamps on overflow; division by zero throws (as the Rust panics).</summary>
    public I32F32 SaturatingDiv(I32F32 other)
    {
        if (other.Bits == 0)
        {
            throw new DivideByZeroException();
        }

        return TryDiv(Bits, other.Bits, out long q) ? new(q) : ((Bits < 0) ^ (other.Bits < 0)) ? MinValue : MaxValue;
    }

    /// <summary>round(): nearest, ties away from zero (wrapping at the range edge as Rust release does).</summary>
    public I32F32 Round()
    {
        const long half = 1L << (FracBits - 1);
        const long intMask = ~(OneBits - 1);
        return Bits >= 0
            ? new(unchecked(Bits + half) & intMask)
            : new(unchecked(-((-(Bits + 1) + 1 + half) & intMask)));
    }

    /// <summary>Floor to an integer (to_num for signed integers).</summary>
    public long FloorToInt() => Bits >> FracBits;

    /// <summary>saturating_to_num::&lt;u16&gt;: floor, clamped to [0, 65535].</summary>
    public ushort SaturatingToU16()
    {
        long i = Bits >> FracBits;
        return i < 0 ? (ushort)0 : i > ushort.MaxValue ? ushort.MaxValue : (ushort)i;
    }

    /// <summary>saturating_to_num::&lt;u64&gt;: floor, negative → 0.</summary>
    public ulong SaturatingToU64() => Bits < 0 ? 0UL : (ulong)(Bits >> FracBits);

    public I32F32 Min(I32F32 other) => Bits <= other.Bits ? this : other;
    public I32F32 Max(I32F32 other) => Bits >= other.Bits ? this : other;
    public bool IsZero => Bits == 0;

    /// <summary>Diagnostics only (logs, test messages): never on the computation path.</summary>
    public double ToDouble() => Bits / 4294967296.0;

    public bool Equals(I32F32 other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is I32F32 o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(I32F32 other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"I32F32({Bits})";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator ==(I32F32 a, I32F32 b) => a.Bits == b.Bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator !=(I32F32 a, I32F32 b) => a.Bits != b.Bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator <(I32F32 a, I32F32 b) => a.Bits < b.Bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator >(I32F32 a, I32F32 b) => a.Bits > b.Bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator <=(I32F32 a, I32F32 b) => a.Bits <= b.Bits;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool operator >=(I32F32 a, I32F32 b) => a.Bits >= b.Bits;
}
