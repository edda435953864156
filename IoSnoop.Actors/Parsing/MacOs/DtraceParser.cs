using System.Buffers.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;

namespace IoSnoop.Actors.Parsing.MacOs;

/// <summary>
/// Reads what <see cref="DtraceSource"/>'s D program prints, and the original tool's lines.
/// <list type="bullet">
/// <item>Our line: <c>PID R|W BYTES NAMELEN NAME PATH</c>, single spaces. Numbers come first and the
/// name's length in bytes before the name, so a name or path may contain spaces, <c>|</c> or anything
/// else but a newline; the path is the rest of the line.</item>
/// <item>The original's line <c>EXECNAME|ISREAD|BYTES|PATH</c> goes to <see cref="OriginalLineParser"/>, so a
/// raw log recorded by the original replays.</item>
/// <item><see cref="ReadyLine"/>, printed by the program's BEGIN clause, reports readiness.</item>
/// <item>The process records (<c>io</c>, <c>start</c>, <c>exe</c>, <c>exec</c>, <c>exit</c>, <c>tick</c> and the
/// clock line) that give process instances: see <see cref="DtraceParser"/>'s other part.</item>
/// </list>
/// As the original does, a leading <c>??</c> (DTrace's marker for the unknown front of
/// <c>fi_pathname</c>) is removed from the path, so paths match the original's stats.
/// </summary>
public sealed partial class DtraceParser : ITraceParser
{
    /// <summary>The line the DTrace program's BEGIN clause prints once its probes are enabled.</summary>
    public const string ReadyLine = "iosnoopng-dtrace-ready";

    internal static ReadOnlySpan<byte> ReadyLineUtf8 => "iosnoopng-dtrace-ready"u8;

    public static class Reasons
    {
        public const string Empty = OriginalLineParser.Reasons.Empty;
        public const string BadPid = "PID is not a decimal integer";
        public const string BadSize = OriginalLineParser.Reasons.BadSize;
        public const string SizeOutOfRange = OriginalLineParser.Reasons.SizeOutOfRange;
        public const string BadNameLength = "NAMELEN is not a positive decimal integer";
        public const string NameCut = "the line ends inside the process name";
        public const string NoPath = "no space and path after the process name";
        public const string EmptyPath = OriginalLineParser.Reasons.EmptyPath;
    }

    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        if (line.SequenceEqual(ReadyLineUtf8))
        {
            sink.Ready();
            return;
        }
        if (TryParseProcessRecord(line, sink))
            return;
        if (TryParse(line, out var fields, out var pid, out var reason))
            sink.Event(sink.Names.Get(fields.Name), pid, fields.Path, fields.Direction, fields.Bytes);
        else
            sink.Malformed(line, reason);
    }

    /// <summary>Parses one line of either format (the path stays the line's bytes); on failure
    /// <paramref name="reason"/> says why. <paramref name="pid"/> is 0 for the original's lines.</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out OriginalLineParser.Fields fields, out int pid, out string reason)
    {
        pid = 0;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        if (line.IsEmpty)
        {
            fields = default;
            reason = Reasons.Empty;
            return false;
        }
        if (LooksOurs(line))
        {
            if (TryParseOurs(line, out fields, out pid, out reason))
                return true;
            // A process of the original's format whose name merely starts like our line.
            pid = 0;
            return OriginalLineParser.TryParse(line, out fields, out _);
        }
        return OriginalLineParser.TryParse(line, out fields, out reason);
    }

    /// <summary><c>^[0-9]+ [RW] </c>: how our lines start.</summary>
    private static bool LooksOurs(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        return space > 0
            && line[..space].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && line.Length > space + 2
            && line[space + 1] is (byte)'R' or (byte)'W'
            && line[space + 2] == (byte)' ';
    }

    private static bool TryParseOurs(ReadOnlySpan<byte> line, out OriginalLineParser.Fields fields, out int pid, out string reason)
    {
        fields = default;
        pid = 0;
        var rest = line;
        var pidText = NextField(ref rest);
        if (!Utf8Parser.TryParse(pidText, out pid, out var consumed) || consumed != pidText.Length || pid < 0)
            return Fail(Reasons.BadPid, out reason);
        var direction = NextField(ref rest)[0] == (byte)'R' ? IoDirection.Read : IoDirection.Write;
        if (!OriginalLineParser.TryParseUnsigned(NextField(ref rest), out var bytes, out var overflow))
            return Fail(overflow ? Reasons.SizeOutOfRange : Reasons.BadSize, out reason);
        var lengthText = NextField(ref rest);
        if (lengthText.IsEmpty || lengthText.Length > 6 || lengthText.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !Utf8Parser.TryParse(lengthText, out int nameLength, out _) || nameLength <= 0)
            return Fail(Reasons.BadNameLength, out reason);
        if (rest.Length < nameLength)
            return Fail(Reasons.NameCut, out reason);
        var name = rest[..nameLength];
        rest = rest[nameLength..];
        if (rest.IsEmpty || rest[0] != (byte)' ')
            return Fail(Reasons.NoPath, out reason);
        var path = rest[1..];
        if (path.StartsWith("??"u8))
            path = path[2..];
        if (path.IsEmpty)
            return Fail(Reasons.EmptyPath, out reason);

        fields = new OriginalLineParser.Fields(name, direction, bytes, path);
        reason = string.Empty;
        return true;
    }

    /// <summary>The text up to the next space (removed from <paramref name="rest"/> with the space).</summary>
    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var space = rest.IndexOf((byte)' ');
        if (space < 0)
        {
            var all = rest;
            rest = default;
            return all;
        }
        var field = rest[..space];
        rest = rest[(space + 1)..];
        return field;
    }

    private static bool Fail(string why, out string reason)
    {
        reason = why;
        return false;
    }
}
