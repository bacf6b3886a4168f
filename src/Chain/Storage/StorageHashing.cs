using System.Buffers.Binary;
using System.IO.Hashing;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Domain.Primitives;

namespace Bittensor.Ledger.Chain.Storage;

/// <summary>Substrate's storage hashers: xxHash64 lanes (Twox) and BLAKE2b, with or without the key appended.</summary>
public static class StorageHashing
{
    /// <summary>Twox128 of a pallet or item name: the first 32 bytes of every storage key.</summary>
    public static byte[] Twox128(ReadOnlySpan<byte> data) => Twox(data, 2);

    public static byte[] Hash(StorageHasher hasher, ReadOnlySpan<byte> key) => hasher switch
    {
        StorageHasher.Blake2_128 => Blake2(key, 16, concat: false),
        StorageHasher.Blake2_256 => Blake2(key, 32, concat: false),
        StorageHasher.Blake2_128Concat => Blake2(key, 16, concat: true),
        StorageHasher.Twox128 => Twox(key, 2),
        StorageHasher.Twox256 => Twox(key, 4),
        StorageHasher.Twox64Concat => [.. Twox(key, 1), .. key],
        StorageHasher.Identity => key.ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(hasher), hasher, "unknown storage hasher"),
    };

    /// <summary>How many bytes of hash precede the key itself, and whether the key follows (the "Concat" hashers).</summary>
    public static (int HashBytes, bool KeyFollows) Layout(StorageHasher hasher) => hasher switch
    {
        StorageHasher.Blake2_128 => (16, false),
        StorageHasher.Blake2_256 => (32, false),
        StorageHasher.Blake2_128Concat => (16, true),
        StorageHasher.Twox128 => (16, false),
        StorageHasher.Twox256 => (32, false),
        StorageHasher.Twox64Concat => (8, true),
        StorageHasher.Identity => (0, true),
        _ => throw new ArgumentOutOfRangeException(nameof(hasher), hasher, "unknown storage hasher"),
    };

    private static byte[] Twox(ReadOnlySpan<byte> data, int lanes)
    {
        var output = new byte[lanes * 8];
        for (var seed = 0; seed < lanes; seed++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(seed * 8), XxHash64.HashToUInt64(data, seed));
        }

        return output;
    }

    private static byte[] Blake2(ReadOnlySpan<byte> data, int size, bool concat)
    {
        var output = new byte[size + (concat ? data.Length : 0)];
        Blake2b.Hash(data, output.AsSpan(0, size));
        if (concat)
        {
            data.CopyTo(output.AsSpan(size));
        }

        return output;
    }
}
