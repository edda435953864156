using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Specs.MacOs;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// Hundreds of thousands of random and mutated lines (random bytes, lengths up to 1 MiB, separators
/// everywhere) through <see cref="LineFramer"/> in random chunks and every parser: nothing throws, and
/// the valid lines mixed in are counted exactly. Valid lines name processes <c>valid-N</c>; mutated ones
/// start from lines of <c>mut-N</c>, so whatever a mutation makes of them never counts for a valid name.
/// bpftrace's output is read in intervals (map lines, then a marker), so there the noise goes between
/// whole intervals. Fixed seeds: every run is the same.
/// </summary>
public sealed class ParserFuzzSpecs
{
    private const int Lines = 100_000;
    private const int MaxLineBytes = 65_536;

    /// <summary>A line of the format for a process named after <paramref name="name"/>, and what it stands for.</summary>
    private delegate (byte[] Line, string Process, IoDirection Direction, long Bytes) LineMaker(Random random, string name);

    /// <param name="LineByLine">Every valid line is an event by itself (all but bpftrace).</param>
    private sealed record Format(Func<ITraceParser> Parser, LineMaker First, LineMaker Valid, bool LineByLine = true);

    private static readonly Dictionary<string, Format> Formats = new()
    {
        ["original"] = new(() => new OriginalLineParser(), OriginalLine, OriginalLine),
        ["replay of an original log"] = new(RecordedFormats.CreateReplayParser, OriginalLine, OriginalLine),
        ["replay of a DTrace log"] = new(RecordedFormats.CreateReplayParser, DtraceLine, DtraceOrOriginalLine),
        ["replay of an fs_usage log"] = new(RecordedFormats.CreateReplayParser, FsUsageDiskLine, FsUsageDiskLine),
        ["fs_usage"] = new(() => new FsUsageParser(), FsUsageDiskLine, FsUsageDiskLine),
        ["dtrace"] = new(() => new DtraceParser(), DtraceLine, DtraceOrOriginalLine),
        ["bpftrace"] = new(Bpftrace, BpftraceSumLine, BpftraceSumLine, LineByLine: false),
    };

    public static TheoryData<string> FormatNames => new(Formats.Keys);

    public static TheoryData<string> LineByLineFormatNames => new(Formats.Where(f => f.Value.LineByLine).Select(f => f.Key));

    private static BpftraceParser Bpftrace() => new(loadMounts: () => MountTable.Empty);

    private static readonly byte[][] Separators =
        [.. new[] { "|", " ", "  ", "\t", "\r", "\n", "\0", "|0|", "|1|", "??", ".", ":", "=", "[", "]", "/", "0x", "B=0x", "D=0x",
            "/dev/", " R ", " W ", "-", "+", "99999999999999999999999", "\u00e9", "\ufffd", "12:34:56.123456", "RdData[A]",
            "WrData", "THROTTLED", "iosnoopng-dtrace-ready", "READY", "@B0[", "@C1[", "@N0[", "]: ", ", ", "T 12", "@zend: 1",
            "Lost 3 events", "E 12 ", "X 12 " }.Select(Encoding.UTF8.GetBytes),
         [0xff], [0xc3], [0xe2, 0x82], [0x80]];

    // ---- valid lines of each format ----

    private static string PathFor(Random random) => random.Next(6) switch
    {
        0 => $"/p/{random.Next(1000)}/file with space.txt",
        1 => $"/p/{random.Next(1000)}/a|b|c",
        2 => $"/p/\u00e9t\u00e9/{random.Next(1000)}",
        _ => $"/p/{random.Next(1000)}/f.o",
    };

    private static (byte[], string, IoDirection, long) OriginalLine(Random random, string name)
    {
        var flag = random.Next(5) switch { 0 => "0", 1 => "1", 2 => "-1", 3 => "00", _ => "4096" };
        var bytes = random.NextInt64(0, 1L << 40);
        var path = random.Next(10) == 0 ? "??" + PathFor(random) : PathFor(random);
        var crlf = random.Next(10) == 0 ? "\r" : "";
        var direction = flag.Trim('-', '0').Length == 0 ? IoDirection.Write : IoDirection.Read;
        return (Encoding.UTF8.GetBytes($"{name}|{flag}|{bytes}|{path}{crlf}"), name, direction, bytes);
    }

    private static (byte[], string, IoDirection, long) DtraceLine(Random random, string name)
    {
        var process = random.Next(4) == 0 ? name + " helper" : name;
        var read = random.Next(2) == 0;
        var bytes = random.NextInt64(0, 1L << 40);
        var line = $"{random.Next(1, 99999)} {(read ? 'R' : 'W')} {bytes} {Encoding.UTF8.GetByteCount(process)} {process} {PathFor(random)}";
        return (Encoding.UTF8.GetBytes(line), process, read ? IoDirection.Read : IoDirection.Write, bytes);
    }

    private static (byte[], string, IoDirection, long) DtraceOrOriginalLine(Random random, string name) =>
        random.Next(3) == 0 ? OriginalLine(random, name) : DtraceLine(random, name);

    private static (byte[], string, IoDirection, long) FsUsageDiskLine(Random random, string name)
    {
        var (operation, direction) = random.Next(4) switch
        {
            0 => ("RdData[A]", IoDirection.Read),
            1 => ("PgIn[ST2]", IoDirection.Read),
            2 => ("WrData[AT2]", IoDirection.Write),
            _ => ("WrMeta[A]", IoDirection.Write),
        };
        var bytes = random.NextInt64(1, 1L << 30);
        var path = random.Next(8) == 0 ? "/deep" + string.Concat(Enumerable.Repeat("/directory", 20)) : PathFor(random);
        return (FsUsageLine.Disk(operation, bytes, "disk3s5", path, name, thread: random.Next(1, 1 << 20)), name, direction, bytes);
    }

    private static (byte[], string, IoDirection, long) BpftraceSumLine(Random random, string name)
    {
        // comm is printed as it is: it may hold ", " and "]".
        var comm = random.Next(5) == 0 ? name + ", x]" : name;
        var write = random.Next(2) == 1;
        var bytes = random.NextInt64(1, 1L << 40);
        var line = $"@B{random.Next(2)}[{random.Next(1, 4_000_000)}, {comm}, {random.Next(1, 1 << 20)}, {random.NextInt64(1, 1L << 40)}, " +
                   $"{(uint)random.Next()}, {(write ? 1 : 0)}]: {bytes}";
        return (Encoding.UTF8.GetBytes(line), comm, write ? IoDirection.Write : IoDirection.Read, bytes);
    }

    // ---- noise ----

    private static int NoiseLength(Random random)
    {
        var roll = random.Next(10_000);
        return roll < 9_000 ? random.Next(0, 200)
            : roll < 9_990 ? random.Next(200, 2_048)
            : random.Next(MaxLineBytes - 16, 1 << 20);
    }

    private static byte[] RandomBytes(Random random)
    {
        var length = NoiseLength(random);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        // Lines longer than the framer takes are one line: no newline inside.
        if (length > 2_048)
            bytes.AsSpan().Replace((byte)'\n', (byte)'x');
        return bytes;
    }

    private static byte[] SeparatorSoup(Random random)
    {
        var soup = new List<byte>();
        var pieces = random.Next(1, 40);
        for (var i = 0; i < pieces; i++)
            soup.AddRange(Separators[random.Next(Separators.Length)]);
        return [.. soup];
    }

    private static byte[] Mutate(Random random, byte[] line)
    {
        var bytes = new List<byte>(line);
        var steps = random.Next(1, 5);
        for (var s = 0; s < steps; s++)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.InsertRange(at, Separators[random.Next(Separators.Length)]);
                    break;
                case 2:
                    bytes.RemoveRange(at, random.Next(bytes.Count - at + 1));
                    break;
                case 3:
                    var from = random.Next(bytes.Count + 1);
                    bytes.InsertRange(at, bytes.GetRange(from, random.Next(bytes.Count - from + 1)));
                    break;
                case 4:
                    var digits = new string('9', random.Next(15, 30));
                    bytes.InsertRange(at, Encoding.ASCII.GetBytes(digits));
                    break;
                case 5:
                    var chunk = new byte[random.Next(1, 64)];
                    random.NextBytes(chunk);
                    bytes.InsertRange(at, chunk);
                    break;
                case 6:
                    bytes = [.. bytes.Skip(at), .. bytes.Take(at)];
                    break;
                case 7 when bytes.Count < 4_096 && random.Next(20) == 0:
                    var once = bytes.ToArray();
                    for (var r = random.Next(2, 17); r > 1; r--)
                        bytes.AddRange(once);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }
        return [.. bytes];
    }

    // ---- the run ----

    private sealed class SummingSink : ITraceSink
    {
        public NameTable Names { get; } = new();
        public Dictionary<string, (long Reads, long Writes, long Events)> Processes { get; } = new(StringComparer.Ordinal);
        public long Events { get; private set; }
        public long MalformedLines { get; private set; }

        public void Event(in IoEvent ioEvent)
        {
            Processes.TryGetValue(ioEvent.Process, out var t);
            Processes[ioEvent.Process] = ioEvent.Direction == IoDirection.Read
                ? (t.Reads + ioEvent.Bytes, t.Writes, t.Events + 1)
                : (t.Reads, t.Writes + ioEvent.Bytes, t.Events + 1);
            Events++;
        }

        public void Malformed(ReadOnlySpan<byte> line, string reason) => MalformedLines++;

        public void Dropped(long count)
        {
        }

        public void Ready()
        {
        }
    }

    private sealed record Stream(byte[] Bytes, Dictionary<string, (long Reads, long Writes, long Events)> Valid, long ValidLines);

    private static Stream Generate(Format format, int seed)
    {
        var random = new Random(seed);
        var output = new MemoryStream();
        var valid = new Dictionary<string, (long Reads, long Writes, long Events)>(StringComparer.Ordinal);
        long validLines = 0;

        void AddValid(LineMaker maker)
        {
            var (line, name, direction, bytes) = maker(random, $"valid-{random.Next(40)}");
            valid.TryGetValue(name, out var t);
            valid[name] = direction == IoDirection.Read ? (t.Reads + bytes, t.Writes, t.Events + 1) : (t.Reads, t.Writes + bytes, t.Events + 1);
            validLines++;
            output.Write(line);
            output.WriteByte((byte)'\n');
        }

        AddValid(format.First);
        for (var i = 1; i < Lines; i++)
        {
            var roll = random.Next(100);
            if (roll < 30)
            {
                AddValid(format.Valid);
                continue;
            }
            var noise = roll < 60 ? Mutate(random, format.Valid(random, $"mut-{random.Next(40)}").Line)
                : roll < 80 ? RandomBytes(random)
                : SeparatorSoup(random);
            output.Write(noise);
            output.WriteByte((byte)'\n');
        }
        return new Stream(output.ToArray(), valid, validLines);
    }

    /// <summary>Feeds the stream to the framer in random chunks (1 byte to 256 KiB), each line to the parser.</summary>
    private static SummingSink FrameAndParse(Format format, byte[] stream, int seed)
    {
        var random = new Random(seed);
        var parser = format.Parser();
        var sink = new SummingSink();
        var framer = new LineFramer(MaxLineBytes);
        LineFramer.LineHandler onLine = line => parser.Parse(line, sink);
        LineFramer.OverlongHandler onOverlong = start => sink.Malformed(start, "too long");
        var at = 0;
        while (at < stream.Length)
        {
            var size = random.Next(4) == 0 ? random.Next(1, 16) : random.Next(1, 256 * 1024);
            size = Math.Min(size, stream.Length - at);
            framer.Feed(stream.AsSpan(at, size), onLine, onOverlong);
            at += size;
        }
        framer.Finish(onLine);
        parser.Finish(sink);
        return sink;
    }

    [Theory]
    [MemberData(nameof(LineByLineFormatNames))]
    public void Random_and_mutated_lines_never_throw_and_the_valid_lines_count_exactly(string formatName)
    {
        var format = Formats[formatName];
        var seed = formatName.Length * 7919;
        var stream = Generate(format, seed);
        var sink = FrameAndParse(format, stream.Bytes, seed + 1);

        var counted = sink.Processes.Where(p => p.Key.StartsWith("valid-", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Assert.Equal(stream.Valid.OrderBy(p => p.Key), counted.OrderBy(p => p.Key));
        Assert.Equal(stream.ValidLines, counted.Values.Sum(p => p.Events));
        Assert.True(sink.MalformedLines > Lines / 4, $"only {sink.MalformedLines} malformed lines");
    }

    [Theory]
    [MemberData(nameof(FormatNames))]
    public void Huge_and_hostile_lines_given_to_the_parser_directly_never_throw(string formatName)
    {
        var format = Formats[formatName];
        var random = new Random(formatName.Length * 104_729);
        var hostile = new List<byte[]>();
        for (var i = 0; i < 8; i++)
        {
            // Up to a mebibyte: random bytes, a mutated valid line grown by repetition, a mebibyte of one separator.
            var huge = new byte[random.Next(MaxLineBytes, 1 << 20)];
            random.NextBytes(huge);
            hostile.Add(huge);
            var mutated = Mutate(random, format.Valid(random, $"mut-{i}").Line);
            var grown = new byte[(1 << 20) / Math.Max(1, mutated.Length) * Math.Max(1, mutated.Length)];
            for (var at = 0; at + mutated.Length <= grown.Length && mutated.Length > 0; at += mutated.Length)
                mutated.CopyTo(grown, at);
            hostile.Add(grown);
        }
        foreach (var separator in Separators)
        {
            var line = new byte[(1 << 20) / separator.Length * separator.Length];
            for (var at = 0; at < line.Length; at += separator.Length)
                separator.CopyTo(line, at);
            hostile.Add(line);
        }

        var parser = format.Parser();
        var sink = new SummingSink();
        foreach (var line in hostile)
            parser.Parse(line, sink);
        // Line by line, each line is an event, malformed or skipped on purpose; bpftrace holds map lines
        // until a marker, so there only "never throws" and "no more than one answer a line" hold. A replay
        // reads with the format its first readable line decided, which hostile lines may make bpftrace's.
        var reader = parser is ReplayParser replay ? replay.Chosen : parser;
        if (format.LineByLine && reader is not BpftraceParser)
            Assert.Equal(hostile.Count, sink.Events + sink.MalformedLines + hostile.Count(l => IgnoredBy(reader, l)));
        else
            Assert.InRange(sink.MalformedLines, 1, hostile.Count);
    }

    [Fact]
    public void Random_and_mutated_lines_between_bpftrace_intervals_never_throw_and_the_intervals_count_exactly()
    {
        var random = new Random(77_777);
        var output = new MemoryStream();
        var expected = new Dictionary<string, (long Reads, long Writes, long Events)>(StringComparer.Ordinal);
        var lines = 0;

        void Write(byte[] line)
        {
            output.Write(line);
            output.WriteByte((byte)'\n');
            lines++;
        }

        Write("READY"u8.ToArray());
        for (var interval = 1; lines < Lines; interval++)
        {
            // One interval: a print of sums (some keys twice: they add up), a print of calls, a path, the marker.
            var sums = new Dictionary<string, (string Process, IoDirection Direction, long Bytes)>(StringComparer.Ordinal);
            var count = random.Next(1, 30);
            for (var i = 0; i < count; i++)
            {
                var (line, process, direction, bytes) = BpftraceSumLine(random, $"valid-{random.Next(40)}");
                // One map per print: a switch to another map and back would start a new print.
                var text = Encoding.UTF8.GetString(line).Replace("@B1[", "@B0[");
                var times = random.Next(4) == 0 ? 2 : 1;
                for (var t = 0; t < times; t++)
                    Write(Encoding.UTF8.GetBytes(text));
                var key = text[..text.LastIndexOf("]: ", StringComparison.Ordinal)];
                sums.TryGetValue(key, out var held);
                sums[key] = (process, direction, held.Bytes + times * bytes);
            }
            Write(Encoding.UTF8.GetBytes($"@N0[1, valid-0, 1, 1, 1, 0]: {random.Next(1, 99)}"));
            Write(Encoding.UTF8.GetBytes($"@C0[1, 1, 1, 0, 4]: file"));
            Write(Encoding.UTF8.GetBytes($"T {interval}"));
            foreach (var (process, direction, bytes) in sums.Values)
            {
                expected.TryGetValue(process, out var t);
                expected[process] = direction == IoDirection.Read ? (t.Reads + bytes, t.Writes, t.Events + 1) : (t.Reads, t.Writes + bytes, t.Events + 1);
            }

            for (var n = random.Next(0, 12); n > 0; n--)
            {
                var roll = random.Next(100);
                Write(roll < 50 ? Mutate(random, BpftraceSumLine(random, $"mut-{random.Next(40)}").Item1)
                    : roll < 70 ? RandomBytes(random)
                    : SeparatorSoup(random));
            }
            // Noise may have left a map print open: a blank line ends it, as bpftrace's own output does.
            Write([]);
        }

        var sink = FrameAndParse(Formats["bpftrace"], output.ToArray(), 7_777);
        var counted = sink.Processes.Where(p => p.Key.StartsWith("valid-", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Assert.Equal(expected.OrderBy(p => p.Key), counted.OrderBy(p => p.Key));
        Assert.True(sink.MalformedLines > Lines / 10, $"only {sink.MalformedLines} malformed lines");
    }

    /// <summary>Lines fs_usage's parser skips on purpose (failed I/O, null device, throttling): neither events nor malformed.</summary>
    /// <summary>fs_usage skips lines that move no bytes of a file (failed I/O, the null device, throttle notices).</summary>
    private static bool IgnoredBy(ITraceParser? parser, byte[] line) =>
        parser is FsUsageParser
        && FsUsageParser.Read(line, new NameTable(), out _, out _) is not (FsUsageParser.Outcome.Event or FsUsageParser.Outcome.Malformed);

    [Fact]
    public void The_original_format_counts_exactly_what_a_plain_reading_of_every_line_gives()
    {
        var format = Formats["original"];
        var stream = Generate(format, 424_242);
        var sink = FrameAndParse(format, stream.Bytes, 4_242);

        var expected = new Dictionary<string, (long Reads, long Writes, long Events)>(StringComparer.Ordinal);
        long lines = 0;
        foreach (var raw in Split(stream.Bytes))
        {
            lines++;
            if (raw.Length > MaxLineBytes || PlainReading(raw) is not var (name, isRead, bytes))
                continue;
            expected.TryGetValue(name, out var t);
            expected[name] = isRead ? (t.Reads + bytes, t.Writes, t.Events + 1) : (t.Reads, t.Writes + bytes, t.Events + 1);
        }
        Assert.Equal(expected.OrderBy(p => p.Key), sink.Processes.OrderBy(p => p.Key));
        Assert.Equal(lines, sink.Events + sink.MalformedLines);
    }

    private static IEnumerable<byte[]> Split(byte[] stream)
    {
        var start = 0;
        for (var i = 0; i < stream.Length; i++)
        {
            if (stream[i] != (byte)'\n')
                continue;
            yield return stream[start..i];
            start = i + 1;
        }
    }

    /// <summary>
    /// docs/compat.md's format read plainly: split at the first three bars; the flag an optionally signed
    /// integer (0 = write); the size at most 20 digits that fit in 63 bits; the path without a leading
    /// "??" not empty; one trailing CR ignored.
    /// </summary>
    private static (string Name, bool IsRead, long Bytes)? PlainReading(byte[] raw)
    {
        var line = Encoding.UTF8.GetString(raw);
        if (raw.Length > 0 && raw[^1] == (byte)'\r')
            line = Encoding.UTF8.GetString(raw, 0, raw.Length - 1);
        var parts = line.Split('|', 4);
        if (parts.Length < 4 || parts[0].Length == 0)
            return null;
        var flag = parts[1].StartsWith('-') || parts[1].StartsWith('+') ? parts[1][1..] : parts[1];
        if (flag.Length == 0 || !flag.All(char.IsAsciiDigit))
            return null;
        var size = parts[2];
        if (size.Length is 0 or > 20 || !size.All(char.IsAsciiDigit) || !long.TryParse(size, out var bytes))
            return null;
        var path = parts[3].StartsWith("??", StringComparison.Ordinal) ? parts[3][2..] : parts[3];
        if (path.Length == 0)
            return null;
        return (Encoding.UTF8.GetString(raw.AsSpan(0, raw.AsSpan().IndexOf((byte)'|'))), flag.Any(c => c != '0'), bytes);
    }
}
