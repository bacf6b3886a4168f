using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Signed fixed point with 64 integer and 64 fractional bits (substrate-fixed <c>I64F64</c>) over <see cref="Int128"/>:
/// value = Bits / 2^64.
/// </summary>
/// <remarks>
/// Products use a 256-bit intermediate and floor toward -inf; division truncates toward zero;
/// <see cref="SafeDiv"/> returns 0 on division by zero and on overflow. See ADR 0002.
/// </remarks>
public readonly struct I64F64 : IEquatable<I64F64>, IComparable<I64F64>
{
    public const int FracBits = 64;

    private I64F64(Int128 bits) => Bits = bits;

    /// <summary>The raw two's complement representation.</summary>
    public Int128 Bits { get; }

    public static I64F64 Zero => default;
    public static I64F64 One => new((Int128)1 << FracBits);
    public static I64F64 MaxValue => new(Int128.MaxValue);
    public static I64F64 MinValue => new(Int128.MinValue);

    public static I64F64 FromBits(Int128 bits) => new(bits);

    private static readonly Int128 MaxInt = Int128.MaxValue >> FracBits;
    private static readonly Int128 MinInt = Int128.MinValue >> FracBits;

    /// <summary>from_num(integer): exact; throws when out of range.</summary>
    public static I64F64 FromNum(Int128 value) =>
        value <= MaxInt && value >= MinInt ? new(value << FracBits) : throw new OverflowException("I64F64 range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static I64F64 SaturatingFromNum(Int128 value) =>
        value > MaxInt ? MaxValue : value < MinInt ? MinValue : new(value << FracBits);

    /// <summary>saturating_from_num(u64).</summary>
    public static I64F64 SaturatingFromNum(ulong value) => SaturatingFromNum((Int128)value);

    /// <summary>saturating_from_num(I32F32): exact when the range allows, otherwise clamped.</summary>
    public static I64F64 SaturatingFromNum(I32F32 value) => FromShifted((Int128)value.Bits, FracBits - I32F32.FracBits);

    private static I64F64 FromShifted(Int128 raw, int shift)
    {
        if (shift >= 0)
        {
            Int128 limit = Int128.MaxValue >> shift;
            return raw > limit ? MaxValue : raw < (Int128.MinValue >> shift) ? MinValue : new(raw << shift);
        }

        return new(raw >> -shift);
    }

    /// <summary>from_num(f64) for test inputs and constants: round to nearest, ties to even, on the exact binary value.</summary>
    public static I64F64 FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) ? new(raw) : throw new OverflowException("Float literal out of I64F64 range.");
    }

    /// <summary>Plain <c>+</c> as in Rust release builds (<c>iter().sum()</c>): wraps on overflow.</summary>
    public I64F64 WrappingAdd(I64F64 other) => new(unchecked(Bits + other.Bits));

    public I64F64 SaturatingAdd(I64F64 other)
    {
        Int128 r = unchecked(Bits + other.Bits);
        if (((Bits ^ r) & (other.Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    public I64F64 SaturatingSub(I64F64 other)
    {
        Int128 r = unchecked(Bits - other.Bits);
        if (((Bits ^ other.Bits) & (Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    public I64F64? CheckedAdd(I64F64 other)
    {
        Int128 r = unchecked(Bits + other.Bits);
        return ((Bits ^ r) & (other.Bits ^ r)) < 0 ? null : new I64F64(r);
    }

    public I64F64? CheckedSub(I64F64 other)
    {
        Int128 r = unchecked(Bits - other.Bits);
        return ((Bits ^ other.Bits) & (Bits ^ r)) < 0 ? null : new I64F64(r);
    }

    /// <summary>a*b with a 256-bit product shifted right 64 (floor toward -inf), clamped to [MIN, MAX].</summary>
    public I64F64 SaturatingMul(I64F64 other) =>
        Wide.MulShift(Bits, other.Bits, FracBits, out Int128 r, out bool neg) ? new(r) : neg ? MinValue : MaxValue;

    /// <summary>a*b (floor); null on overflow.</summary>
    public I64F64? CheckedMul(I64F64 other) =>
        Wide.MulShift(Bits, other.Bits, FracBits, out Int128 r, out _) ? new I64F64(r) : null;

    /// <summary>(a &lt;&lt; 64) / b truncating toward zero; null when b == 0 or the quotient overflows.</summary>
    public I64F64? CheckedDiv(I64F64 other) =>
        Wide.DivShift(Bits, other.Bits, FracBits, out Int128 q, out _) ? new I64F64(q) : null;

    /// <summary>safe-math <c>safe_div</c>: checked_div or 0 (on division by zero AND on overflow).</summary>
    public I64F64 SafeDiv(I64F64 other) => CheckedDiv(other) ?? Zero;

    /// <summary>saturating_div: clamps on overflow; division by zero throws (as the Rust panics).</summary>
    public I64F64 SaturatingDiv(I64F64 other)
    {
        if (other.Bits == 0)
        {
            throw new DivideByZeroException();
        }

        return Wide.DivShift(Bits, other.Bits, FracBits, out Int128 q, out bool neg) ? new(q) : neg ? MinValue : MaxValue;
    }

    /// <summary>Floor to an integer.</summary>
    public Int128 FloorToInt() => Bits >> FracBits;

    /// <summary>saturating_to_num::&lt;u64&gt;: floor, clamped to [0, u64::MAX].</summary>
    public ulong SaturatingToU64()
    {
        Int128 i = Bits >> FracBits;
        return i < 0 ? 0UL : i > ulong.MaxValue ? ulong.MaxValue : (ulong)i;
    }

    /// <summary>saturating_from_num into I32F32 (floor of the extra fractional bits, clamp).</summary>
    public I32F32 ToI32F32Saturating()
    {
        Int128 shifted = FracBits >= I32F32.FracBits ? Bits >> (FracBits - I32F32.FracBits) : Bits;
        return shifted > long.MaxValue ? I32F32.MaxValue : shifted < long.MinValue ? I32F32.MinValue : I32F32.FromBits((long)shifted);
    }

    public bool IsZero => Bits == 0;

    /// <summary>Diagnostics only: never on the computation path.</summary>
    public double ToDouble() => (double)Bits / (double)((Int128)1 << FracBits);

    public bool Equals(I64F64 other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is I64F64 o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(I64F64 other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"I64F64({Bits})";

    public static bool operator ==(I64F64 a, I64F64 b) => a.Bits == b.Bits;
    public static bool operator !=(I64F64 a, I64F64 b) => a.Bits != b.Bits;
    public static bool operator <(I64F64 a, I64F64 b) => a.Bits < b.Bits;
    public static bool operator >(I64F64 a, I64F64 b) => a.Bits > b.Bits;
    public static bool operator <=(I64F64 a, I64F64 b) => a.Bits <= b.Bits;
    public static bool operator >=(I64F64 a, I64F64 b) => a.Bits >= b.Bits;
}
