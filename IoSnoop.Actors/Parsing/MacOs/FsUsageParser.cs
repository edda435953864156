using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Parsing.MacOs;

/// <summary>
/// Reads the disk I/O lines of <c>fs_usage -w -f diskio</c>:
/// <c>HH:MM:SS.ffffff  RdData[AT2]       D=0x00a886d2  B=0x1000   /dev/disk3s5  /path   0.000875 W name.threadid</c>.
/// <list type="bullet">
/// <item>Rd*, PgIn and the CoreStorage Rd…CS operations are reads; Wr*, PgOut and Wr…CS are writes.
/// <c>B=0x…</c> is the hex count of bytes transferred.</item>
/// <item>The process name is everything before the last <c>.</c> of the last field, cut by fs_usage to
/// 16 bytes; the number after that dot is a thread id, so <see cref="IoEvent.Pid"/> is 0.</item>
/// <item>The path lies between the device and the elapsed-time field, which fs_usage starts at byte
/// <see cref="ElapsedColumn"/> on every wide line; it is trimmed, <c>/System/Volumes/Data</c> in front and
/// <c>/..namedfork/rsrc</c> at the end are removed. fs_usage cuts a path longer than its field (about
/// 144 bytes) from the left with no marker, leaving it exactly as wide as the field: a path that fills
/// the field is kept as printed except that a leading <c>/</c> (the cut fell on a slash) is dropped, so
/// that it never starts with <c>/</c>, which marks it partial. (A path that fitted the field exactly is
/// then shown as partial too; it cannot be told apart.) A blank path becomes <see cref="UnknownPath"/>
/// so the bytes still count.</item>
/// </list>
/// Lines that move no bytes of a file are ignored (no event, not malformed):
/// I/O errors (<c>[errno]</c> instead of <c>B=… /dev/…</c>: no bytes moved), the null device
/// (<c>/dev/NOTFOUND</c>) and <c>THROTTLED</c> notices (<see cref="Read"/> tells which). Everything else that is
/// not a wide disk I/O line is malformed, with a reason from <see cref="Reasons"/> that says which
/// fs_usage option is missing when that is the cause (narrow lines without <c>-w</c>, syscall lines
/// without <c>-f diskio</c>).
/// </summary>
public sealed class FsUsageParser : ITraceParser
{
    /// <summary>The path given to disk I/O whose file fs_usage could not name (DTrace's word for it too).</summary>
    public const string UnknownPath = "<unknown>";

    /// <summary>Byte offset where fs_usage's <c>-w</c> layout starts the elapsed-time field.</summary>
    public const int ElapsedColumn = 219;

    public static class Reasons
    {
        public const string Empty = "empty line";
        public const string NoTimestamp = "no HH:MM:SS timestamp: not an fs_usage line";
        public const string NarrowMode = "narrow fs_usage line without byte counts: fs_usage must run with -w";
        public const string NotDiskIo = "not a disk I/O line: fs_usage must run with -f diskio";
        public const string UnknownOperation = "disk I/O line with an operation that is neither a read nor a write";
        public const string BadBlock = "D= is not a hex block number";
        public const string NoBytes = "no B=0x byte count or [errno] after the block number";
        public const string BadBytes = "B= is not a hex number";
        public const string BytesOutOfRange = "B= is out of range";
        public const string BadErrno = "[errno] is not a number";
        public const string NoDevice = "no /dev/ device after the byte count";
        public const string NoTail = "no elapsed time and process.thread at the end";
        public const string EmptyName = "empty process name";
    }

    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        switch (Read(line, sink.Names, out var ioEvent, out var reason))
        {
            case Outcome.Event:
                sink.Event(ioEvent);
                break;
            case Outcome.Malformed:
                sink.Malformed(line, reason);
                break;
        }
    }

    /// <summary>What one line is.</summary>
    public enum Outcome
    {
        Event,
        IoError,
        NullDevice,
        Throttled,
        Malformed,
    }

    /// <summary>Reads one line; for <see cref="Outcome.Malformed"/>, <paramref name="reason"/> says why.</summary>
    public static Outcome Read(ReadOnlySpan<byte> line, NameTable names, out IoEvent ioEvent, out string reason)
    {
        ioEvent = default;
        reason = string.Empty;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        if (line.IsEmpty)
            return Malformed(Reasons.Empty, out reason);
        if (!IsClockTime(line))
            return Malformed(Reasons.NoTimestamp, out reason);

        // Wide lines carry microseconds; fs_usage drops them, and all the fields that follow the
        // operation, when it formats for a narrow screen (stdout a pipe and no -w).
        int pos;
        if (line.Length >= 15 && line[8] == (byte)'.' && AllDigits(line.Slice(9, 6)))
            pos = 15;
        else if (line.Length > 8 && line[8] == (byte)' ')
            return Malformed(Reasons.NarrowMode, out reason);
        else
            return Malformed(Reasons.NoTimestamp, out reason);

        pos = SkipSpaces(line, pos);
        var operationEnd = IndexOfSpace(line, pos);
        var kind = ClassifyOperation(line[pos..operationEnd], out var direction);
        switch (kind)
        {
            case OperationKind.Throttled:
                return Outcome.Throttled;
            case OperationKind.Other:
                return Malformed(Reasons.NotDiskIo, out reason);
        }

        pos = SkipSpaces(line, operationEnd);
        if (!line[pos..].StartsWith("D=0x"u8))
            return Malformed(Reasons.NarrowMode, out reason);
        pos += 4;
        var blockDigits = CountHexDigits(line[pos..]);
        if (blockDigits == 0)
            return Malformed(Reasons.BadBlock, out reason);
        pos = SkipSpaces(line, pos + blockDigits);

        if (pos < line.Length && line[pos] == (byte)'[')
            return IsErrno(line[pos..]) ? Outcome.IoError : Malformed(Reasons.BadErrno, out reason);
        if (!line[pos..].StartsWith("B=0x"u8))
            return Malformed(Reasons.NoBytes, out reason);
        pos += 4;
        var bytesEnd = IndexOfSpace(line, pos);
        if (!TryParseHex(line[pos..bytesEnd], out var bytes, out var overflow))
            return Malformed(overflow ? Reasons.BytesOutOfRange : Reasons.BadBytes, out reason);
        pos = SkipSpaces(line, bytesEnd);

        // -b adds the BootCache result before the device.
        if (line[pos..].StartsWith("BC:"u8))
            pos = SkipSpaces(line, IndexOfSpace(line, pos));
        if (!line[pos..].StartsWith("/dev/"u8))
            return Malformed(Reasons.NoDevice, out reason);
        var deviceEnd = IndexOfSpace(line, pos);
        if (line[(pos + 5)..deviceEnd].SequenceEqual("NOTFOUND"u8))
            return Outcome.NullDevice;
        if (kind == OperationKind.UnknownDisk)
            return Malformed(Reasons.UnknownOperation, out reason);

        if (!TryFindTail(line, deviceEnd, out var pathEnd, out var nameStart, out var nameEnd))
            return Malformed(Reasons.NoTail, out reason);
        var name = line[nameStart..nameEnd];
        if (name.IsEmpty)
            return Malformed(Reasons.EmptyName, out reason);

        var printed = line[deviceEnd..pathEnd].Trim((byte)' ');
        var path = FillsPathField(line, pathEnd) ? AsPartial(printed) : Normalise(printed);
        ioEvent = new IoEvent(
            names.Get(name),
            0,
            path.IsEmpty ? UnknownPath : names.Get(path),
            direction,
            bytes);
        return Outcome.Event;
    }

    private enum OperationKind
    {
        Disk,
        UnknownDisk,
        Throttled,
        Other,
    }

    /// <summary>
    /// Disk operations are <c>RdData RdMeta PgIn WrData WrMeta PgOut</c> followed by flags in brackets
    /// (<c>[S]</c>, <c>[AT2]</c>, …), or CoreStorage operations <c>Rd…CS</c>/<c>Wr…CS</c> without flags.
    /// </summary>
    private static OperationKind ClassifyOperation(ReadOnlySpan<byte> operation, out IoDirection direction)
    {
        direction = IoDirection.Read;
        var bracket = operation.IndexOf((byte)'[');
        var name = operation;
        if (bracket >= 0)
        {
            if (operation[^1] != (byte)']')
                return OperationKind.Other;
            name = operation[..bracket];
        }

        if (name.SequenceEqual("RdData"u8) || name.SequenceEqual("RdMeta"u8) || name.SequenceEqual("PgIn"u8))
            return OperationKind.Disk;
        if (name.SequenceEqual("WrData"u8) || name.SequenceEqual("WrMeta"u8) || name.SequenceEqual("PgOut"u8))
        {
            direction = IoDirection.Write;
            return OperationKind.Disk;
        }
        if (bracket < 0 && name.EndsWith("CS"u8) && AllLetters(name))
        {
            if (name.Length > 4 && name.StartsWith("Rd"u8))
                return OperationKind.Disk;
            if (name.Length > 4 && name.StartsWith("Wr"u8))
            {
                direction = IoDirection.Write;
                return OperationKind.Disk;
            }
            // Bare "CS": a CoreStorage I/O of a type fs_usage does not know.
            return name.Length == 2 ? OperationKind.UnknownDisk : OperationKind.Other;
        }
        // "[S]" with no name: a disk I/O of a type fs_usage does not know.
        if (bracket == 0)
            return OperationKind.UnknownDisk;
        if (name.SequenceEqual("THROTTLED"u8))
            return OperationKind.Throttled;
        return OperationKind.Other;
    }

    /// <summary>
    /// Finds <c> +ELAPSED (W| ) NAME.THREAD</c> at the end: at <see cref="ElapsedColumn"/> where fs_usage
    /// puts it, otherwise (another layout) at the rightmost place after the head where it fits.
    /// </summary>
    private static bool TryFindTail(ReadOnlySpan<byte> line, int headEnd, out int pathEnd, out int nameStart, out int nameEnd)
    {
        if (ElapsedColumn >= headEnd && line.Length > ElapsedColumn && TryTailAt(line, ElapsedColumn, out nameStart, out nameEnd))
        {
            pathEnd = ElapsedColumn;
            return true;
        }
        for (var start = line.Length - 1; start >= headEnd; start--)
        {
            if (line[start] == (byte)' ' && TryTailAt(line, start, out nameStart, out nameEnd))
            {
                pathEnd = start;
                return true;
            }
        }
        pathEnd = nameStart = nameEnd = 0;
        return false;
    }

    private static bool TryTailAt(ReadOnlySpan<byte> line, int start, out int nameStart, out int nameEnd)
    {
        nameStart = nameEnd = 0;
        if (line[start] != (byte)' ')
            return false;
        var pos = SkipSpaces(line, start);
        var seconds = CountDigits(line[pos..]);
        if (seconds == 0)
            return false;
        pos += seconds;
        if (line.Length < pos + 1 + 6 + 3 || line[pos] != (byte)'.' || !AllDigits(line.Slice(pos + 1, 6)))
            return false;
        pos += 7;
        // " W " when the I/O waited (always for disk I/O), "   " otherwise.
        if (line[pos] != (byte)' ' || line[pos + 1] is not ((byte)'W' or (byte)' ') || line[pos + 2] != (byte)' ')
            return false;
        pos += 3;
        var command = line[pos..];
        var dot = command.LastIndexOf((byte)'.');
        if (dot < 0 || dot == command.Length - 1 || !AllDigits(command[(dot + 1)..]))
            return false;
        nameStart = pos;
        nameEnd = pos + dot;
        return true;
    }

    /// <summary>
    /// fs_usage pads a path that fits and cuts one that does not to exactly the field's width, so a path
    /// that fills the field up to the space before <see cref="ElapsedColumn"/> has most likely been cut.
    /// </summary>
    private static bool FillsPathField(ReadOnlySpan<byte> line, int pathEnd) =>
        pathEnd == ElapsedColumn && line[ElapsedColumn - 1] == (byte)' ' && line[ElapsedColumn - 2] != (byte)' ';

    /// <summary>
    /// A cut path keeps its end (so the resource-fork suffix goes) but its front is unknown: no data-volume
    /// prefix to remove, and a <c>/</c> in front (the cut fell on a slash) is dropped so it reads as partial.
    /// </summary>
    private static ReadOnlySpan<byte> AsPartial(ReadOnlySpan<byte> path)
    {
        if (path.EndsWith("/..namedfork/rsrc"u8))
            path = path[..^"/..namedfork/rsrc"u8.Length];
        return path.TrimStart((byte)'/');
    }

    /// <summary>The same file appears under the data volume's firmlink and as a resource fork of executables.</summary>
    internal static ReadOnlySpan<byte> Normalise(ReadOnlySpan<byte> path)
    {
        if (path.EndsWith("/..namedfork/rsrc"u8))
            path = path[..^"/..namedfork/rsrc"u8.Length];
        var dataVolume = "/System/Volumes/Data"u8;
        if (path.StartsWith(dataVolume))
        {
            if (path.Length == dataVolume.Length)
                return "/"u8;
            if (path[dataVolume.Length] == (byte)'/')
                path = path[dataVolume.Length..];
        }
        return path;
    }

    private static bool IsErrno(ReadOnlySpan<byte> text)
    {
        var close = text.IndexOf((byte)']');
        if (close < 0)
            return false;
        var number = text[1..close].Trim((byte)' ');
        if (!number.IsEmpty && number[0] == (byte)'-')
            number = number[1..];
        return !number.IsEmpty && AllDigits(number);
    }

    private static bool TryParseHex(ReadOnlySpan<byte> text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (text.IsEmpty || CountHexDigits(text) != text.Length)
            return false;
        ulong parsed = 0;
        foreach (var b in text.TrimStart((byte)'0'))
        {
            if (parsed > long.MaxValue >> 4)
            {
                overflow = true;
                return false;
            }
            parsed = (parsed << 4) | HexValue(b);
        }
        value = (long)parsed;
        return true;
    }

    private static uint HexValue(byte b) => b switch
    {
        <= (byte)'9' => (uint)(b - '0'),
        <= (byte)'F' => (uint)(b - 'A' + 10),
        _ => (uint)(b - 'a' + 10),
    };

    private static bool IsClockTime(ReadOnlySpan<byte> line) =>
        line.Length >= 8
        && IsDigit(line[0]) && IsDigit(line[1]) && line[2] == (byte)':'
        && IsDigit(line[3]) && IsDigit(line[4]) && line[5] == (byte)':'
        && IsDigit(line[6]) && IsDigit(line[7]);

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool AllDigits(ReadOnlySpan<byte> text) => text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static bool AllLetters(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z')))
                return false;
        return true;
    }

    private static int CountDigits(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return end < 0 ? text.Length : end;
    }

    private static int CountHexDigits(ReadOnlySpan<byte> text)
    {
        var count = 0;
        foreach (var b in text)
        {
            if (!IsDigit(b) && b is not ((>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F')))
                break;
            count++;
        }
        return count;
    }

    private static int SkipSpaces(ReadOnlySpan<byte> line, int pos)
    {
        while (pos < line.Length && line[pos] == (byte)' ')
            pos++;
        return pos;
    }

    private static int IndexOfSpace(ReadOnlySpan<byte> line, int pos)
    {
        var offset = line[pos..].IndexOf((byte)' ');
        return offset < 0 ? line.Length : pos + offset;
    }

    private static Outcome Malformed(string why, out string reason)
    {
        reason = why;
        return Outcome.Malformed;
    }
}
