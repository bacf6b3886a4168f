using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Unsigned fixed point over <see cref="UInt128"/> with <typeparamref name="TFrac"/> fractional bits: value = Bits / 2^F.
/// substrate-fixed's <c>UFixed128<TFrac></c> and <c>U96F32</c> are <see cref="UFixed128{TFrac}"/> of <see cref="Frac64"/> and
/// <see cref="Frac32"/> (named by the aliases in FixedPointAliases.props).
/// </summary>
/// <remarks>Products use a 256-bit intermediate and floor; division truncates; <see cref="SafeDiv"/> gives 0 on /0 and overflow.</remarks>
public readonly struct UFixed128<TFrac> : IEquatable<UFixed128<TFrac>>, IComparable<UFixed128<TFrac>>
    where TFrac : struct, IFracBits
{
    public static int FracBits => TFrac.Count;

    /// <summary>The substrate-fixed name, e.g. <c>UFixed128<TFrac></c>.</summary>
    public static string Name => $"U{128 - FracBits}F{FracBits}";

    private UFixed128(UInt128 bits) => Bits = bits;

    public UInt128 Bits { get; }

    public static UFixed128<TFrac> Zero => default;
    public static UFixed128<TFrac> One => new((UInt128)1 << FracBits);
    public static UFixed128<TFrac> MaxValue => new(UInt128.MaxValue);

    public static UFixed128<TFrac> FromBits(UInt128 bits) => new(bits);

    private static readonly UInt128 MaxInt = UInt128.MaxValue >> FracBits;

    /// <summary>from_num(u64/u128): exact; throws when out of range.</summary>
    public static UFixed128<TFrac> FromNum(UInt128 value) => value <= MaxInt ? new(value << FracBits) : throw new OverflowException($"{Name} range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static UFixed128<TFrac> SaturatingFromNum(UInt128 value) => value > MaxInt ? MaxValue : new(value << FracBits);

    /// <summary>from_num(f64) for constants: round to nearest, ties to even, on the exact binary value.</summary>
    public static UFixed128<TFrac> FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return !neg && FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) ? new((UInt128)raw) : throw new OverflowException($"Float literal out of {Name} range.");
    }

    public UFixed128<TFrac> SaturatingAdd(UFixed128<TFrac> other)
    {
        UInt128 r = unchecked(Bits + other.Bits);
        return r < Bits ? MaxValue : new(r);
    }

    public UFixed128<TFrac> SaturatingSub(UFixed128<TFrac> other) => other.Bits > Bits ? Zero : new(Bits - other.Bits);

    /// <summary>a*b with a 256-bit product shifted right F (floor), clamped to MAX.</summary>
    public UFixed128<TFrac> SaturatingMul(UFixed128<TFrac> other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new(r) : MaxValue;

    public UFixed128<TFrac>? CheckedMul(UFixed128<TFrac> other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new UFixed128<TFrac>(r) : null;

    /// <summary>(a &lt;&lt; F) / b truncating; null when b == 0 or the quotient overflows.</summary>
    public UFixed128<TFrac>? CheckedDiv(UFixed128<TFrac> other) => Wide.DivShift(Bits, other.Bits, FracBits, out UInt128 q) ? new UFixed128<TFrac>(q) : null;

    /// <summary>safe-math <c>safe_div</c>: 0 on division by zero and on overflow.</summary>
    public UFixed128<TFrac> SafeDiv(UFixed128<TFrac> other) => CheckedDiv(other) ?? Zero;

    public UFixed128<TFrac> SaturatingDiv(UFixed128<TFrac> other)
    {
        if (other.Bits == 0)
        {
            throw new DivideByZeroException();
        }

        return Wide.DivShift(Bits, other.Bits, FracBits, out UInt128 q) ? new(q) : MaxValue;
    }

    public UInt128 FloorToInt() => Bits >> FracBits;

    /// <summary>saturating_to_num::&lt;u64&gt;: floor, clamped.</summary>
    public ulong SaturatingToU64()
    {
        UInt128 i = Bits >> FracBits;
        return i > ulong.MaxValue ? ulong.MaxValue : (ulong)i;
    }

    public bool IsZero => Bits == 0;

    /// <summary>Diagnostics only: never on the computation path.</summary>
    public double ToDouble() => (double)Bits / (double)((UInt128)1 << FracBits);

    public bool Equals(UFixed128<TFrac> other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is UFixed128<TFrac> o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(UFixed128<TFrac> other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"{Name}({Bits})";

    public static bool operator ==(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits == b.Bits;
    public static bool operator !=(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits != b.Bits;
    public static bool operator <(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits < b.Bits;
    public static bool operator >(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits > b.Bits;
    public static bool operator <=(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits <= b.Bits;
    public static bool operator >=(UFixed128<TFrac> a, UFixed128<TFrac> b) => a.Bits >= b.Bits;
}
