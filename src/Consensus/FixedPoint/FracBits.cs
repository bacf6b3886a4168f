namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>The number of fractional bits of a 128-bit fixed-point type, as a type, so that
/// <see cref="Fixed128{TFrac}"/> and <see cref="UFixed128{TFrac}"/> are compiled once per width with the count as a
/// constant (the JIT specialises generic structs per value-type argument).</summary>
public interface IFracBits
{
    static abstract int Count { get; }
}

/// <summary>64 fractional bits: <c>I64F64</c>, <c>U64F64</c>.</summary>
public readonly struct Frac64 : IFracBits
{
    public static int Count => 64;
}

/// <summary>32 fractional bits: <c>I96F32</c>, <c>U96F32</c>.</summary>
public readonly struct Frac32 : IFracBits
{
    public static int Count => 32;
}
