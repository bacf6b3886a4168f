using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Unsigned fixed point with 96 integer and 32 fractional bits (substrate-fixed <c>U96F32</c>) over <see cref="UInt128"/>:
/// value = Bits / 2^32.
/// </summary>
/// <remarks>Products use a 256-bit intermediate and floor; division truncates; <see cref="SafeDiv"/> gives 0 on /0 and overflow.</remarks>
public readonly struct U96F32 : IEquatable<U96F32>, IComparable<U96F32>
{
    public const int FracBits = 32;

    private U96F32(UInt128 bits) => Bits = bits;

    public UInt128 Bits { get; }

    public static U96F32 Zero => default;
    public static U96F32 One => new((UInt128)1 << FracBits);
    public static U96F32 MaxValue => new(UInt128.MaxValue);

    public static U96F32 FromBits(UInt128 bits) => new(bits);

    private static readonly UInt128 MaxInt = UInt128.MaxValue >> FracBits;

    /// <summary>from_num(u64/u128): exact; throws when out of range.</summary>
    public static U96F32 FromNum(UInt128 value) => value <= MaxInt ? new(value << FracBits) : throw new OverflowException("U96F32 range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static U96F32 SaturatingFromNum(UInt128 value) => value > MaxInt ? MaxValue : new(value << FracBits);

    /// <summary>from_num(f64) for constants: round to nearest, ties to even, on the exact binary value.</summary>
    public static U96F32 FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return !neg && FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) ? new((UInt128)raw) : throw new OverflowException("Float literal out of U96F32 range.");
    }

    public U96F32 SaturatingAdd(U96F32 other)
    {
        UInt128 r = unchecked(Bits + other.Bits);
        return r < Bits ? MaxValue : new(r);
    }

    public U96F32 SaturatingSub(U96F32 other) => other.Bits > Bits ? Zero : new(Bits - other.Bits);

    /// <summary>a*b with a 256-bit product shifted right 32 (floor), clamped to MAX.</summary>
    public U96F32 SaturatingMul(U96F32 other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new(r) : MaxValue;

    public U96F32? CheckedMul(U96F32 other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new U96F32(r) : null;

    /// <summary>(a &lt;&lt; 32) / b truncating; null when b == 0 or the quotient overflows.</summary>
    public U96F32? CheckedDiv(U96F32 other) => Wide.DivShift(Bits, other.Bits, FracBits, out UInt128 q) ? new U96F32(q) : null;

    /// <summary>safe-math <c>safe_div</c>: 0 on division by zero and on overflow.</summary>
    public U96F32 SafeDiv(U96F32 other) => CheckedDiv(other) ?? Zero;

    public U96F32 SaturatingDiv(U96F32 other)
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

    public bool Equals(U96F32 other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is U96F32 o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(U96F32 other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"U96F32({Bits})";

    public static bool operator ==(U96F32 a, U96F32 b) => a.Bits == b.Bits;
    public static bool operator !=(U96F32 a, U96F32 b) => a.Bits != b.Bits;
    public static bool operator <(U96F32 a, U96F32 b) => a.Bits < b.Bits;
    public static bool operator >(U96F32 a, U96F32 b) => a.Bits > b.Bits;
    public static bool operator <=(U96F32 a, U96F32 b) => a.Bits <= b.Bits;
    public static bool operator >=(U96F32 a, U96F32 b) => a.Bits >= b.Bits;
}
