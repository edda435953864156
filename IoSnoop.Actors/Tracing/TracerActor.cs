using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Tracing;

/// <summary>The messages the tracer actor answers.</summary>
public static class TracerProtocol
{
    /// <summary>Stop the tracer (SIGINT, let it print what it holds, then kill after its grace period).
    /// Answered with <see cref="Stopped"/> once the last batch has reached the processes actor.</summary>
    public sealed record Stop
    {
        public static Stop Instance { get; } = new();
    }

    public sealed record Stopped
    {
        public static Stopped Instance { get; } = new();
    }

    /// <summary>Answered with <see cref="SourceStatus"/>.</summary>
    public sealed record GetStatus
    {
        public static GetStatus Instance { get; } = new();
    }
}

/// <summary>
/// Runs the trace pipeline: tracer process (or recorded file) → parsing flow → processes actor, one stream
/// per tracer run. A live tracer that exits or fails is started again with exponential backoff (the
/// totals live in the processes actor and are kept); a replayed file is read once. Runs the stream from the
/// actor with <c>PipeTo(Self)</c> so its mailbox stays free; a kill switch ends it.
/// <para>
/// The restart is written here rather than with Akka.Streams' <c>RestartSource.OnFailuresWithBackoff</c>,
/// which restarts silently: the user must see each restart in the source's status (state, count, the
/// tracer's own reason and the delay before the next try), a run that lasted longer than the longest delay
/// starts the backoff afresh, and each run gets its own ready timeout. What is left by hand is one timer and
/// <see cref="Backoff"/>. A stop asks the tracer to stop (SIGINT) and keeps reading until it exits, so that
/// the sums it prints on its way out still count; the kill switch and the stop deadline are the fallbacks.
/// </para>
/// </summary>
public sealed class TracerActor : ReceiveActor, IWithTimers
{
    private sealed record StartRun
    {
        public static StartRun Instance { get; } = new();
    }

    private sealed record RunCompleted(int RunId, Exception? Failure);

    private sealed record TracerReady(int RunId);

    private sealed record ReadyTimedOut(int RunId);

    private sealed record StopDeadline
    {
        public static StopDeadline Instance { get; } = new();
    }

    private sealed record Problem(int RunId, string Message);

    /// <summary>The replayed recording carries disk figures (a bpftrace recording made with the disk probes).</summary>
    private sealed record ReplayCarriesDisk(int RunId);

    /// <summary>What a replayed file's figures are.</summary>
    public const string ReplayMeasures = "events of a recorded trace file";

    /// <summary>A recorded line (<c>name|dir|bytes|path</c>) carries one byte count without its layer: it is counted as
    /// reads/writes, whatever the recording tracer measured.</summary>
    public const string ReplayLayersNote =
        "a recorded line carries one byte count and no layer: it is counted as reads/writes (file figures), whatever the recording tracer measured; no disk figures";

    /// <summary>The note once the replay has met disk figures: a bpftrace recording keeps both layers apart.</summary>
    public const string ReplayDiskLayersNote =
        "a recording of bpftrace with its disk figures: reads/writes are file I/O, diskReads/diskWrites and the disks' totals disk I/O, as recorded";

    private readonly TracerSettings _settings;
    private readonly IActorRef _stats;
    private readonly IActorRef? _tree;
    private readonly PathPool _paths;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _stopRequesters = [];
    private readonly MalformedLineLog _malformedLog;
    private bool _replayPending;
    private int _runId;
    private TracerRun? _run;
    private UniqueKillSwitch? _killSwitch;
    private DateTimeOffset _runStarted;
    private int _consecutiveFailures;
    private int _restarts;
    private bool _stopping;
    private SourceStatus _status;
    private string? _runProblem;

    public TracerActor(TracerSettings settings, IActorRef stats, PathPool paths, IActorRef? tree = null)
    {
        _tree = tree;
        _paths = paths;
        _settings = settings;
        _stats = stats;
        _malformedLog = new MalformedLineLog(_log);
        _replayPending = settings.ReplayFile is not null;
        _status = new SourceStatus(
            settings.Live?.Name ?? (settings.ReplayFile is not null ? "replay" : "none"),
            settings.Live?.Measures ?? (settings.ReplayFile is not null ? ReplayMeasures : SourceStatus.None.Measures),
            "starting", null, 0)
        {
            Layers = settings.Live?.Layers ?? (settings.ReplayFile is not null ? [SourceStatus.FileLayer] : []),
            LayersNote = settings.Live?.LayersNote ?? (settings.ReplayFile is not null ? ReplayLayersNote : null),
        };

        Receive<StartRun>(_ => StartNextRun());
        Receive<TracerReady>(ready =>
        {
            if (ready.RunId != _runId)
                return;
            // The tracer works (ready line, or first events): a problem of an earlier run is over.
            Timers.Cancel(nameof(ReadyTimedOut));
            SetStatus("running", null);
        });
        Receive<ReadyTimedOut>(timedOut =>
        {
            if (timedOut.RunId != _runId || _killSwitch is null)
                return;
            _log.Error("{0} did not become ready within {1}", _status.Name, _settings.Live?.ReadyTimeout);
            _killSwitch.Abort(new TracerStartException(
                $"{_status.Name} did not become ready within {_settings.Live?.ReadyTimeout.TotalSeconds} s"));
        });
        Receive<Problem>(problem =>
        {
            if (problem.RunId != _runId)
                return;
            _runProblem = problem.Message;
            SetStatus(_status.State, problem.Message);
        });
        Receive<ReplayCarriesDisk>(carries =>
        {
            if (carries.RunId != _runId)
                return;
            // A replay alone says what its data holds; before a live tracer the status is the live source's.
            if (_settings.Live is not null || _status.Layers.Contains(SourceStatus.DiskLayer))
                return;
            _status = _status with { Layers = [SourceStatus.FileLayer, SourceStatus.DiskLayer], LayersNote = ReplayDiskLayersNote };
            SetStatus(_status.State, _status.Message);
        });
        Receive<RunCompleted>(OnRunCompleted);
        Receive<TracerProtocol.Stop>(_ =>
        {
            _stopRequesters.Add(Sender);
            if (_stopping)
                return;
            _stopping = true;
            Timers.Cancel(nameof(StartRun));
            if (_run is null && _killSwitch is null)
            {
                FinishStop();
                return;
            }
            _run?.RequestStop();
            if (_run is null)
                _killSwitch?.Shutdown();
            var grace = (_settings.Live?.StopGracePeriod ?? TimeSpan.Zero) + TimeSpan.FromSeconds(5);
            Timers.StartSingleTimer(nameof(StopDeadline), StopDeadline.Instance, grace);
        });
        Receive<StopDeadline>(_ =>
        {
            _log.Warning("The trace stream did not end in time; aborting it");
            _killSwitch?.Abort(new TimeoutException("stop deadline passed"));
        });
        Receive<TracerProtocol.GetStatus>(_ => Sender.Tell(_status));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="paths">The pool the processes actor's batches are interned into (the processes actor's own).</param>
    /// <param name="tree">The process-tree actor, told what each batch says about process instances; or none.</param>
    public static Props Props(TracerSettings settings, IActorRef stats, PathPool paths, IActorRef? tree = null) =>
        Akka.Actor.Props.Create(() => new TracerActor(settings, stats, paths, tree));

    protected override void PreStart()
    {
        SetStatus("starting", null);
        Self.Tell(StartRun.Instance);
    }

    protected override void PostStop()
    {
        _run?.Kill();
        _killSwitch?.Shutdown();
    }

    private void StartNextRun()
    {
        if (_stopping)
            return;
        var runId = ++_runId;
        var self = Self;
        Source<TraceChunk, Akka.NotUsed> chunks;
        ITraceParser parser;
        if (_replayPending)
        {
            _replayPending = false;
            _run = null;
            _log.Info("Replaying {0}", _settings.ReplayFile);
            chunks = TraceStreams.FromFile(_settings.ReplayFile!, _settings.ChunkSize);
            parser = RecordedFormats.CreateReplayParser();
            SetStatus("running", null);
        }
        else if (_settings.Live is not null)
        {
            var source = _settings.Live;
            _run = new TracerRun(source, _settings.RawLogPath, _log, (meaning, _) =>
            {
                if (meaning.Kind == StderrKind.Dropped)
                    _stats.Tell(new ProcessesProtocol.DropsReported(Math.Max(1, meaning.Drops)));
                else if (meaning.Kind == StderrKind.Problem)
                    self.Tell(new Problem(runId, meaning.Message ?? "the tracer reported a problem"));
            });
            chunks = TraceStreams.FromTracer(_run, _settings.ChunkSize);
            parser = source.CreateParser();
            if (source.SignalsReady)
                Timers.StartSingleTimer(nameof(ReadyTimedOut), new ReadyTimedOut(runId), source.ReadyTimeout);
            SetStatus(_restarts == 0 ? "starting" : "restarting", _status.Message);
        }
        else
        {
            return;
        }

        Action onReady = _run is not null ? () => self.Tell(new TracerReady(runId)) : () => { };
        var waitForReadyLine = _settings.Live is { SignalsReady: true };
        var stats = _stats;
        var tree = _tree;
        var askTimeout = _settings.IngestTimeout;
        // A replay's layers are known from its data: the first batch with disk figures says it has both.
        var watchForDisk = _run is null;
        // The chunk source runs on the I/O dispatcher: without a boundary of its own, the parsing stage would
        // run in the source's island and its batches, not the chunks, would wait in the buffer between islands
        // (up to 16 batches built ahead of the actors: memory, and files past the cap). So the source is its
        // own island: up to 16 chunks are read ahead, and a batch is built only when the actors can take it.
        var (killSwitch, completion) = chunks
            .Async()
            .Via(new DecodeStage(parser, _settings.Decode, _paths, _malformedLog, onReady, waitForReadyLine, _settings.Following))
            .ViaMaterialized(KillSwitches.Single<IngestBatch>(), Keep.Right)
            .Select(batch =>
            {
                if (watchForDisk && HasDiskFigures(batch))
                {
                    watchForDisk = false;
                    self.Tell(new ReplayCarriesDisk(runId));
                }
                // The process tree takes the instances beside the per-name figures, which it leaves as they are.
                if (tree is not null && (batch.Instances is not null || batch.TracerReady))
                    tree.Tell(new ProcessTreeProtocol.Observe(batch.Instances ?? [], batch.TracerReady), ActorRefs.NoSender);
                return batch;
            })
            .SelectAsync(1, batch => stats.Ask<ProcessesProtocol.Ack>(new ProcessesProtocol.Ingest(batch), askTimeout))
            .ToMaterialized(Sink.Ignore<ProcessesProtocol.Ack>(), Keep.Both)
            .Run(Context.Materializer());
        _killSwitch = killSwitch;
        _runStarted = DateTimeOffset.UtcNow;
        _runProblem = null;
        completion.PipeTo(self, success: () => new RunCompleted(runId, null), failure: e => new RunCompleted(runId, e));
        if (_run is not null && !_settings.Live!.SignalsReady)
            SetStatus("running", _status.Message);
    }

    private static bool HasDiskFigures(IngestBatch batch)
    {
        if (batch.Devices.Count > 0)
            return true;
        foreach (var process in batch.Processes)
            if (process.DiskReads > 0 || process.DiskWrites > 0)
                return true;
        return false;
    }

    private void OnRunCompleted(RunCompleted completed)
    {
        if (completed.RunId != _runId)
            return;
        Timers.Cancel(nameof(ReadyTimedOut));
        var wasReplay = _run is null;
        // The stream can end (aborted) before its tracer has exited: never leave one behind.
        _run?.Kill();
        _run = null;
        _killSwitch = null;
        var failure = completed.Failure is AggregateException { InnerException: { } inner } ? inner : completed.Failure;

        if (_stopping)
        {
            if (failure is not null)
                _log.Warning("The trace stream ended with {0} while stopping", failure.Message);
            FinishStop();
            return;
        }

        if (wasReplay)
        {
            if (failure is not null)
                _log.Error(failure, "Replaying {0} failed", _settings.ReplayFile);
            else
                _log.Info("Replayed {0}", _settings.ReplayFile);
            if (_settings.Live is null)
            {
                SetStatus(failure is null ? "stopped" : "failed",
                    failure is null ? $"replayed {_settings.ReplayFile}" : $"replay failed: {failure.Message}");
                return;
            }
            StartNextRun();
            return;
        }

        var lasted = DateTimeOffset.UtcNow - _runStarted;
        if (lasted > _settings.MaxBackoff)
            _consecutiveFailures = 0;
        _consecutiveFailures++;
        _restarts++;
        var delay = Backoff(_consecutiveFailures);
        var why = _runProblem ?? failure?.Message ?? $"{_status.Name} exited";
        _log.Warning("Tracer run ended ({0}); restarting in {1:0.#} s", why, delay.TotalSeconds);
        // A problem the tracer named (another ktrace user holds the session, ...) is a wait, not a failure.
        var state = _consecutiveFailures >= _settings.FailedAfter && _runProblem is null ? "failed" : "restarting";
        SetStatus(state, $"{why}; restarting in {delay.TotalSeconds:0.#} s");
        Timers.StartSingleTimer(nameof(StartRun), StartRun.Instance, delay);
    }

    /// <summary>Exponential backoff: min, 2·min, 4·min … up to max.</summary>
    internal TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(_settings.MinBackoff.Ticks * factor, _settings.MaxBackoff.Ticks));
        return delay;
    }

    private void FinishStop()
    {
        Timers.Cancel(nameof(StopDeadline));
        SetStatus("stopped", null);
        foreach (var requester in _stopRequesters)
            requester.Tell(TracerProtocol.Stopped.Instance);
        _stopRequesters.Clear();
    }

    private void SetStatus(string state, string? message)
    {
        _status = _status with { State = state, Message = message, Restarts = _restarts };
        _stats.Tell(new ProcessesProtocol.SourceStatusChanged(_status));
    }
}

/// <summary>What the tracer actor runs and how.</summary>
/// <param name="Live">The live tracer, or null (<c>-n</c>, or replay only).</param>
/// <param name="ReplayFile">A recorded file to read once before the live tracer starts, or null.</param>
/// <param name="RawLogPath">Append every raw stdout byte of the live tracer here (<c>-o</c>), or null.</param>
public sealed record TracerSettings(ITraceSource? Live, string? ReplayFile, string? RawLogPath)
{
    public DecodeSettings Decode { get; init; } = DecodeSettings.Default;
    /// <summary>Bytes read from the tracer at a time; below the large-object threshold so chunks stay cheap to collect.</summary>
    public int ChunkSize { get; init; } = 64 * 1024;
    /// <summary>Turned on by the process tree while it follows a tree: the batches then carry each process's bytes per file.</summary>
    public FileFollowing? Following { get; init; }
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Consecutive failed runs after which the status says "failed" (it still retries).</summary>
    public int FailedAfter { get; init; } = 3;
    /// <summary>How long the processes actor may take to take a batch before the run counts as failed.</summary>
    public TimeSpan IngestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
