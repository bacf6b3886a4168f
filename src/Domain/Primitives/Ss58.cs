using System.Text;

namespace Bittensor.Ledger.Domain.Primitives;

/// <summary>
/// SS58 addresses (Substrate): base58 of prefix ‖ 32-byte public key ‖ first two bytes of
/// BLAKE2b-512("SS58PRE" ‖ prefix ‖ key). Bittensor uses network prefix 42.
/// </summary>
public static class Ss58
{
    public const ushort BittensorPrefix = 42;
    /// <summary>The longest an SS58 account address can be: base58 of at most 36 bytes (a 2-byte prefix, the 32-byte
    /// key, a 2-byte checksum) is ⌈36·8 / log2 58⌉ = 50 characters. Longer text is refused before any decoding, whose
    /// cost grows with the square of the length.</summary>
    public const int MaxAddressLength = 50;

    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("SS58PRE");

    /// <summary>Encodes a 32-byte public key under a network prefix (0..16383).</summary>
    public static string Encode(ReadOnlySpan<byte> publicKey, ushort prefix = BittensorPrefix)
    {
        if (publicKey.Length != 32)
        {
            throw new ArgumentException("an SS58 account key is 32 bytes", nameof(publicKey));
        }

        if (prefix > 16383)
        {
            throw new ArgumentOutOfRangeException(nameof(prefix), "SS58 prefixes are 0..16383");
        }

        var prefixBytes = prefix < 64
            ? new[] { (byte)prefix }
            : [(byte)(((prefix & 0b1111_1100) >> 2) | 0b0100_0000), (byte)((prefix >> 8) | ((prefix & 0b11) << 6))];
        var payload = new byte[prefixBytes.Length + 32 + 2];
        prefixBytes.CopyTo(payload, 0);
        publicKey.CopyTo(payload.AsSpan(prefixBytes.Length));
        Span<byte> hash = stackalloc byte[64];
        Checksum(payload.AsSpan(0, prefixBytes.Length + 32), hash);
        payload[^2] = hash[0];
        payload[^1] = hash[1];
        return Base58Encode(payload);
    }

    /// <summary>Decodes and verifies an address; returns false with a reason when it is not a valid SS58 account address.</summary>
    public static bool TryDecode(string? address, out byte[] publicKey, out ushort prefix, out string reason)
    {
        publicKey = [];
        prefix = 0;
        if (string.IsNullOrEmpty(address))
        {
            reason = "empty address";
            return false;
        }

        if (address.Length > MaxAddressLength)
        {
            reason = $"is {address.Length} characters; an SS58 account address has at most {MaxAddressLength}";
            return false;
        }

        if (!TryBase58Decode(address, out var data))
        {
            reason = "not base58";
            return false;
        }

        int prefixLength;
        if (data.Length > 0 && data[0] < 64)
        {
            prefixLength = 1;
            prefix = data[0];
        }
        else if (data.Length > 1 && data[0] < 128)
        {
            prefixLength = 2;
            var lower = (byte)((data[0] << 2) | (data[1] >> 6));
            var upper = data[1] & 0b0011_1111;
            prefix = (ushort)(lower | (upper << 8));
        }
        else
        {
            reason = "invalid SS58 prefix";
            return false;
        }

        if (data.Length != prefixLength + 32 + 2)
        {
            reason = $"decodes to {data.Length} bytes, expected {prefixLength + 34} for a 32-byte account";
            return false;
        }

        Span<byte> hash = stackalloc byte[64];
        Checksum(data.AsSpan(0, prefixLength + 32), hash);
        if (hash[0] != data[^2] || hash[1] != data[^1])
        {
            reason = "checksum mismatch";
            return false;
        }

        publicKey = data.AsSpan(prefixLength, 32).ToArray();
        reason = "";
        return true;
    }

    private static void Checksum(ReadOnlySpan<byte> body, Span<byte> hash)
    {
        Span<byte> input = stackalloc byte[Context.Length + body.Length];
        Context.CopyTo(input);
        body.CopyTo(input[Context.Length..]);
        Blake2b.Hash(input, hash);
    }

    private static string Base58Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }

        // Repeated division of the big-endian number by 58, digits collected least significant first.
        var digits = new List<byte>(data.Length * 2);
        var number = data[zeros..].ToArray();
        var start = 0;
        while (start < number.Length)
        {
            var remainder = 0;
            for (var i = start; i < number.Length; i++)
            {
                var acc = (remainder << 8) | number[i];
                number[i] = (byte)(acc / 58);
                remainder = acc % 58;
            }

            digits.Add((byte)remainder);
            while (start < number.Length && number[start] == 0)
            {
                start++;
            }
        }

        var sb = new StringBuilder(zeros + digits.Count);
        sb.Append('1', zeros);
        for (var i = digits.Count - 1; i >= 0; i--)
        {
            sb.Append(Alphabet[digits[i]]);
        }

        return sb.ToString();
    }

    private static bool TryBase58Decode(string text, out byte[] data)
    {
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }

        var bytes = new List<byte>(text.Length); // little-endian accumulator
        for (var k = zeros; k < text.Length; k++)
        {
            var digit = Alphabet.IndexOf(text[k], StringComparison.Ordinal);
            if (digit < 0)
            {
                data = [];
                return false;
            }

            var carry = digit;
            for (var i = 0; i < bytes.Count; i++)
            {
                carry += bytes[i] * 58;
                bytes[i] = (byte)(carry & 0xFF);
                carry >>= 8;
            }

            while (carry > 0)
            {
                bytes.Add((byte)(carry & 0xFF));
                carry >>= 8;
            }
        }

        data = new byte[zeros + bytes.Count];
        for (var i = 0; i < bytes.Count; i++)
        {
            data[data.Length - 1 - i] = bytes[i];
        }

        return true;
    }
}
