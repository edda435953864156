using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>
/// The default macOS source: <c>fs_usage -w -f diskio -e</c>, the physical disk I/O of every process as
/// the kernel's ktrace facility reports it. It needs root and nothing else (it works with System
/// Integrity Protection on, and a Mac that has slept is no problem).
/// <para>
/// The system has one ktrace session. While another fs_usage, Instruments or other ktrace user holds it,
/// fs_usage prints <c>ktrace_start: Resource busy</c> and exits 1: <see cref="ClassifyStderr"/> makes
/// that a problem the user sees, and the pipeline's restart with backoff retries until the session is
/// free. fs_usage ends its session cleanly on SIGINT and SIGTERM, so stop it with one of those.
/// </para>
/// </summary>
public sealed class FsUsageSource : ITraceSource
{
    public const string SourceName = "fs_usage";
    public const string DefaultProgram = "fs_usage";

    /// <summary>
    /// <c>-w</c>: the wide layout with byte counts (without it a piped fs_usage prints none);
    /// <c>-f diskio</c>: disk I/O only; <c>-e</c>: exclude fs_usage itself and the usual shells and terminals
    /// from the syscall events (disk I/O events ignore that filter, so no disk I/O is lost).
    /// </summary>
    public static IReadOnlyList<string> Arguments { get; } = ["-w", "-f", "diskio", "-e"];

    public const string BusyMessage =
        "Another fs_usage, Instruments or other ktrace user holds the system's only ktrace session " +
        "(ktrace_start: Resource busy); iosnoopng retries until it is free. Quit the other tracer to resume.";

    public const string NotRootMessage = "fs_usage must run as root: run iosnoopng with sudo or as a launchd daemon.";

    private readonly string _program;
    private readonly MacOsMachine? _machine;

    /// <param name="executablePath">The fs_usage to run; by default <c>fs_usage</c> looked up on PATH.</param>
    /// <param name="machine">The machine to check in <see cref="Preflight"/>; by default this one.</param>
    public FsUsageSource(string? executablePath = null, MacOsMachine? machine = null)
    {
        _program = string.IsNullOrEmpty(executablePath) ? DefaultProgram : executablePath;
        _machine = machine;
    }

    public string Name => SourceName;

    public string Measures => "physical disk I/O";

    public IReadOnlyList<string> Layers => [TraceLayers.Disk];

    public string? LayersNote => "reads and writes are disk I/O: this source sees the disk, not the read and write calls; diskReads and diskWrites stay 0, and the disk metrics repeat reads and writes";

    public bool SignalsReady => false;

    /// <summary>fs_usage prints no ready line: it is running once started.</summary>
    public TimeSpan ReadyTimeout => TimeSpan.Zero;

    public TimeSpan StopGracePeriod => TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Preflight()
    {
        var machine = _machine ?? MacOsMachine.Current;
        var problems = new List<string>();
        if (!machine.IsMacOs)
            problems.Add("The fs_usage source runs only on macOS: pick a source for this system with --source.");
        if (!machine.IsRoot)
            problems.Add(NotRootMessage);
        if (ExecutableLocator.Find(_program, machine.SearchPath) is null)
            problems.Add(_program.Contains('/')
                ? $"fs_usage was not found at {_program}: it ships with macOS as /usr/bin/fs_usage."
                : "fs_usage was not found on PATH: it ships with macOS as /usr/bin/fs_usage; add /usr/bin to PATH.");
        return problems;
    }

    public TracerCommand Prepare() => new(_program, Arguments);

    public ITraceParser CreateParser() => new FsUsageParser();

    public StderrLine ClassifyStderr(string line)
    {
        var text = line.Trim();
        if (text.Length == 0)
            return StderrLine.Noise;
        // Newer fs_usage prints the message alone, older ones append ": <events read>", not a loss count.
        if (text.StartsWith("fs_usage: buffer overrun, events generated too quickly", StringComparison.Ordinal))
            return new StderrLine(StderrKind.Dropped, 1);
        if (text.StartsWith("ktrace_start:", StringComparison.Ordinal))
        {
            var error = text["ktrace_start:".Length..].Trim();
            return error.Equals("Resource busy", StringComparison.OrdinalIgnoreCase)
                ? new StderrLine(StderrKind.Problem, Message: BusyMessage)
                : new StderrLine(StderrKind.Problem, Message: $"fs_usage could not start tracing (ktrace_start: {error}).");
        }
        if (text.Contains("must be run as root", StringComparison.Ordinal))
            return new StderrLine(StderrKind.Problem, Message: NotRootMessage);
        return StderrLine.Warning;
    }
}
