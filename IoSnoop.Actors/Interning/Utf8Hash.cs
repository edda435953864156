using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IoSnoop.Actors.Interning;

/// <summary>The hash of the pipeline's byte-keyed tables (names, paths): a fast multiply-rotate hash over
/// 8-byte words in two independent lanes (so the processor works on both at once), with seeds chosen at
/// random once per process so that crafted paths cannot make chains long.</summary>
internal static class Utf8Hash
{
    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64() | 1;
    private static readonly ulong s_seed2 = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>A non-negative hash of these bytes.</summary>
    public static int Of(ReadOnlySpan<byte> bytes) => Of(bytes, out _);

    /// <summary>A non-negative hash of these bytes; <paramref name="ascii"/>: every byte is below 0x80, so the
    /// bytes are valid UTF-8 without another pass over them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Of(ReadOnlySpan<byte> bytes, out bool ascii)
    {
        const ulong k1 = 0x9E3779B97F4A7C15;
        const ulong k2 = 0xC2B2AE3D27D4EB4F;
        const ulong high = 0x8080808080808080;
        var length = bytes.Length;
        var h1 = s_seed ^ ((ulong)length * k1);
        var h2 = s_seed2;
        ulong seen = 0;
        ref var start = ref MemoryMarshal.GetReference(bytes);
        var i = 0;
        for (; i + 16 <= length; i += 16)
        {
            var a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            var b = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8));
            seen |= a | b;
            h1 = BitOperations.RotateLeft((h1 ^ a) * k1, 31);
            h2 = BitOperations.RotateLeft((h2 ^ b) * k2, 29);
        }
        if (i + 8 <= length)
        {
            var a = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i));
            seen |= a;
            h1 = BitOperations.RotateLeft((h1 ^ a) * k1, 31);
            i += 8;
        }
        if (i < length)
        {
            ulong tail = 0;
            for (var j = 0; i + j < length; j++)
                tail |= (ulong)Unsafe.Add(ref start, i + j) << (8 * j);
            seen |= tail;
            h2 = BitOperations.RotateLeft((h2 ^ tail) * k2, 29);
        }
        ascii = (seen & high) == 0;
        var h = h1 ^ BitOperations.RotateLeft(h2 * k1, 23);
        h ^= h >> 29;
        h *= k1;
        h ^= h >> 32;
        return (int)h & int.MaxValue;
    }
}
