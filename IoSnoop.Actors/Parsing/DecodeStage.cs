using Akka.Streams;
using Akka.Streams.Stage;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// The parsing flow: stdout chunks in, <see cref="IngestBatch"/>es out. It frames lines, hands each line
/// to the source's parser and sums the events per process and file. It keeps pulling chunks while the
/// actors are busy, so batches grow under load (fewer, larger messages); a batch goes on once it holds
/// <see cref="DecodeSettings.MinBatchEvents"/> events or its first line waited <see cref="DecodeSettings.MaxBatchDelayMs"/>,
/// so a quiet tracer's events still arrive at once. A batch that reaches <see cref="DecodeSettings.MaxBatchEntries"/>
/// entries or <see cref="DecodeSettings.MaxBatchEvents"/> events stops the pulling, which back-pressures the tracer.
/// </summary>
/// <param name="onReady">Called once: when the parser reports the tracer's ready line or, for a source
/// without one (<paramref name="waitForReadyLine"/> false), when the first event arrives.</param>
public sealed class DecodeStage(ITraceParser parser, DecodeSettings settings, PathPool paths, MalformedLineLog? malformedLog = null,
    Action? onReady = null, bool waitForReadyLine = true, FileFollowing? following = null) : GraphStage<FlowShape<TraceChunk, IngestBatch>>
{
    private readonly ITraceParser _parser = parser;
    private readonly DecodeSettings _settings = settings;
    private readonly PathPool _paths = paths;
    private readonly MalformedLineLog? _malformedLog = malformedLog;
    private readonly Action? _onReady = onReady;
    private readonly bool _waitForReadyLine = waitForReadyLine;
    private readonly FileFollowing? _following = following;
    private readonly Inlet<TraceChunk> _in = new("decode.in");
    private readonly Outlet<IngestBatch> _out = new("decode.out");

    public override FlowShape<TraceChunk, IngestBatch> Shape => new(_in, _out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string FlushTimer = "flush";
        private readonly DecodeStage _stage;
        private readonly LineFramer _framer;
        private readonly BatchBuilder _batch;
        private readonly LineFramer.LineHandler _onLine;
        private readonly LineFramer.OverlongHandler _onOverlong;
        private bool _readySignalled;
        private bool _flushDue;

        public Logic(DecodeStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _framer = new LineFramer(stage._settings.MaxLineBytes);
            _batch = new BatchBuilder(new NameTable(stage._settings.NameTableCapacity), stage._paths, stage._malformedLog, stage._following);
            _onLine = line => _stage._parser.Parse(line, _batch);
            _onOverlong = start => _batch.Malformed(start, $"line longer than {_stage._settings.MaxLineBytes} bytes");
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: OnUpstreamFailure);
            SetHandler(stage._out, onPull: OnPull);
        }

        public override void PreStart() => Pull(_stage._in);

        private void OnPush()
        {
            var chunk = Grab(_stage._in);
            _framer.Feed(chunk.Span, _onLine, _onOverlong);
            chunk.Release();
            SignalReadyOnce();
            if (!_batch.IsEmpty && !_flushDue && !IsTimerActive(FlushTimer))
                ScheduleOnce(FlushTimer, _stage._settings.MaxBatchDelay);
            TryPush();
            if (!IsFull() && !HasBeenPulled(_stage._in))
                Pull(_stage._in);
        }

        private void OnUpstreamFinish()
        {
            _framer.Finish(_onLine);
            _stage._parser.Finish(_batch);
            SignalReadyOnce();
            if (_batch.IsEmpty)
                CompleteStage();
            else
                Emit(_stage._out, _batch.Build(), CompleteStage);
        }

        /// <summary>
        /// The tracer failed (exited with an error, crashed): what it printed before still counts, so the
        /// batch being collected goes on before the failure. A last line cut off by the crash is dropped.
        /// </summary>
        private void OnUpstreamFailure(Exception failure)
        {
            if (_batch.IsEmpty)
                FailStage(failure);
            else
                Emit(_stage._out, _batch.Build(), () => FailStage(failure));
        }

        private void OnPull()
        {
            TryPush();
            if (!HasBeenPulled(_stage._in) && !IsClosed(_stage._in) && !IsFull())
                Pull(_stage._in);
        }

        protected override void OnTimer(object timerKey)
        {
            _flushDue = true;
            TryPush();
        }

        /// <summary>Pushes when the batch is large, or when its first lines have waited the longest allowed.</summary>
        private void TryPush()
        {
            if (_batch.IsEmpty || !IsAvailable(_stage._out))
                return;
            if (!_flushDue && _batch.Events < _stage._settings.MinBatchEvents && !IsFull())
                return;
            Push(_stage._out, _batch.Build());
            _flushDue = false;
            CancelTimer(FlushTimer);
            if (!HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
                Pull(_stage._in);
        }

        private bool IsFull() =>
            _batch.Entries >= _stage._settings.MaxBatchEntries || _batch.Events >= _stage._settings.MaxBatchEvents;

        private void SignalReadyOnce()
        {
            if (_readySignalled || !(_batch.ReadySeen || (!_stage._waitForReadyLine && _batch.Events > 0)))
                return;
            _readySignalled = true;
            _stage._onReady?.Invoke();
        }
    }
}

/// <summary>Limits of the parsing flow.</summary>
/// <param name="MaxLineBytes">Longer lines are skipped and counted as malformed.</param>
/// <param name="MaxBatchEntries">Distinct (process, file) entries after which a batch stops growing.</param>
/// <param name="MaxBatchEvents">Events after which a batch stops growing.</param>
/// <param name="NameTableCapacity">Distinct names and paths shared before the table starts afresh.</param>
/// <param name="MinBatchEvents">A batch is handed on once it holds this many events…</param>
/// <param name="MaxBatchDelayMs">…or once its first line has waited this long (latency bound for quiet tracers).</param>
public sealed record DecodeSettings(
    int MaxLineBytes = 65_536,
    int MaxBatchEntries = 8_192,
    long MaxBatchEvents = 1_000_000,
    int NameTableCapacity = 65_536,
    long MinBatchEvents = 8_192,
    int MaxBatchDelayMs = 50)
{
    public static DecodeSettings Default { get; } = new();


    public TimeSpan MaxBatchDelay => TimeSpan.FromMilliseconds(MaxBatchDelayMs);
}
