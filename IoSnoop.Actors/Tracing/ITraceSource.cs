using IoSnoop.Actors.Parsing;

namespace IoSnoop.Actors.Tracing;

/// <summary>
/// One kind of tracer (bpftrace, fs_usage, DTrace, a replayed file): how to check the machine, how to
/// start it, how to read its stdout and how to read its stderr. The pipeline does the rest (process
/// handling, framing, restarts, aggregation) the same way for every source.
/// </summary>
public interface ITraceSource
{
    /// <summary>The name users pick with <c>--source</c>.</summary>
    string Name { get; }

    /// <summary>What the figures mean, shown in the API status, the dashboard and the docs.</summary>
    string Measures { get; }

    /// <summary>Which layers the figures come from: <c>file</c> (bytes through the read and write calls, in
    /// reads/writes) and <c>disk</c> (bytes the disk moved). A source with only <c>disk</c> puts its disk bytes
    /// in reads/writes (see <see cref="Processes.SourceStatus.LayersNote"/>).</summary>
    IReadOnlyList<string> Layers => [TraceLayers.File];

    /// <summary>What the layers mean for this source, when reads/writes are not file I/O; or null.</summary>
    string? LayersNote => null;

    /// <summary>
    /// Problems that stop this source from working on this machine, one clear sentence each that says
    /// what to do (for example "bpftrace is not installed: run apt-get install bpftrace"). Empty when it can start.
    /// May fix what it can (mount tracefs) before answering.
    /// </summary>
    IReadOnlyList<string> Preflight();

    /// <summary>What <see cref="Preflight"/> found that does not stop the source but leaves figures out, one line each.</summary>
    IReadOnlyList<string> Warnings => [];

    /// <summary>The tracer to start. Called for every (re)start; may write files the tracer needs.</summary>
    TracerCommand Prepare();

    /// <summary>A fresh parser for one run of the tracer.</summary>
    ITraceParser CreateParser();

    /// <summary>True when the tracer prints a line that marks readiness (see <see cref="ITraceSink"/>).
    /// Sources without one are running as soon as the process started.</summary>
    bool SignalsReady { get; }

    /// <summary>How long to wait for readiness before a start counts as failed.</summary>
    TimeSpan ReadyTimeout { get; }

    /// <summary>What a line the tracer printed on stderr means.</summary>
    StderrLine ClassifyStderr(string line);

    /// <summary>Seconds to wait after asking the tracer to stop before killing it.</summary>
    TimeSpan StopGracePeriod { get; }
}

/// <summary>What a stderr line of a tracer means.</summary>
public enum StderrKind
{
    /// <summary>Known harmless noise: logged at debug.</summary>
    Noise,
    /// <summary>Anything else: logged at warning.</summary>
    Warning,
    /// <summary>The tracer lost events; <see cref="StderrLine.Drops"/> says how many (1 when it does not say).</summary>
    Dropped,
    /// <summary>A problem the user must see in the dashboard status (busy ktrace session, SIP, ...).</summary>
    Problem,
}

/// <param name="Kind">What the line means.</param>
/// <param name="Drops">Events lost, for <see cref="StderrKind.Dropped"/>.</param>
/// <param name="Message">For <see cref="StderrKind.Problem"/>: the sentence shown to the user.</param>
public readonly record struct StderrLine(StderrKind Kind, long Drops = 0, string? Message = null)
{
    public static StderrLine Warning { get; } = new(StderrKind.Warning);
    public static StderrLine Noise { get; } = new(StderrKind.Noise);
}

/// <summary>The layers a source's figures come from (<see cref="ITraceSource.Layers"/>), as the status says them.</summary>
public static class TraceLayers
{
    /// <summary>Bytes through the read and write calls.</summary>
    public const string File = Processes.SourceStatus.FileLayer;

    /// <summary>Bytes the disk moved.</summary>
    public const string Disk = Processes.SourceStatus.DiskLayer;
}
