using Akka.Actor;
using Akka.Event;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// The parent of the process actors: routes each batch's per-process sums to the actor of that process
/// name (creating it on first sight), keeps the per-process totals the overview needs, counts events,
/// malformed lines and drops, and pushes what changed to subscribers at most once per push interval.
/// A batch is acknowledged to the stream only when every process actor it went to has added it, so a
/// slow process actor slows the tracer down instead of filling its mailbox.
/// </summary>
public sealed class StatsActor : ReceiveActor, IWithTimers
{
    private sealed class Entry(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;
        public long Reads;
        public long Writes;
        public long Events;
        public int Files;
        public DateTimeOffset LastUpdated;
        public long ReadDelta;
        public long WriteDelta;
    }

    private sealed class PendingBatch(IActorRef replyTo, int remaining)
    {
        public IActorRef ReplyTo { get; } = replyTo;
        public int Remaining = remaining;
    }

    private sealed record PushTick
    {
        public static PushTick Instance { get; } = new();
    }

    private readonly StatsSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, Entry> _processes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly Dictionary<long, PendingBatch> _pending = [];
    private long _batchCounter;
    private long _events;
    private long _malformed;
    private long _dropped;
    private long _bytesRead;
    private long _bytesWritten;
    private long _actorCounter;
    private bool _resetSincePush;
    private bool _countersChanged;
    private SourceStatus _source = SourceStatus.None;
    private DateTimeOffset _lastPush;

    public StatsActor(StatsSettings settings, TimeProvider? clock = null)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _lastPush = _clock.GetUtcNow();

        Receive<StatsProtocol.Ingest>(ingest => Ingest(ingest.Batch, Sender));
        Receive<ProcessProtocol.Recorded>(recorded =>
        {
            if (_processes.TryGetValue(recorded.Name, out var entry) && entry.Actor.Equals(Sender))
                entry.Files = recorded.Files;
            if (_pending.TryGetValue(recorded.BatchId, out var batch) && --batch.Remaining == 0)
            {
                _pending.Remove(recorded.BatchId);
                batch.ReplyTo.Tell(StatsProtocol.Ack.Instance);
            }
        });
        Receive<ProcessProtocol.FilesSet>(set =>
        {
            if (_processes.TryGetValue(set.Name, out var entry) && entry.Actor.Equals(Sender))
                entry.Files = set.Files;
        });
        Receive<StatsProtocol.GetOverview>(_ => Sender.Tell(Overview()));
        Receive<StatsProtocol.GetProcessFiles>(get =>
        {
            if (_processes.TryGetValue(get.Name, out var entry))
                entry.Actor.Forward(ProcessProtocol.GetFiles.Instance);
            else
                Sender.Tell(new ProcessFiles(get.Name, false, null, []));
        });
        Receive<StatsProtocol.GetFullDump>(_ =>
            Context.ActorOf(DumpCollector.Props(
                _processes.Values.Select(e => e.Actor).ToList(), Sender, _events, _settings.QueryTimeout)));
        Receive<StatsProtocol.DeleteProcess>(delete =>
        {
            var existed = _processes.Remove(delete.Name, out var entry);
            if (entry is not null)
            {
                Context.Stop(entry.Actor);
                _bytesRead -= entry.Reads;
                _bytesWritten -= entry.Writes;
                _changed.Remove(delete.Name);
                _removed.Add(delete.Name);
                AckAllPending();
            }
            Sender.Tell(new StatsProtocol.ProcessDeleted(delete.Name, existed));
        });
        Receive<StatsProtocol.ResetAll>(_ =>
        {
            foreach (var entry in _processes.Values)
                Context.Stop(entry.Actor);
            _processes.Clear();
            _changed.Clear();
            _removed.Clear();
            _events = _malformed = _dropped = _bytesRead = _bytesWritten = 0;
            _resetSincePush = true;
            AckAllPending();
            Sender.Tell(StatsProtocol.ResetDone.Instance);
        });
        Receive<StatsProtocol.Load>(Load);
        Receive<StatsProtocol.DropsReported>(drops =>
        {
            _dropped += drops.Count;
            _countersChanged = true;
        });
        Receive<StatsProtocol.SourceStatusChanged>(changed =>
        {
            _source = changed.Status;
            _countersChanged = true;
        });
        Receive<StatsProtocol.Subscribe>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
        });
        Receive<StatsProtocol.Unsubscribe>(unsubscribe =>
        {
            _subscribers.Remove(unsubscribe.Subscriber);
            Context.Unwatch(unsubscribe.Subscriber);
        });
        Receive<Terminated>(terminated => _subscribers.Remove(terminated.ActorRef));
        Receive<PushTick>(_ => Push());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StatsSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new StatsActor(settings, clock));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(PushTick), PushTick.Instance, _settings.PushInterval);

    private void Ingest(Events.IngestBatch batch, IActorRef replyTo)
    {
        _events += batch.Events;
        _malformed += batch.MalformedLines;
        _dropped += batch.DroppedEvents;
        if (batch.MalformedLines != 0 || batch.DroppedEvents != 0)
            _countersChanged = true;
        if (batch.Processes.Count == 0)
        {
            replyTo.Tell(StatsProtocol.Ack.Instance);
            return;
        }
        var batchId = ++_batchCounter;
        _pending[batchId] = new PendingBatch(replyTo, batch.Processes.Count);
        var now = _clock.GetUtcNow();
        foreach (var delta in batch.Processes)
        {
            var entry = GetOrCreate(delta.Process);
            entry.Actor.Tell(new ProcessProtocol.Record(delta, now, batchId));
            entry.Reads += delta.ReadBytes;
            entry.Writes += delta.WrittenBytes;
            entry.Events += delta.Operations;
            entry.ReadDelta += delta.ReadBytes;
            entry.WriteDelta += delta.WrittenBytes;
            entry.LastUpdated = now;
            _bytesRead += delta.ReadBytes;
            _bytesWritten += delta.WrittenBytes;
            _changed.Add(delta.Process);
        }
    }

    /// <summary>After a delete or reset some process actors will never answer: let the stream go on.</summary>
    private void AckAllPending()
    {
        foreach (var batch in _pending.Values)
            batch.ReplyTo.Tell(StatsProtocol.Ack.Instance);
        _pending.Clear();
    }

    private Entry GetOrCreate(string name)
    {
        if (_processes.TryGetValue(name, out var entry))
            return entry;
        // Process names may hold any character; actor names may not, so the actor gets a number.
        var actor = Context.ActorOf(ProcessActor.Props(name), $"process-{++_actorCounter}");
        entry = new Entry(actor);
        _processes[name] = entry;
        _removed.Remove(name);
        return entry;
    }

    private void Load(StatsProtocol.Load load)
    {
        var files = 0;
        foreach (var (name, list) in load.Dump.Processes)
        {
            var entry = GetOrCreate(name);
            entry.Actor.Tell(new ProcessProtocol.SetFiles(list));
            foreach (var f in list)
            {
                entry.Reads += f.Reads;
                entry.Writes += f.Writes;
                entry.Events += f.Events;
                _bytesRead += f.Reads;
                _bytesWritten += f.Writes;
                if (f.LastUpdated > entry.LastUpdated)
                    entry.LastUpdated = f.LastUpdated;
            }
            files += list.Count;
            _changed.Add(name);
        }
        _events += load.Dump.Events;
        Sender.Tell(new StatsProtocol.Loaded(load.Dump.Processes.Count, files));
    }

    private Totals CurrentTotals() => new(_events, _malformed, _dropped, _bytesRead, _bytesWritten);

    private Overview Overview()
    {
        var list = new List<ProcessSummary>(_processes.Count);
        foreach (var (name, e) in _processes)
            list.Add(new ProcessSummary(name, e.Reads, e.Writes, e.LastUpdated, e.Events, e.Files));
        return new Overview(CurrentTotals(), _source, list);
    }

    private void Push()
    {
        var now = _clock.GetUtcNow();
        if (_changed.Count == 0 && _removed.Count == 0 && !_resetSincePush && !_countersChanged)
        {
            _lastPush = now;
            return;
        }
        var changed = new List<ChangedProcess>(_changed.Count);
        foreach (var name in _changed)
        {
            if (!_processes.TryGetValue(name, out var e))
                continue;
            changed.Add(new ChangedProcess(name, e.Reads, e.Writes, e.LastUpdated, e.Events, e.Files, e.ReadDelta, e.WriteDelta));
            e.ReadDelta = 0;
            e.WriteDelta = 0;
        }
        var changes = new StatsChanges(now, Math.Max(0.001, (now - _lastPush).TotalSeconds), _resetSincePush,
            CurrentTotals(), _source, changed, [.. _removed]);
        _changed.Clear();
        _removed.Clear();
        _resetSincePush = false;
        _countersChanged = false;
        _lastPush = now;
        foreach (var subscriber in _subscribers)
            subscriber.Tell(changes);
    }
}

/// <summary>Settings of the stats actor.</summary>
/// <param name="PushInterval">How often what changed is pushed to subscribers (the dashboard).</param>
/// <param name="QueryTimeout">How long a query that fans out to every process actor may take.</param>
public sealed record StatsSettings(TimeSpan PushInterval, TimeSpan QueryTimeout)
{
    public static StatsSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
}
