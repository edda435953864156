using System.Buffers.Text;
using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Parsing.MacOs;

/// <summary>
/// The process records of <c>DtraceSource</c>'s program, which give process instances as the
/// bpftrace source does (<see cref="InstanceEvent"/>). Each record names a process by its pid and its start time
/// (<c>curpsinfo-&gt;pr_start_tv</c> in microseconds since the epoch: the same on every record of one process), so a
/// reused pid is another instance:
/// <list type="bullet">
/// <item><c>iosnoopng-dtrace-clock WALL MONO</c> (BEGIN): <c>walltimestamp</c> and <c>timestamp</c>, to turn start
/// times into nanoseconds since boot (the offset is taken in whole seconds, so that every run of the tracer keys a
/// process alike).</item>
/// <item><c>io PID PPID START R|W BYTES NAMELEN NAME PATH</c> (<c>io:::start</c>): one disk I/O request, with the
/// parent of its process.</item>
/// <item><c>start PID PPID START NAMELEN NAME</c> (<c>proc:::start</c>, in the new process): a new process.</item>
/// <item><c>exe PID PATH</c> (<c>proc:::exec</c>): the path a process asked to run; for <c>posix_spawn</c> PID is
/// the spawning parent.</item>
/// <item><c>exec PID PPID START NAMELEN NAME</c> (<c>proc:::exec-success</c>): the process runs a new program.</item>
/// <item><c>exit PID PPID START END NAMELEN NAME</c> (<c>proc:::exit</c>): END is <c>walltimestamp</c>.</item>
/// <item><c>tick MONO</c> (<c>profile:::tick-1sec</c>): closes an interval.</item>
/// </list>
/// DTrace prints each CPU's buffer in turn, so records of one moment may come out of order. The parser therefore
/// keeps the instance events of an interval until its <c>tick</c>, and an end one interval longer (so that no I/O
/// printed late lands after its process's end); new instances are reported oldest first, so parents come before
/// children (see <see cref="CloseInterval"/>). A process first met
/// through any record (it started before the tracer) is reported as started with the parent that record names.
/// </summary>
public sealed partial class DtraceParser
{
    /// <summary>The BEGIN clause's first line: <c>walltimestamp</c> and <c>timestamp</c>.</summary>
    public const string ClockLine = "iosnoopng-dtrace-clock";

    public static class ProcessReasons
    {
        public const string BadClock = "clock line is not iosnoopng-dtrace-clock WALL MONO";
        public const string BadIo = "io record is not io PID PPID START R|W BYTES NAMELEN NAME PATH";
        public const string BadStart = "start record is not start PID PPID START NAMELEN NAME";
        public const string BadExe = "exe record is not exe PID PATH";
        public const string BadExec = "exec record is not exec PID PPID START NAMELEN NAME";
        public const string BadExit = "exit record is not exit PID PPID START END NAMELEN NAME";
        public const string BadTick = "tick record is not tick MONO";
    }

    private const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>A parent's start not known to this run of the tracer (the process tree takes the running instance of its pid).</summary>
    public const long UnknownStart = -1;

    /// <summary>Exec paths not matched are kept this many intervals (the exec may be printed a little later).</summary>
    private const int ExePathIntervals = 2;

    /// <summary>Records held for one interval at most, and exec paths at most: input without ticks (a cut or odd log)
    /// closes an interval when there are more, so memory stays bounded.</summary>
    public const int MaxHeld = 100_000;

    private readonly Dictionary<int, long> _startOf = new();
    private readonly Dictionary<(int Pid, long Start), PendingStart> _newInstances = new();
    private readonly List<PendingExec> _pendingExecs = new();
    private readonly List<ExePath> _exePaths = new();
    private readonly Dictionary<(int Pid, long Start), InstanceIo> _ioByInstance = new();
    private List<InstanceEnded> _endsRead = new();
    private List<InstanceEnded> _endsDue = new();
    private long _clockOffset;
    private long _interval;

    private readonly record struct PendingStart(int Pid, int ParentPid, long StartUs, string Name);

    private readonly record struct PendingExec(int Pid, int ParentPid, long StartUs, string Name);

    private sealed record ExePath(int Pid, string Path, long Interval);

    /// <summary>The output ended: everything held is reported.</summary>
    public void Finish(ITraceSink sink)
    {
        CloseInterval(sink);
        CloseInterval(sink);
    }

    /// <summary>Reads a process record; false when the line is none (it is then read as an I/O line of the old kinds).</summary>
    private bool TryParseProcessRecord(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (line.IsEmpty || line[0] is < (byte)'a' or > (byte)'z')
            return false;
        var space = line.IndexOf((byte)' ');
        if (space < 0)
            return false;
        var kind = line[..space];
        var rest = line[(space + 1)..];
        string? reason;
        if (kind.SequenceEqual("io"u8))
            reason = ReadIo(rest, sink);
        else if (kind.SequenceEqual("exec"u8))
            reason = ReadExec(rest, sink);
        else if (kind.SequenceEqual("exe"u8))
            reason = ReadExe(rest, sink);
        else if (kind.SequenceEqual("start"u8))
            reason = ReadStart(rest, sink);
        else if (kind.SequenceEqual("exit"u8))
            reason = ReadExit(rest, sink);
        else if (kind.SequenceEqual("tick"u8))
            reason = ReadTick(rest, sink);
        else if (kind.SequenceEqual("iosnoopng-dtrace-clock"u8))
            reason = ReadClock(rest);
        else
            return false;
        if (reason is null)
        {
            if (_newInstances.Count + _pendingExecs.Count + _ioByInstance.Count + _endsRead.Count > MaxHeld)
                CloseInterval(sink);
            if (_exePaths.Count > MaxHeld)
                _exePaths.RemoveRange(0, _exePaths.Count - MaxHeld);
            return true;
        }
        // A process of the original's format whose name merely starts like a record.
        if (OriginalLineParser.TryParse(line, out var fields, out _))
        {
            sink.Event(sink.Names.Get(fields.Name), 0, fields.Path, fields.Direction, fields.Bytes);
            return true;
        }
        sink.Malformed(line, reason);
        return true;
    }

    private string? ReadIo(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        if (!ReadHead(ref rest, out var pid, out var parentPid, out var startUs))
            return ProcessReasons.BadIo;
        var direction = NextField(ref rest);
        if (direction.Length != 1 || direction[0] is not ((byte)'R' or (byte)'W'))
            return ProcessReasons.BadIo;
        if (!OriginalLineParser.TryParseUnsigned(NextField(ref rest), out var bytes, out _))
            return ProcessReasons.BadIo;
        if (!ReadName(ref rest, out var nameBytes) || rest.IsEmpty || rest[0] != (byte)' ')
            return ProcessReasons.BadIo;
        var path = rest[1..];
        if (path.StartsWith("??"u8))
            path = path[2..];
        if (path.IsEmpty)
            return ProcessReasons.BadIo;

        var name = sink.Names.Get(nameBytes);
        var read = direction[0] == (byte)'R';
        sink.Event(name, pid, path, read ? IoDirection.Read : IoDirection.Write, bytes);
        if (pid <= 0)
            return null;
        Meet(pid, parentPid, startUs, name);
        if (bytes > 0)
        {
            var io = _ioByInstance.TryGetValue((pid, startUs), out var earlier) ? earlier : new InstanceIo(pid, name, 0, 0);
            _ioByInstance[(pid, startUs)] = read
                ? io with { Reads = Figures.Add(io.Reads, bytes) }
                : io with { Writes = Figures.Add(io.Writes, bytes) };
        }
        return null;
    }

    private string? ReadStart(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        if (!ReadHead(ref rest, out var pid, out var parentPid, out var startUs) || !ReadName(ref rest, out var name) || !rest.IsEmpty)
            return ProcessReasons.BadStart;
        if (pid > 0)
        {
            // The kernel's record of the start names the parent it had then: it replaces what an I/O record said
            // (an orphan's I/O names launchd), and is reported even when the process was met before.
            _startOf[pid] = startUs;
            _newInstances[(pid, startUs)] = new PendingStart(pid, parentPid, startUs, sink.Names.Get(name));
        }
        return null;
    }

    private string? ReadExe(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        var pidText = NextField(ref rest);
        if (!TryParsePid(pidText, out var pid) || rest.IsEmpty)
            return ProcessReasons.BadExe;
        if (pid > 0)
            _exePaths.Add(new ExePath(pid, sink.Names.Get(rest), _interval));
        return null;
    }

    private string? ReadExec(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        if (!ReadHead(ref rest, out var pid, out var parentPid, out var startUs) || !ReadName(ref rest, out var nameBytes) || !rest.IsEmpty)
            return ProcessReasons.BadExec;
        if (pid <= 0)
            return null;
        var name = sink.Names.Get(nameBytes);
        Meet(pid, parentPid, startUs, name);
        _pendingExecs.Add(new PendingExec(pid, parentPid, startUs, name));
        return null;
    }

    private string? ReadExit(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        if (!ReadHead(ref rest, out var pid, out var parentPid, out var startUs)
            || !OriginalLineParser.TryParseUnsigned(NextField(ref rest), out var endNs, out _)
            || !ReadName(ref rest, out var nameBytes) || !rest.IsEmpty)
            return ProcessReasons.BadExit;
        if (pid <= 0)
            return null;
        var name = sink.Names.Get(nameBytes);
        Meet(pid, parentPid, startUs, name);
        _endsRead.Add(new InstanceEnded(pid, SinceBoot(startUs), Math.Max(0, endNs - startUs * 1000), name));
        return null;
    }

    private string? ReadTick(ReadOnlySpan<byte> rest, ITraceSink sink)
    {
        if (!OriginalLineParser.TryParseUnsigned(rest, out _, out _))
            return ProcessReasons.BadTick;
        CloseInterval(sink);
        return null;
    }

    private string? ReadClock(ReadOnlySpan<byte> rest)
    {
        if (!OriginalLineParser.TryParseUnsigned(NextField(ref rest), out var wall, out _)
            || !OriginalLineParser.TryParseUnsigned(rest, out var mono, out _) || mono > wall)
            return ProcessReasons.BadClock;
        var offset = wall - mono;
        _clockOffset = offset - offset % NanosecondsPerSecond;
        return null;
    }

    /// <summary>A record of a process: one not met before (or a new instance of its pid) is a new instance.</summary>
    private void Meet(int pid, int parentPid, long startUs, string name)
    {
        if (_startOf.TryGetValue(pid, out var known) && known == startUs)
            return;
        _startOf[pid] = startUs;
        _newInstances.TryAdd((pid, startUs), new PendingStart(pid, parentPid, startUs, name));
    }

    /// <summary>
    /// Reports the interval: the bytes of the instances met before it, the ends read one interval before, then the new
    /// instances (oldest first), their execs and bytes. So the bytes of a process that ended go to it before a new
    /// process of its pid starts (the tree gives bytes to the running instance of a pid).
    /// </summary>
    private void CloseInterval(ITraceSink sink)
    {
        try
        {
            foreach (var (key, io) in _ioByInstance)
                if (!_newInstances.ContainsKey(key))
                    sink.Instance(io);
            foreach (var ended in _endsDue)
                sink.Instance(ended);
            var newest = new Dictionary<int, long>();
            foreach (var (pid, startUs) in _newInstances.Keys)
                newest[pid] = newest.TryGetValue(pid, out var other) ? Math.Max(other, startUs) : startUs;
            foreach (var started in _newInstances.Values.OrderBy(s => s.StartUs).ThenBy(s => s.Pid))
            {
                var parentStart = _startOf.TryGetValue(started.ParentPid, out var parentUs) && parentUs <= started.StartUs
                    ? SinceBoot(parentUs)
                    : UnknownStart;
                sink.Instance(new InstanceStarted(started.Pid, SinceBoot(started.StartUs), started.ParentPid, parentStart, started.Name));
                // A pid that started again within the interval: the bytes of the earlier instance go to it first.
                if (newest[started.Pid] != started.StartUs && _ioByInstance.TryGetValue((started.Pid, started.StartUs), out var early))
                    sink.Instance(early);
            }
            foreach (var exec in _pendingExecs)
                sink.Instance(new InstanceExecuted(exec.Pid, SinceBoot(exec.StartUs), exec.Name, TakeExePath(exec)));
            foreach (var (key, io) in _ioByInstance)
                if (_newInstances.ContainsKey(key) && newest[key.Pid] == key.Start)
                    sink.Instance(io);
        }
        finally
        {
            _newInstances.Clear();
            _pendingExecs.Clear();
            _ioByInstance.Clear();
            _endsDue.Clear();
            (_endsDue, _endsRead) = (_endsRead, _endsDue);
            _interval++;
            _exePaths.RemoveAll(p => _interval - p.Interval >= ExePathIntervals);
        }
    }

    /// <summary>
    /// The path the exec ran: the one its own pid asked for (<c>execve</c>), else one its parent asked for
    /// (<c>posix_spawn</c>), whose file name starts with the process name (<c>execname</c> is that name, cut to 16
    /// bytes); null when none fits, rather than a sibling's.
    /// </summary>
    private string? TakeExePath(PendingExec exec)
    {
        var index = FindExePath(exec.Pid, exec.Name);
        if (index < 0 && exec.ParentPid > 0)
            index = FindExePath(exec.ParentPid, exec.Name);
        if (index < 0)
            return null;
        var path = _exePaths[index].Path;
        _exePaths.RemoveAt(index);
        return path;
    }

    private int FindExePath(int pid, string name)
    {
        for (var i = 0; i < _exePaths.Count; i++)
        {
            var candidate = _exePaths[i];
            if (candidate.Pid != pid)
                continue;
            var slash = candidate.Path.LastIndexOf('/');
            var file = candidate.Path.AsSpan(slash + 1);
            if (file.StartsWith(name, StringComparison.Ordinal) && name.Length > 0)
                return i;
        }
        return -1;
    }

    /// <summary>Microseconds since the epoch as nanoseconds since boot, by the clock line's offset.</summary>
    private long SinceBoot(long startUs) => Math.Max(0, startUs * 1000 - _clockOffset);

    /// <summary><c>PID PPID START</c>, each a decimal; START microseconds since the epoch.</summary>
    private static bool ReadHead(ref ReadOnlySpan<byte> rest, out int pid, out int parentPid, out long startUs)
    {
        startUs = 0;
        parentPid = 0;
        return TryParsePid(NextField(ref rest), out pid)
            && TryParsePid(NextField(ref rest), out parentPid)
            && OriginalLineParser.TryParseUnsigned(NextField(ref rest), out startUs, out _)
            && startUs <= long.MaxValue / 1000;
    }

    /// <summary><c>NAMELEN NAME</c>: the name is NAMELEN bytes, whatever they are.</summary>
    private static bool ReadName(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> name)
    {
        name = default;
        var lengthText = NextField(ref rest);
        if (lengthText.IsEmpty || lengthText.Length > 6 || lengthText.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !Utf8Parser.TryParse(lengthText, out int length, out _) || length <= 0 || rest.Length < length)
            return false;
        name = rest[..length];
        rest = rest[length..];
        return true;
    }

    private static bool TryParsePid(ReadOnlySpan<byte> text, out int pid) =>
        Utf8Parser.TryParse(text, out pid, out var consumed) && consumed == text.Length && !text.IsEmpty
        && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
}
