using System.Buffers;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// A piece of a tracer's stdout in a pooled buffer. The parsing flow frames it at once and gives the
/// buffer back (<see cref="Release"/>), so reading does not allocate per chunk.
/// </summary>
public readonly record struct TraceChunk(byte[] Buffer, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    public static TraceChunk Rent(int size) => new(ArrayPool<byte>.Shared.Rent(size), 0);

    public void Release() => ArrayPool<byte>.Shared.Return(Buffer);
}
