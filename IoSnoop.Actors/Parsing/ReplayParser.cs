namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Reads a recorded raw log whose format is known only from its content: a log recorded by the original
/// tool (<c>EXECNAME|ISREAD|BYTES|PATH</c>) or one recorded from a source of ours. The first non-blank
/// line decides: if it reads as the original format, every line is read so; otherwise the given
/// source's parser reads the log.
/// </summary>
public sealed class ReplayParser(Func<ITraceParser>? sourceParser) : ITraceParser
{
    private ITraceParser? _chosen;

    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (_chosen is null)
        {
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                sink.Malformed(line, OriginalLineParser.Reasons.Empty);
                return;
            }
            _chosen = sourceParser is null || LooksOriginal(line) ? new OriginalLineParser() : sourceParser();
        }
        _chosen.Parse(line, sink);
    }

    /// <summary>NAME|INTEGER|DIGITS|… — the original's line shape.</summary>
    public static bool LooksOriginal(ReadOnlySpan<byte> line)
    {
        var first = line.IndexOf((byte)'|');
        if (first < 0)
            return false;
        var rest = line[(first + 1)..];
        var second = rest.IndexOf((byte)'|');
        if (second <= 0)
            return false;
        var flag = rest[..second];
        if (flag[0] == (byte)'-')
            flag = flag[1..];
        if (flag.IsEmpty || flag.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            return false;
        rest = rest[(second + 1)..];
        var third = rest.IndexOf((byte)'|');
        return third > 0 && rest[..third].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }
}
