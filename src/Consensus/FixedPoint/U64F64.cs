using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Unsigned fixed point with 64 integer and 64 fractional bits (substrate-fixed <c>U64F64</c>) over <see cref="UInt128"/>:
/// value = Bits / 2^64.
/// </summary>
/// <remarks>Products use a 256-bit intermediate and floor; division truncates; <see cref="SafeDiv"/> gives 0 on /0 and overflow.</remarks>
public readonly struct U64F64 : IEquatable<U64F64>, IComparable<U64F64>
{
    public const int FracBits = 64;

    private U64F64(UInt128 bits) => Bits = bits;

    public UInt128 Bits { get; }

    public static U64F64 Zero => default;
    public static U64F64 One => new((UInt128)1 << FracBits);
    public static U64F64 MaxValue => new(UInt128.MaxValue);

    public static U64F64 FromBits(UInt128 bits) => new(bits);

    private static readonly UInt128 MaxInt = UInt128.MaxValue >> FracBits;

    /// <summary>from_num(u64/u128): exact; throws when out of range.</summary>
    public static U64F64 FromNum(UInt128 value) => value <= MaxInt ? new(value << FracBits) : throw new OverflowException("U64F64 range exceeded.");

    /// <summary>saturating_from_num(integer).</summary>
    public static U64F64 SaturatingFromNum(UInt128 value) => value > MaxInt ? MaxValue : new(value << FracBits);

    /// <summary>from_num(f64) for constants: round to nearest, ties to even, on the exact binary value.</summary>
    public static U64F64 FromF64(double value)
    {
        var (neg, m, e) = FloatBits.DecodeF64(BitConverter.DoubleToInt64Bits(value));
        return !neg && FloatBits.ToRaw(neg, m, e, FracBits, out Int128 raw) ? new((UInt128)raw) : throw new OverflowException("Float literal out of U64F64 range.");
    }

    public U64F64 SaturatingAdd(U64F64 other)
    {
        UInt128 r = unchecked(Bits + other.Bits);
        return r < Bits ? MaxValue : new(r);
    }

    public U64F64 SaturatingSub(U64F64 other) => other.Bits > Bits ? Zero : new(Bits - other.Bits);

    /// <summary>a*b with a 256-bit product shifted right 64 (floor), clamped to MAX.</summary>
    public U64F64 SaturatingMul(U64F64 other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new(r) : MaxValue;

    public U64F64? CheckedMul(U64F64 other) => Wide.MulShift(Bits, other.Bits, FracBits, out UInt128 r) ? new U64F64(r) : null;

    /// <summary>(a &lt;&lt; 64) / b truncating; null when b == 0 or the quotient overflows.</summary>
    public U64F64? CheckedDiv(U64F64 other) => Wide.DivShift(Bits, other.Bits, FracBits, out UInt128 q) ? new U64F64(q) : null;

    /// <summary>safe-math <c>safe_div</c>: 0 on division by zero and on overflow.</summary>
    public U64F64 SafeDiv(U64F64 other) => CheckedDiv(other) ?? Zero;

    public U64F64 SaturatingDiv(U64F64 other)
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

    public bool Equals(U64F64 other) => Bits == other.Bits;
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is U64F64 o && Equals(o);
    public override int GetHashCode() => Bits.GetHashCode();
    public int CompareTo(U64F64 other) => Bits.CompareTo(other.Bits);
    public override string ToString() => $"U64F64({Bits})";

    public static bool operator ==(U64F64 a, U64F64 b) => a.Bits == b.Bits;
    public static bool operator !=(U64F64 a, U64F64 b) => a.Bits != b.Bits;
    public static bool operator <(U64F64 a, U64F64 b) => a.Bits < b.Bits;
    public static bool operator >(U64F64 a, U64F64 b) => a.Bits > b.Bits;
    public static bool operator <=(U64F64 a, U64F64 b) => a.Bits <= b.Bits;
    public static bool operator >=(U64F64 a, U64F64 b) => a.Bits >= b.Bits;
}
