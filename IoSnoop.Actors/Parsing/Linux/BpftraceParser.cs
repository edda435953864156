using System.Buffers.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Parsing.Linux;

/// <summary>
/// Reads what <c>iosnoop.bt</c> prints (its header comment lists the lines) for one run of it. Map
/// lines are kept until the interval marker <c>T</c> (or <c>@zend</c> after a stop) closes them; then
/// the parser emits one <see cref="IoEvent"/> per process, file and direction with the bytes and
/// the number of system calls of that interval. Only the latest print of each map counts until it
/// is closed: after a stop bpftrace may print again a set it had printed but not closed.
/// Files of pseudo filesystems (procfs, sysfs, ...) are dropped by the type of their device in
/// <c>/proc/self/mountinfo</c>.
/// <para>
/// The process maps (<c>@P</c> starts, <c>@E</c> execs, <c>@X</c> ends) are closed with the sums: at each close
/// the parser reports the interval's starts, then its execs in the order they happened, then the bytes per
/// pid of the events it emitted (file and disk bytes), then the ends (<see cref="InstanceEvent"/>).
/// </para>
/// </summary>
public sealed partial class BpftraceParser : ITraceParser
{
    public static class Reasons
    {
        public const string Unknown = "not a line the bpftrace program prints";
        public const string UnknownMap = "unknown map";
        public const string BadSumLine = "sum line is not @Xn[pid, comm, dev, ino, gen, dir]: N";
        public const string BadComponentLine = "path line is not @Cn[dev, ino, gen, idx, len]: name";
        public const string BadMarker = "interval marker without a time";
        public const string BadProcessLine = "exec or exit line without a pid";
        public const string BadStartLine = "process start line is not @Pn[pid, start, ppid, pstart, cgroup]: comm";
        public const string BadExecLine = "exec line is not @En[pid, start, time, dev, ino, gen, cgroup]: comm";
        public const string BadEndLine = "process end line is not @Xn[pid, start, lifetime, exit]: comm";
        public const string BadLostLine = "lost-events line without a count";
        public const string Failure = "the parser failed on this line";
    }

    // The data maps, by index: bytes of set 0 and 1, calls of set 0 and 1, path components of set 0 and 1,
    // process starts, execs and ends of set 0 and 1.
    private const int Bytes0 = 0, Calls0 = 2, Components0 = 4, Starts0 = 6, Execs0 = 8, Ends0 = 10, NoMap = -1;

    private readonly List<SumEntry>[] _sums = [new(), new(), new(), new()];
    private readonly List<ComponentEntry>[] _components = [new(), new()];
    private readonly List<InstanceStarted>[] _starts = [new(), new()];
    private readonly List<ExecEntry>[] _execs = [new(), new()];
    private readonly List<InstanceEnded>[] _ends = [new(), new()];
    private readonly Dictionary<int, InstanceIo> _ioByPid = new();
    private readonly List<ExecEntry> _execOrder = new();
    private readonly Dictionary<FileKey, List<PathComponent>> _componentsByFile = new();
    private readonly Dictionary<SumKey, Totals> _totals = new();
    private readonly PathTable _paths;
    private readonly Func<MountTable> _loadMounts;
    private MountTable? _mounts;
    private bool _mountsLoadedThisInterval;
    private int _runningMap = NoMap;

    /// <param name="pathCacheCapacity">How many file paths to keep across intervals.</param>
    /// <param name="loadMounts">Reads the mount table (default: <c>/proc/self/mountinfo</c>); called when
    /// first needed and again, at most once an interval, when a device is not in it.</param>
    public BpftraceParser(int pathCacheCapacity = 131_072, Func<MountTable>? loadMounts = null)
    {
        _paths = new PathTable(pathCacheCapacity);
        _loadMounts = loadMounts ?? (static () => MountTable.Load());
    }

    /// <summary>True once <c>@zend</c>, the last line after a stop, was read.</summary>
    public bool Finished { get; private set; }

    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        try
        {
            ParseLine(line, sink);
        }
        catch (Exception)
        {
            // A bad line must never stop the stream; every known failure is reported above this.
            sink.Malformed(line, Reasons.Failure);
        }
    }

    private void ParseLine(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (!line.IsEmpty && line[0] == (byte)'@')
        {
            ParseMapLine(line, sink);
            return;
        }

        _runningMap = NoMap;
        var text = TrimCr(line);
        if (text.IsEmpty)
            return; // bpftrace separates maps with empty lines
        if (text.SequenceEqual("READY"u8))
            sink.Ready();
        else if (text.StartsWith("T "u8))
        {
            if (IsUnsigned(text[2..]))
                Close(sink);
            else
                sink.Malformed(line, Reasons.BadMarker);
        }
        else if (text.StartsWith("E "u8) || text.StartsWith("X "u8))
        {
            // Process lifecycle lines: read, not reported (the sink has no use for them yet).
            var rest = text[2..];
            var space = rest.IndexOf((byte)' ');
            if (!IsUnsigned(space < 0 ? rest : rest[..space]))
                sink.Malformed(line, Reasons.BadProcessLine);
        }
        else if (text.StartsWith("Lost "u8) && text.EndsWith(" events"u8))
        {
            if (TryParseCount(text["Lost ".Length..^" events".Length], out var lost))
                sink.Dropped(lost);
            else
                sink.Malformed(line, Reasons.BadLostLine);
        }
        else if (text.StartsWith("Attaching "u8) && text.EndsWith(" probes..."u8))
        {
            // Printed when bpftrace runs without -q.
        }
        else
            sink.Malformed(line, Reasons.Unknown);
    }

    private void ParseMapLine(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        var body = line[1..];
        var nameEnd = body.IndexOfAny((byte)'[', (byte)':');
        var name = nameEnd < 0 ? body : body[..nameEnd];
        var map = DataMap(name);
        if (map >= DiskSums0)
        {
            ParseDiskMapLine(line, body, map, nameEnd, sink);
            return;
        }

        if (map == NoMap)
        {
            _runningMap = NoMap;
            if (name.SequenceEqual("zend"u8))
            {
                var value = nameEnd < 0 ? default : TrimCr(body[nameEnd..]);
                if (value.StartsWith(": "u8) && IsUnsigned(value[2..]))
                {
                    Close(sink);
                    Finished = true;
                }
                else
                    sink.Malformed(line, Reasons.BadMarker);
            }
            else if (!IsBookkeepingMap(name))
                sink.Malformed(line, Reasons.UnknownMap);
            return;
        }

        if (nameEnd < 0 || body[nameEnd] != (byte)'[')
        {
            sink.Malformed(line, BadLineReason(map));
            return;
        }
        if (map != _runningMap)
        {
            // A new print of this map: it replaces an earlier print that no marker closed.
            if (map >= Ends0)
                _ends[map - Ends0].Clear();
            else if (map >= Execs0)
                _execs[map - Execs0].Clear();
            else if (map >= Starts0)
                _starts[map - Starts0].Clear();
            else if (map >= Components0)
                _components[map - Components0].Clear();
            else
                _sums[map].Clear();
            _runningMap = map;
        }

        var rest = body[(nameEnd + 1)..];
        if (map >= Starts0)
        {
            if (!TryParseProcessLine(map, TrimCr(rest), sink.Names))
                sink.Malformed(line, BadLineReason(map));
        }
        else if (map >= Components0)
        {
            if (TryParseComponent(rest, sink.Names, out var entry))
                _components[map - Components0].Add(entry);
            else
                sink.Malformed(line, Reasons.BadComponentLine);
        }
        else if (TryParseSum(TrimCr(rest), sink.Names, out var sum))
            _sums[map].Add(sum);
        else
            sink.Malformed(line, Reasons.BadSumLine);
    }

    private static string BadLineReason(int map) => map switch
    {
        >= Ends0 => Reasons.BadEndLine,
        >= Execs0 => Reasons.BadExecLine,
        >= Starts0 => Reasons.BadStartLine,
        >= Components0 => Reasons.BadComponentLine,
        _ => Reasons.BadSumLine,
    };

    /// <summary>The index of a data map (<c>B0</c> ... <c>X1</c>, and the disk maps from <see cref="DiskSums0"/> on), or <see cref="NoMap"/>.</summary>
    private static int DataMap(ReadOnlySpan<byte> name)
    {
        if (name.Length != 2 || name[1] is not ((byte)'0' or (byte)'1'))
            return NoMap;
        var set = name[1] - '0';
        return name[0] switch
        {
            (byte)'B' => Bytes0 + set,
            (byte)'N' => Calls0 + set,
            (byte)'C' => Components0 + set,
            (byte)'P' => Starts0 + set,
            (byte)'E' => Execs0 + set,
            (byte)'X' => Ends0 + set,
            (byte)'D' => DiskSums0 + set,
            (byte)'M' => PageCache0 + set,
            (byte)'W' => Dirtied0 + set,
            (byte)'K' => DeviceBytes0 + set,
            (byte)'Q' => DeviceRequests0 + set,
            _ => NoMap,
        };
    }

    /// <summary>Maps the program uses for itself; they show only if bpftrace prints them at exit.</summary>
    private static bool IsBookkeepingMap(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("seen"u8) || name.SequenceEqual("f"u8) || name.SequenceEqual("cur"u8)
        || name.SequenceEqual("H0"u8) || name.SequenceEqual("H1"u8) || name.SequenceEqual("pp"u8) || name.SequenceEqual("ps"u8)
        || name.SequenceEqual("xc"u8) || name.SequenceEqual("disk_r"u8) || name.SequenceEqual("disk_w"u8);

    /// <summary>
    /// <c>pid, comm, dev, ino, gen, dir]: value</c>. comm is printed as it is and may hold <c>, </c>
    /// or <c>]</c>, so the pid is read from the front and everything else from the back.
    /// </summary>
    internal static bool TryParseSum(ReadOnlySpan<byte> text, NameTable names, out SumEntry entry)
    {
        entry = default;
        var close = text.LastIndexOf("]: "u8);
        if (close < 0 || !TryParseCount(text[(close + 3)..], out var value))
            return false;
        var key = text[..close];
        var first = key.IndexOf(", "u8);
        if (first < 0 || !TryParseNumber(key[..first], out var pid) || pid > int.MaxValue)
            return false;
        var middle = key[(first + 2)..];
        Span<ulong> numbers = stackalloc ulong[4]; // dev, ino, gen, dir
        for (var i = 3; i >= 0; i--)
        {
            var separator = middle.LastIndexOf(", "u8);
            if (separator < 0 || !TryParseNumber(middle[(separator + 2)..], out numbers[i]))
                return false;
            middle = middle[..separator];
        }
        if (numbers[0] > uint.MaxValue || numbers[2] > uint.MaxValue || numbers[3] > 1)
            return false;
        entry = new SumEntry(
            new SumKey(
                (int)pid,
                names.Get(middle),
                new FileKey((uint)numbers[0], numbers[1], (uint)numbers[2]),
                numbers[3] == 0 ? IoDirection.Read : IoDirection.Write),
            value);
        return true;
    }

    /// <summary>
    /// A line of a process map (<c>@P</c>, <c>@E</c>, <c>@X</c>) after its <c>[</c>: numbers only in the key, so the
    /// name is everything after the first <c>]: </c>.
    /// </summary>
    private bool TryParseProcessLine(int map, ReadOnlySpan<byte> text, NameTable names)
    {
        var set = (map - Starts0) % 2;
        Span<ulong> numbers = stackalloc ulong[7];
        // Starts and execs end with the cgroup id, ends with the exit status; recordings made before those were
        // added have one number less (read as not known).
        var count = map >= Ends0 ? 4 : map >= Execs0 ? 7 : 5;
        var parsed = TryParseNumberKey(text, numbers[..count], out var value)
                     || TryParseNumberKey(text, numbers[..--count], out value);
        if (!parsed || numbers[0] is 0 or > int.MaxValue || numbers[1] > long.MaxValue)
            return false;
        var pid = (int)numbers[0];
        var start = (long)numbers[1];
        var name = names.Get(value);
        if (map >= Ends0)
        {
            // exit: the status + 1 that exit_group gave, 0 when the process ended otherwise (a signal) or unseen.
            var exit = count == 4 ? numbers[3] : 0;
            if (numbers[2] > long.MaxValue || exit > 256)
                return false;
            _ends[set].Add(new InstanceEnded(pid, start, (long)numbers[2], name) { ExitCode = exit == 0 ? null : (int)exit - 1 });
        }
        else if (map >= Execs0)
        {
            if (numbers[3] > uint.MaxValue || numbers[5] > uint.MaxValue)
                return false;
            _execs[set].Add(new ExecEntry(pid, start, numbers[2], new FileKey((uint)numbers[3], numbers[4], (uint)numbers[5]), name,
                count == 7 ? numbers[6] : 0));
        }
        else
        {
            if (numbers[2] > int.MaxValue || numbers[3] > long.MaxValue)
                return false;
            _starts[set].Add(new InstanceStarted(pid, start, (int)numbers[2], (long)numbers[3], name, count == 5 ? numbers[4] : 0));
        }
        return true;
    }

    /// <summary><c>n1, n2, ..., nk]: value</c> with exactly as many numbers as <paramref name="numbers"/> holds.</summary>
    private static bool TryParseNumberKey(ReadOnlySpan<byte> text, Span<ulong> numbers, out ReadOnlySpan<byte> value)
    {
        value = default;
        var close = text.IndexOf("]: "u8);
        if (close < 0)
            return false;
        var key = text[..close];
        value = text[(close + 3)..];
        for (var i = 0; i < numbers.Length; i++)
        {
            var last = i == numbers.Length - 1;
            var separator = last ? key.Length : key.IndexOf(", "u8);
            if (separator < 0 || !TryParseNumber(key[..separator], out numbers[i]))
                return false;
            key = last ? default : key[(separator + 2)..];
        }
        return true;
    }

    /// <summary><c>dev, ino, gen, idx, len]: name</c>; the name is everything after the first <c>]: </c>.</summary>
    internal static bool TryParseComponent(ReadOnlySpan<byte> text, NameTable names, out ComponentEntry entry)
    {
        entry = default;
        var close = text.IndexOf("]: "u8);
        if (close < 0)
            return false;
        var key = text[..close];
        var name = text[(close + 3)..];
        Span<ulong> numbers = stackalloc ulong[5]; // dev, ino, gen, idx, len
        for (var i = 0; i < 5; i++)
        {
            var separator = key.IndexOf(", "u8);
            var field = i < 4 ? (separator < 0 ? default : key[..separator]) : key;
            if ((i < 4 && separator < 0) || !TryParseNumber(field, out numbers[i]))
                return false;
            if (i < 4)
                key = key[(separator + 2)..];
        }
        if (numbers[0] > uint.MaxValue || numbers[2] > uint.MaxValue || numbers[3] > 4096 || numbers[4] > 65_535)
            return false;
        var length = (int)numbers[4];
        // Names are printed verbatim; a '\r' beyond the name's length came from the line's end.
        // The root marker "/" has length 0.
        var root = length == 0 && (name.SequenceEqual("/"u8) || name.SequenceEqual("/\r"u8));
        if (root)
            name = "/"u8;
        else if (name.Length == length + 1 && name[^1] == (byte)'\r')
            name = name[..^1];
        entry = new ComponentEntry(
            new FileKey((uint)numbers[0], numbers[1], (uint)numbers[2]),
            new PathComponent((int)numbers[3], names.Get(name), !root && name.Length < length));
        return true;
    }

    /// <summary>Closes an interval: joins the new paths and emits the sums printed since the last close.</summary>
    private void Close(ITraceSink sink)
    {
        foreach (var list in _components)
        {
            foreach (var entry in list)
            {
                if (!_componentsByFile.TryGetValue(entry.File, out var components))
                    _componentsByFile[entry.File] = components = new List<PathComponent>(8);
                components.Add(entry.Component);
            }
            list.Clear();
        }
        foreach (var (file, components) in _componentsByFile)
        {
            var path = PathTable.Join(components);
            if (path is not null)
            {
                _paths.Set(file, sink.Names.Get(path.AsSpan()));
                NoteGeneration(file);
            }
        }
        _componentsByFile.Clear();

        for (var map = 0; map < _sums.Length; map++)
        {
            var calls = map >= Calls0;
            foreach (var entry in _sums[map])
            {
                _totals.TryGetValue(entry.Key, out var totals);
                _totals[entry.Key] = calls
                    ? totals with { Calls = totals.Calls + entry.Value }
                    : totals with { Bytes = totals.Bytes + entry.Value };
            }
            _sums[map].Clear();
        }

        _mountsLoadedThisInterval = false;
        DiskSums? disk = null;
        try
        {
            foreach (var list in _starts)
                foreach (var started in list)
                    sink.Instance(started);
            foreach (var list in _execs)
                _execOrder.AddRange(list);
            _execOrder.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            foreach (var exec in _execOrder)
            {
                var exe = exec.Exe.Inode != 0 && _paths.TryGet(exec.Exe, out var known) ? known : null;
                sink.Instance(new InstanceExecuted(exec.Pid, exec.Start, exec.Name, exe, exec.Cgroup));
            }

            foreach (var (key, totals) in _totals)
            {
                if (totals.Bytes <= 0 || IsPseudoFileSystem(key.File.Device))
                    continue;
                var path = _paths.TryGet(key.File, out var known) ? known : sink.Names.Get(key.File.UnknownPath().AsSpan());
                sink.Event(new IoEvent(key.Process, key.Pid, path, key.Direction, totals.Bytes, totals.Calls));
                if (key.Pid > 0)
                {
                    var io = _ioByPid.TryGetValue(key.Pid, out var earlier) ? earlier : new InstanceIo(key.Pid, key.Process, 0, 0);
                    _ioByPid[key.Pid] = key.Direction == IoDirection.Read
                        ? io with { Reads = Figures.Add(io.Reads, totals.Bytes) }
                        : io with { Writes = Figures.Add(io.Writes, totals.Bytes) };
                }
            }
            // The disk bytes per pid join the same sums, before the ends: a process's last interval has its disk bytes too.
            disk = SumDisk(sink);
            foreach (var ((pid, process, _, direction), bytes) in disk)
            {
                if (pid <= 0)
                    continue;
                var io = _ioByPid.TryGetValue(pid, out var earlier) ? earlier : new InstanceIo(pid, process, 0, 0);
                _ioByPid[pid] = direction == IoDirection.Read
                    ? io with { DiskReads = Figures.Add(io.DiskReads, bytes) }
                    : io with { DiskWrites = Figures.Add(io.DiskWrites, bytes) };
            }
            foreach (var io in _ioByPid.Values)
                sink.Instance(io);

            foreach (var list in _ends)
                foreach (var ended in list)
                    sink.Instance(ended);
        }
        finally
        {
            // Whatever happens, an interval is emitted at most once.
            _totals.Clear();
            _ioByPid.Clear();
            _execOrder.Clear();
            foreach (var list in _starts)
                list.Clear();
            foreach (var list in _execs)
                list.Clear();
            foreach (var list in _ends)
                list.Clear();
        }
        CloseDisk(sink, disk);
    }

    private bool IsPseudoFileSystem(uint device)
    {
        if (_mounts is null)
        {
            _mounts = _loadMounts();
            _mountsLoadedThisInterval = true;
        }
        if (_mounts.TryGetType(device, out var type))
            return MountTable.PseudoFileSystems.Contains(type);
        if (_mountsLoadedThisInterval)
            return false; // not mounted in this namespace: kept
        _mounts = _loadMounts();
        _mountsLoadedThisInterval = true;
        return _mounts.IsPseudo(device);
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static bool IsUnsigned(ReadOnlySpan<byte> text) => TryParseNumber(text, out _);

    /// <summary>Decimal digits only (no sign, no spaces).</summary>
    private static bool TryParseNumber(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20 || text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            return false;
        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }

    private static bool TryParseCount(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (!TryParseNumber(text, out var number) || number > long.MaxValue)
            return false;
        value = (long)number;
        return true;
    }

    internal readonly record struct SumKey(int Pid, string Process, FileKey File, IoDirection Direction);

    internal readonly record struct SumEntry(SumKey Key, long Value);

    internal readonly record struct ComponentEntry(FileKey File, PathComponent Component);

    /// <summary>An exec as printed: <see cref="Time"/> orders the execs of an interval, the executable's path is joined at the close.</summary>
    private readonly record struct ExecEntry(int Pid, long Start, ulong Time, FileKey Exe, string Name, ulong Cgroup);

    private readonly record struct Totals(long Bytes, long Calls);
}
