using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Signed fixed point over <see cref="Int128"/> with <typeparamref name="TFrac"/> fractional bits: value = Bits / 2^F.
/// substrate-fixed's <c>Fixed128<TFrac></c> and <c>I96F32</c> are <see cref="Fixed128{TFrac}"/> of <see cref="Frac64"/> and
/// <see cref="Frac32"/> (named by the aliases in FixedPointAliases.props); one implementation, so the two cannot drift.
/// </summary>
/// <remarks>
/// Products use a 256-bit intermediate and floor toward -inf; division truncates toward zero;
/// <see cref="SafeDiv"/> returns 0 on division by zero and on overflow. See ADR 0002.
/// </remarks>
public readonly struct Fixed128<TFrac> : IEquatable<Fixed128<TFrac>>, IComparable<Fixed128<TFrac>>
    where TFrac : struct, IFracBits
{
    public static int FracBits => TFrac.Count;

    /// <summary>The substrate-fixed name, e.g. <c>Fixed128<TFrac></c>.</summary>
    public static string Name => $"I{128 - FracBits}F{FracBits}";

    private Fixed128(Int128 bits) => Bits = bits;

    /// <summary>The raw two's complement representation.</summary>
    public Int128 Bits { get; }

    public static Fixed128<TFrac> Zero => default;
    public static Fixed128<TFrac> One => new((Int128)1 << FracBits);
    public static Fixed128<TFrac> MaxValue => new(Int128.MaxValue);
    public static Fixed128<TFrac> MinValue => new(Int128.MinValue);

    public static Fixed128<TFrac> FromBits(Int128 bits) => new(bits);

    private static readonly Int128 MaxInt = Int128.MaxValue >> FracBits;
    private static readonly Int128 MinInt = Int128.MinValue >> FracBits;

    /// <summary>from_num(integer): exact; throws when out of range.</summary>
    public static Fixed128<TFrac> FromNum(Int128 value) =>
        value <= MaxInt && value >= MinInt ? new(value << FracBits) : throw new OverflowException($"{Name} range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static Fixed128<TFrac> SaturatingFromNum(Int128 value) =>
        value > MaxInt ? MaxValue : value < MinInt ? MinValue : new(value << FracBits);

    /// <summary>saturating_from_num(u64).</summary>
    public static Fixed128<TFrac> SaturatingFromNum(ulong value) => SaturatingFromNum((Int128)value);

    /// <summary>saturating_from_num(I32F32): exact when the range allows, otherwise clamped.</summary>
    public static Fixed128<TFrac> SaturatingFromNum(I32F32 value) => FromShifted((Int128)value.Bits, FracBits - I32F32.FracBits);

    private static Fixed128<TFrac> FromShifted(Int128 raw, int shift)
    {
        if (shift >= 0)
        {
            Int128 limit = Int128.MaxValue >> shift;
            return raw > limit ? MaxValue : raw < (Int128.MinValue >> shift) ? MinValue : new(raw << shift);
        }

        return new(raw >> -shift);
    }

    /// <summary>from_num(f64) for test inputs and constants: round to nearest, ties to even, on the exact binary value.</summary>
    public static Fixed128<TFrac> FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) ? new(raw) : throw new OverflowException($"Float literal out of {Name} range.");
    }

    /// <summary>Plain <c>+</c> as in Rust release builds (<c>iter().sum()</c>): wraps on overflow.</summary>
    public Fixed128<TFrac> WrappingAdd(Fixed128<TFrac> other) => new(unchecked(Bits + other.Bits));

    public Fixed128<TFrac> SaturatingAdd(Fixed128<TFrac> other)
    {
        Int128 r = unchecked(Bits + other.Bits);
        if (((Bits ^ r) & (other.Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    public Fixed128<TFrac> SaturatingSub(Fixed128<TFrac> other)
    {
        Int128 r = unchecked(Bits - other.Bits);
        if (((Bits ^ other.Bits) & (Bits ^ r)) < 0)
        {
            return Bits < 0 ? MinValue : MaxValue;
        }

        return new(r);
    }

    public Fixed128<TFrac>? CheckedAdd(Fixed128<TFrac> other)
    {
        Int128 r = unchecked(Bits + other.Bits);
        return ((Bits ^ r) & (other.Bits ^ r)) < 0 ? null : new Fixed128<TFrac>(r);
    }

    public Fixed128<TFrac>? CheckedSub(Fixed128<TFrac> other)
    {
        Int128 r = unchecked(Bits - other.Bits);
        return ((Bits ^ other.Bits) & (Bits ^ r)) < 0 ? null : new Fixed128<TFrac>(r);
    }

    /// <summary>a*b with a 256-bit product shifted right F (floor toward -inf), clamped to [MIN, MAX].</summary>
    public Fixed128<TFrac> SaturatingMul(Fixed128<TFrac> other) =>
        Wide.MulShift(Bits, other.Bits, FracBits, out Int128 r, out bool neg) ? new(r) : neg ? MinValue : MaxValue;

    /// <summary>a*b (floor); null on overflow.</summary>
    public Fixed128<TFrac>? CheckedMul(Fixed128<TFrac> other) =>
        Wide.MulShift(Bits, other.Bits, FracBits, out Int128 r, out _) ? new Fixed128<TFrac>(r) : null;

    /// <summary>(a &lt;&lt; F) / b truncating toward zero; null when b == 0 or the quotient overflows.</summary>
    public Fixed128<TFrac>? CheckedDiv(Fixed128<TFrac> other) =>
        Wide.DivShift(Bits, other.Bits, FracBits, out Int128 q, out _) ? new Fixed128<TFrac>(q) : null;

    /// <summary>safe-math <c>safe_div</c>: checked_div or 0 (on division by zero AND on overflow).</summary>
    public Fixed128<TFrac> SafeDiv(Fixed128<TFrac> other) => CheckedDiv(other) ?? Zero;

    /// <summary>saturating_div: clamps on overflow; division by zero throws (as the Rust panics).</summary>
    public Fixed128<TFrac> SaturatingDiv(Fixed128<TFrac> other)
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

    public bool Equals(Fixed128<TFrac> other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Fixed128<TFrac> o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(Fixed128<TFrac> other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"{Name}({Bits})";

    public static bool operator ==(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits == b.Bits;
    public static bool operator !=(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits != b.Bits;
    public static bool operator <(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits < b.Bits;
    public static bool operator >(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits > b.Bits;
    public static bool operator <=(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits <= b.Bits;
    public static bool operator >=(Fixed128<TFrac> a, Fixed128<TFrac> b) => a.Bits >= b.Bits;
}
