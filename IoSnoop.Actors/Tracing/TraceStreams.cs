using Akka;
using Akka.Event;
using Akka.Streams.Dsl;
using Akka.Util;
using IoSnoop.Actors.Parsing;

namespace IoSnoop.Actors.Tracing;

/// <summary>The sources of stdout chunks: a running tracer process, or a recorded file read once.</summary>
public static class TraceStreams
{
    /// <summary>
    /// Starts the tracer when the stream starts and emits its stdout as chunks. The stream completes when
    /// the tracer exits after a requested stop (or with exit code 0) and fails with the exit code and the
    /// last stderr lines when it exits on its own with an error. Cancelling the stream stops the tracer.
    /// </summary>
    public static Source<TraceChunk, NotUsed> FromTracer(TracerRun run, int chunkSize) =>
        Source.UnfoldResourceAsync<TraceChunk, TracerProcess>(
            () => Task.FromResult(run.Start()),
            async process =>
            {
                var chunk = TraceChunk.Rent(chunkSize);
                var read = await process.ReadAsync(chunk.Buffer).ConfigureAwait(false);
                if (read > 0)
                    return Option<TraceChunk>.Create(chunk with { Length = read });
                chunk.Release();
                var exitCode = await process.WaitForExitAsync().ConfigureAwait(false);
                if (exitCode != 0 && !process.StopRequested)
                    throw new TracerExitedException(process.Command.Program, exitCode, process.LastStderr);
                return Option<TraceChunk>.None;
            },
            async process =>
            {
                await process.DisposeAsync().ConfigureAwait(false);
                return Done.Instance;
            });

    /// <summary>Reads a file once as chunks.</summary>
    public static Source<TraceChunk, NotUsed> FromFile(string path, int chunkSize) =>
        Source.UnfoldResourceAsync<TraceChunk, FileStream>(
            () => Task.FromResult(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: true)),
            async stream =>
            {
                var chunk = TraceChunk.Rent(chunkSize);
                var read = await stream.ReadAsync(chunk.Buffer.AsMemory(0, chunkSize)).ConfigureAwait(false);
                if (read > 0)
                    return Option<TraceChunk>.Create(chunk with { Length = read });
                chunk.Release();
                return Option<TraceChunk>.None;
            },
            async stream =>
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                return Done.Instance;
            });
}

/// <summary>
/// One run of a tracer: starts it, routes its stderr lines by what they mean (logging a few a second at
/// most), and lets the owner ask it to stop before or after it started.
/// </summary>
public sealed class TracerRun(ITraceSource source, string? rawLogPath, ILoggingAdapter log,
    Action<StderrLine, string> onStderr)
{
    private readonly Lock _gate = new();
    private TracerProcess? _process;
    private bool _stopRequested;

    public ITraceSource Source { get; } = source;

    public TracerProcess Start()
    {
        var command = Source.Prepare();
        lock (_gate)
        {
            if (_stopRequested)
                throw new OperationCanceledException("the tracer was stopped before it started");
            _process = TracerProcess.Start(command, Source.StopGracePeriod, rawLogPath, OnStderr, log);
            return _process;
        }
    }

    public void RequestStop()
    {
        TracerProcess? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _process;
        }
        process?.RequestStop();
    }

    /// <summary>Kills the tracer at once if it still runs (the last resort of a stop).</summary>
    public void Kill()
    {
        TracerProcess? process;
        lock (_gate)
        {
            _stopRequested = true;
            process = _process;
        }
        if (process is { HasExited: false })
            process.Kill();
    }

    /// <summary>Stderr lines logged per second at most; every line is still classified.</summary>
    public const int StderrLinesLoggedPerSecond = 20;

    private readonly LogBudget _stderrLog = new(StderrLinesLoggedPerSecond);

    private void OnStderr(string line)
    {
        var meaning = Source.ClassifyStderr(line);
        if (_stderrLog.TryTake(out var suppressed))
        {
            var more = suppressed > 0 ? $" ({suppressed} more stderr lines not logged)" : "";
            switch (meaning.Kind)
            {
                case StderrKind.Noise:
                    log.Debug("{0}: {1}{2}", Source.Name, line, more);
                    break;
                case StderrKind.Problem:
                    log.Error("{0}: {1} ({2}){3}", Source.Name, meaning.Message, line, more);
                    break;
                default:
                    log.Warning("{0}: {1}{2}", Source.Name, line, more);
                    break;
            }
        }
        onStderr(meaning, line);
    }
}

/// <summary>The tracer exited on its own with an error.</summary>
public sealed class TracerExitedException(string program, int exitCode, string lastStderr)
    : Exception($"{program} exited with code {exitCode}" + (lastStderr.Length > 0 ? $": {lastStderr}" : ""))
{
    public int ExitCode { get; } = exitCode;
}
