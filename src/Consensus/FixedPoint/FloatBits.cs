namespace Bittensor.Ledger.Consensus.FixedPoint;

/// <summary>
/// Exact IEEE-754 decoding for building fixed-point test inputs from Rust float literals
/// (substrate-fixed from_num(f32|f64)): round to nearest, ties to even, on the exact binary value.
/// Integer bit manipulation only; no floating-point arithmetic.
/// </summary>
internal static class FloatBits
{
    /// <summary>Decodes an f64 bit pattern into sign, integer mantissa and binary exponent.</summary>
    public static (bool Negative, ulong Mantissa, int Exponent) DecodeF64(long bits)
    {
        bool negative = bits < 0;
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong fraction = unchecked((ulong)bits) & 0xF_FFFF_FFFF_FFFFUL;
        if (biased == 0x7FF)
        {
            throw new ArgumentException("NaN and infinity have no fixed-point value.");
        }

        return biased == 0
            ? (negative, fraction, -1074)
            : (negative, fraction | (1UL << 52), biased - 1075);
    }

    public static (bool Negative, ulong Mantissa, int Exponent) DecodeF32(int bits)
    {
        bool negative = bits < 0;
        int biased = (bits >> 23) & 0xFF;
        ulong fraction = (ulong)(bits & 0x7F_FFFF);
        if (biased == 0xFF)
        {
            throw new ArgumentException("NaN and infinity have no fixed-point value.");
        }

        return biased == 0
            ? (negative, fraction, -149)
            : (negative, fraction | (1UL << 23), biased - 150);
    }

    /// <summary>
    /// round_half_even(mantissa * 2^(exponent + fracBits)) as a signed raw value; false if it does not fit Int128.
    /// </summary>
    public static bool ToRaw(bool negative, ulong mantissa, int exponent, int fracBits, out Int128 raw)
    {
        raw = 0;
        int shift = exponent + fracBits;
        UInt128 magnitude;
        if (mantissa == 0)
        {
            return true;
        }

        if (shift >= 0)
        {
            if (shift > 126 - 64)
            {
                // mantissa < 2^64, so anything shifted past bit 126 cannot be represented.
                if (shift >= 127 || (UInt128)mantissa > (UInt128.MaxValue >> (shift + 1)))
                {
                    return false;
                }
            }

            magnitude = (UInt128)mantissa << shift;
        }
        else
        {
            int s = -shift;
            if (s >= 65)
            {
                magnitude = 0;
            }
            else
            {
                UInt128 m = mantissa;
                UInt128 q = m >> s;
                UInt128 rem = m - (q << s);
                UInt128 half = (UInt128)1 << (s - 1);
                if (rem > half || (rem == half && (q & 1) == 1))
                {
                    q++;
                }

                magnitude = q;
            }
        }

        if (magnitude > (UInt128)Int128.MaxValue)
        {
            return false;
        }

        raw = negative ? -(Int128)magnitude : (Int128)magnitude;
        return true;
    }
}
