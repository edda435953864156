using System.Text.RegularExpressions;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>
/// The original tool's source, opt-in: DTrace's <c>io:::start</c>, one line per disk I/O request with the
/// process name, pid, parent pid, direction, bytes and <c>fi_pathname</c> (only <c>??/parent/file</c>, never a full
/// path), and the <c>proc</c> provider's start, exec and exit records, which give process instances.
/// It needs root, System Integrity Protection off for DTrace (<c>csrutil enable --without dtrace</c>), and
/// a Mac that has not slept since boot (DTrace can freeze one that has): <see cref="Preflight"/> checks
/// the sleep guard and refuses unless the user forced it.
/// </summary>
public sealed partial class DtraceSource : ITraceSource
{
    public const string SourceName = "dtrace";
    public const string DefaultProgram = "dtrace";

    /// <summary>BEGIN fires only after every probe of the program is enabled, so its last line means "tracing". Its
    /// first line gives the wall clock and DTrace's <c>timestamp</c> at one moment, to turn process start times of
    /// day into time since boot.</summary>
    public const string BeginClause =
        "dtrace:::BEGIN { printf(\"" + DtraceParser.ClockLine + " %d %d\\n\", walltimestamp, timestamp); " +
        "printf(\"" + DtraceParser.ReadyLine + "\\n\"); }";

    /// <summary>The start of the current process in microseconds since the epoch: the same on every record of one
    /// process (and another for a reused pid), so it keys process instances.</summary>
    public const string ProcessStart = "(curpsinfo->pr_start_tv.tv_sec * 1000000 + curpsinfo->pr_start_tv.tv_usec)";

    /// <summary>
    /// <c>io PID PPID START R|W BYTES NAMELEN NAME PATH</c>: numbers first and the name's byte length before the name,
    /// so <see cref="DtraceParser"/> reads names and paths that contain spaces or <c>|</c>.
    /// </summary>
    public const string IoClause =
        "io:::start { printf(\"io %d %d %d %s %d %d %s %s\\n\", pid, ppid, " + ProcessStart + ", " +
        "(args[0]->b_flags & B_READ) ? \"R\" : \"W\", args[0]->b_bcount, strlen(execname), execname, args[2]->fi_pathname); }";

    /// <summary><c>start PID PPID START NAMELEN NAME</c>: fires in the new process (after <c>fork</c> and
    /// <c>posix_spawn</c> alike), so <c>ppid</c> is its parent at its start.</summary>
    public const string StartClause =
        "proc:::start { printf(\"start %d %d %d %d %s\\n\", pid, ppid, " + ProcessStart + ", strlen(execname), execname); }";

    /// <summary><c>exe PID PATH</c>: the path given to <c>execve</c> or <c>posix_spawn</c>, a kernel string (for a spawn
    /// it fires in the parent, whose pid it prints).</summary>
    public const string ExeClause = "proc:::exec { printf(\"exe %d %s\\n\", pid, stringof(args[0])); }";

    /// <summary><c>exec PID PPID START NAMELEN NAME</c>: the process runs a new program, <c>execname</c> its name.</summary>
    public const string ExecClause =
        "proc:::exec-success { printf(\"exec %d %d %d %d %s\\n\", pid, ppid, " + ProcessStart + ", strlen(execname), execname); }";

    /// <summary><c>exit PID PPID START END NAMELEN NAME</c>: END is the wall clock in nanoseconds.</summary>
    public const string ExitClause =
        "proc:::exit { printf(\"exit %d %d %d %d %d %s\\n\", pid, ppid, " + ProcessStart + ", walltimestamp, strlen(execname), execname); }";

    /// <summary><c>tick MONO</c> once a second: closes an interval of process records (see <see cref="DtraceParser"/>).</summary>
    public const string TickClause = "profile:::tick-1sec { printf(\"tick %d\\n\", timestamp); }";

    /// <summary><c>-q</c> prints only our lines; a 16 MiB buffer and a 10 Hz switch rate keep drops down.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        "-q", "-b", "16m", "-x", "switchrate=10hz",
        "-n", BeginClause, "-n", IoClause, "-n", StartClause, "-n", ExeClause, "-n", ExecClause, "-n", ExitClause, "-n", TickClause,
    ];

    public const string SipMessage =
        "System Integrity Protection blocks DTrace: use the default source (--source fs_usage) or run " +
        "`csrutil enable --without dtrace` from Recovery";

    public const string NotRootMessage = "DTrace must run as root: run iosnoopng with sudo or as a launchd daemon.";

    private readonly bool _forceAfterSleep;
    private readonly string _program;
    private readonly MacOsMachine? _machine;

    /// <param name="forceAfterSleep">Start even when the Mac has slept since boot (<see cref="SleepGuard.ForceFlag"/>).</param>
    /// <param name="executablePath">The dtrace to run; by default <c>dtrace</c> looked up on PATH.</param>
    /// <param name="machine">The machine to check in <see cref="Preflight"/>; by default this one.</param>
    public DtraceSource(bool forceAfterSleep, string? executablePath = null, MacOsMachine? machine = null)
    {
        _forceAfterSleep = forceAfterSleep;
        _program = string.IsNullOrEmpty(executablePath) ? DefaultProgram : executablePath;
        _machine = machine;
    }

    public string Name => SourceName;

    public string Measures => "physical disk I/O requests (DTrace io:::start, as the original)";

    public IReadOnlyList<string> Layers => [TraceLayers.Disk];

    public string? LayersNote => "reads and writes are disk I/O: this source sees the disk, not the read and write calls; diskReads and diskWrites stay 0, and the disk metrics repeat reads and writes";

    public bool SignalsReady => true;

    /// <summary>Compiling and enabling the io probes takes a moment on a busy Mac.</summary>
    public TimeSpan ReadyTimeout => TimeSpan.FromSeconds(30);

    public TimeSpan StopGracePeriod => TimeSpan.FromSeconds(5);

    /// <summary>The sleep guard's last decision (set by <see cref="Preflight"/>), to log its warning when forced.</summary>
    public SleepGuardDecision? SleepDecision { get; private set; }

    public IReadOnlyList<string> Preflight()
    {
        var machine = _machine ?? MacOsMachine.Current;
        var problems = new List<string>();
        if (!machine.IsMacOs)
        {
            problems.Add("The dtrace source runs only on macOS: pick a source for this system with --source.");
            return problems;
        }
        if (!machine.IsRoot)
            problems.Add(NotRootMessage);
        if (ExecutableLocator.Find(_program, machine.SearchPath) is null)
            problems.Add(_program.Contains('/')
                ? $"dtrace was not found at {_program}: it ships with macOS as /usr/sbin/dtrace."
                : "dtrace was not found on PATH: it ships with macOS as /usr/sbin/dtrace; add /usr/sbin to PATH.");
        var decision = SleepGuard.Decide(machine.ReadSleepTimes(), _forceAfterSleep);
        SleepDecision = decision;
        if (!decision.MayStart)
            problems.Add(decision.Message!);
        return problems;
    }

    public TracerCommand Prepare() => new(_program, Arguments);

    public ITraceParser CreateParser() => new DtraceParser();

    public StderrLine ClassifyStderr(string line)
    {
        var text = line.Trim();
        if (text.Length == 0)
            return StderrLine.Noise;
        var drops = DropPattern().Match(text);
        if (drops.Success)
            return new StderrLine(StderrKind.Dropped, long.TryParse(drops.Groups[1].ValueSpan, out var count) ? count : 1);
        // A failed action (bad address in fi_pathname, …) loses the line of that one I/O.
        if (text.StartsWith("dtrace: error on enabled probe ID", StringComparison.Ordinal))
            return new StderrLine(StderrKind.Dropped, 1);
        if (text.Contains("size lowered to", StringComparison.Ordinal))
            return StderrLine.Warning;
        if (text.Contains("system integrity protection is on", StringComparison.OrdinalIgnoreCase)
            || text.Contains("does not match any probes", StringComparison.Ordinal)
            || text.Contains("invalid probe specifier", StringComparison.Ordinal))
            return new StderrLine(StderrKind.Problem, Message: SipMessage);
        if (text.Contains("requires additional privileges", StringComparison.Ordinal))
            return new StderrLine(StderrKind.Problem, Message: NotRootMessage);
        // Without -q dtrace announces each enabling; harmless.
        if (DescriptionPattern().IsMatch(text))
            return StderrLine.Noise;
        return StderrLine.Warning;
    }

    /// <summary>
    /// libdtrace's drop reports: <c>N drop(s) on CPU M</c>, <c>N aggregation drop(s) on CPU M</c>,
    /// <c>N dynamic variable drop(s)</c> with an optional <c> with non-empty rinsing|dirty list</c>,
    /// <c>N speculative drop(s)</c>; with <c>-x droptags</c> a <c>[tag] </c> comes first.
    /// </summary>
    [GeneratedRegex(@"^dtrace: (?:\[[^\]]*\] )?(\d+) (?:aggregation |dynamic variable |speculative )?drops?(?: on CPU \d+)?(?: with non-empty (?:rinsing|dirty) list)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DropPattern();

    [GeneratedRegex(@"^dtrace: description '.*' matched \d+ probes?$", RegexOptions.CultureInvariant)]
    private static partial Regex DescriptionPattern();
}
