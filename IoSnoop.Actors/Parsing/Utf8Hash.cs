using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace IoSnoop.Actors.Parsing;

/// <summary>The hash of the pipeline's byte-keyed tables (names, paths): a fast multiply-rotate hash over
/// 8-byte words, with a seed chosen at random once per process so that crafted paths cannot make chains long.</summary>
internal static class Utf8Hash
{
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>A non-negative hash of these bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Of(ReadOnlySpan<byte> bytes)
    {
        const ulong k = 0x9E3779B97F4A7C15;
        var h = s_seed ^ ((ulong)bytes.Length * k);
        while (bytes.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * k, 31);
            bytes = bytes[8..];
        }
        if (!bytes.IsEmpty)
        {
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
                tail |= (ulong)bytes[i] << (8 * i);
            h = BitOperations.RotateLeft((h ^ tail) * k, 31);
        }
        h ^= h >> 29;
        h *= k;
        h ^= h >> 32;
        return (int)h & int.MaxValue;
    }
}
