using System.Globalization;

namespace Bittensor.Ledger.Chain.Rpc;

/// <summary>The <c>0x</c>-prefixed hex used by Substrate JSON-RPC for bytes, hashes and block numbers.</summary>
public static class Hex
{
    /// <summary>Bytes as lower-case hex with a <c>0x</c> prefix; empty input gives <c>"0x"</c>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>
    /// Bytes from hex, with or without the <c>0x</c> prefix; <c>""</c> and <c>"0x"</c> give no bytes.
    /// </summary>
    /// <exception cref="FormatException">The text is not an even number of hex digits.</exception>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = Strip(hex);
        if (digits.Length % 2 != 0)
            throw new FormatException($"hex '{Shorten(hex)}' has an odd number of digits");
        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{Shorten(hex)}' is not hex");
        }
    }

    /// <summary>A hex quantity such as a header's <c>"number": "0x797453"</c> (no leading-zero rule is enforced).</summary>
    /// <exception cref="FormatException">The text is not hex or does not fit in a <see cref="long"/>.</exception>
    public static long ParseNumber(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = Strip(hex);
        if (digits.Length == 0
            || !long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            || value < 0)
            throw new FormatException($"'{Shorten(hex)}' is not a hex number");
        return value;
    }

    /// <summary>A number as a hex quantity, <c>0x</c>-prefixed with no leading zeros.</summary>
    public static string EncodeNumber(long value) =>
        "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static ReadOnlySpan<char> Strip(string hex) =>
        hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
