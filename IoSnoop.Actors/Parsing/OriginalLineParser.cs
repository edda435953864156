using System.Buffers.Text;
using System.Runtime.CompilerServices;
using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// The original tool's line format, <c>EXECNAME|ISREAD|BYTES|PATH</c> (what its DTrace program printed
/// and its <c>-o</c> recorded). The path is everything after the third <c>|</c>, so it may contain
/// <c>|</c>; a leading <c>??</c> (DTrace's unknown-prefix marker) is stripped. ISREAD is 0 for a write,
/// any other integer for a read. BYTES is an unsigned decimal that fits in 63 bits.
/// </summary>
public sealed class OriginalLineParser : ITraceParser
{
    public static class Reasons
    {
        public const string Empty = "empty line";
        public const string TooFewFields = "too few fields";
        public const string EmptyName = "empty process name";
        public const string BadDirection = "ISREAD is not an integer";
        public const string BadSize = "BYTES is not an unsigned decimal integer";
        public const string SizeOutOfRange = "BYTES is out of range";
        public const string EmptyPath = "empty path";
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (TryParse(line, out var fields, out var reason))
            sink.Event(sink.Names.Get(fields.Name), 0, fields.Path, fields.Direction, fields.Bytes);
        else
            sink.Malformed(line, reason);
    }

    /// <summary>A line's fields, still as the line's bytes.</summary>
    public readonly ref struct Fields(ReadOnlySpan<byte> name, IoDirection direction, long bytes, ReadOnlySpan<byte> path)
    {
        public ReadOnlySpan<byte> Name { get; } = name;
        public IoDirection Direction { get; } = direction;
        public long Bytes { get; } = bytes;
        public ReadOnlySpan<byte> Path { get; } = path;
    }

    /// <summary>Parses one line; on failure <paramref name="reason"/> says why.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParse(ReadOnlySpan<byte> line, out Fields fields, out string reason)
    {
        fields = default;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        if (line.IsEmpty)
        {
            reason = Reasons.Empty;
            return false;
        }

        var first = line.IndexOf((byte)'|');
        if (first < 0)
            return Fail(Reasons.TooFewFields, out reason);
        var name = line[..first];
        var rest = line[(first + 1)..];
        var second = rest.IndexOf((byte)'|');
        if (second < 0)
            return Fail(Reasons.TooFewFields, out reason);
        var isRead = rest[..second];
        rest = rest[(second + 1)..];
        var third = rest.IndexOf((byte)'|');
        if (third < 0)
            return Fail(Reasons.TooFewFields, out reason);
        var size = rest[..third];
        var path = rest[(third + 1)..];

        if (name.IsEmpty)
            return Fail(Reasons.EmptyName, out reason);
        if (!TryParseInteger(isRead, out var readFlag))
            return Fail(Reasons.BadDirection, out reason);
        if (!TryParseUnsigned(size, out var bytes, out var overflow))
            return Fail(overflow ? Reasons.SizeOutOfRange : Reasons.BadSize, out reason);
        if (path.StartsWith("??"u8))
            path = path[2..];
        if (path.IsEmpty)
            return Fail(Reasons.EmptyPath, out reason);

        fields = new Fields(name, readFlag == 0 ? IoDirection.Write : IoDirection.Read, bytes, path);
        reason = string.Empty;
        return true;
    }

    private static bool Fail(string why, out string reason)
    {
        reason = why;
        return false;
    }

    /// <summary>An optionally signed decimal integer, digits only (like Go's strconv.Atoi).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool TryParseInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
            return false;
        var digits = text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        if (digits.IsEmpty)
            return false;
        foreach (var b in digits)
            if (b is < (byte)'0' or > (byte)'9')
                return false;
        // Only zero versus non-zero matters; a long run of digits is still an integer.
        value = digits.IndexOfAnyExcept((byte)'0') < 0 ? 0 : 1;
        return true;
    }

    /// <summary>Unsigned decimal digits only, at most <see cref="long.MaxValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseUnsigned(ReadOnlySpan<byte> text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (text.IsEmpty || text.Length > 20)
        {
            overflow = text.Length > 20 && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
            return false;
        }
        foreach (var b in text)
            if (b is < (byte)'0' or > (byte)'9')
                return false;
        if (Utf8Parser.TryParse(text, out ulong parsed, out var consumed) && consumed == text.Length)
        {
            if (parsed > long.MaxValue)
            {
                overflow = true;
                return false;
            }
            value = (long)parsed;
            return true;
        }
        overflow = true;
        return false;
    }
}
