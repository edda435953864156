using Akka.Actor;
using Akka.Event;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// The parent of the process actors. It routes each batch's per-process parts to the actor of that process
/// name (creating it on first sight), acknowledges the batch to the stream once they have all added it, keeps
/// the figures each process actor last reported (<see cref="ProcessDirectory"/>), pushes what changed to
/// subscribers every push interval (<see cref="ChangeTracker"/>), keeps memory bounded (<see cref="MergePolicy"/>,
/// <see cref="CapPlan"/>) and hands what the database has not seen to the store actor at each flush.
/// </summary>
/// <remarks>
/// Supervision: a process actor that throws is stopped, not restarted (a restart would start it with an empty
/// table while its figures were still counted here). Its process is then taken out of the figures, the
/// dashboard and the database, and logged as an error; its next events start a new actor. Actors never throw on
/// input that came from outside: that is validated where it enters (parsers, hub, API), so a failure here is a bug.
/// </remarks>
public sealed class ProcessesActor : ReceiveActor, IWithTimers
{
    private sealed record PushTick
    {
        public static PushTick Instance { get; } = new();
    }

    private sealed record MergeTick
    {
        public static MergeTick Instance { get; } = new();
    }

    private readonly ProcessesSettings _settings;
    private readonly PathPool _paths;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProcessDirectory _processes = new();
    private readonly PendingBatches _pending = new();
    private readonly ChangeTracker _changes;
    private readonly HistoryRecorder? _history;
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly HashSet<IActorRef> _capRound = [];
    private long _events;
    private long _malformed;
    private long _dropped;
    private long _actorCounter;
    private bool _dedupRunning;
    private SourceStatus _source = SourceStatus.None;
    private DateTimeOffset _lastPush;

    public ProcessesActor(ProcessesSettings settings, PathPool paths, TimeProvider? clock = null)
    {
        _paths = paths;
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _lastPush = _clock.GetUtcNow();
        _changes = new ChangeTracker(settings.TrackChanges);
        if (settings.TrackChanges)
            _history = new HistoryRecorder(settings.HistoryResolution);

        Receive<ProcessesProtocol.Ingest>(ingest => Ingest(ingest.Batch));
        Receive<ProcessProtocol.Added>(added =>
        {
            Reported(added.Summary);
            if (_pending.Answered(added.BatchId) is { } replyTo)
                replyTo.Tell(ProcessesProtocol.Ack.Instance);
            EnforceCap();
        });
        Receive<ProcessProtocol.Changed>(changed =>
        {
            Reported(changed.Summary);
            EnforceCap();
        });
        Receive<ProcessProtocol.Merged>(merged =>
        {
            if (merged.Count > 0)
                Reported(merged.Summary);
            if (!merged.ForCap || !_capRound.Remove(Sender))
                return;
            if (_capRound.Count == 0)
                EnforceCap();
        });
        Receive<ProcessesProtocol.LaunchdDedupDone>(_ => _dedupRunning = false);
        Receive<MergeTick>(_ => MergePass());
        Receive<ProcessesProtocol.MergeNow>(_ => MergePass());
        Receive<ProcessesProtocol.CollectChanges>(collect => CollectChanges(collect.All));
        Receive<ProcessesProtocol.GetOverview>(_ => Sender.Tell(Overview()));
        Receive<ProcessesProtocol.GetProcessFiles>(get =>
        {
            if (_processes.TryGet(get.Name, out var actor))
                actor.Forward(ProcessProtocol.GetFiles.Instance);
            else
                Sender.Tell(new ProcessFiles(get.Name, false, null, []));
        });
        Receive<ProcessesProtocol.GetFullDump>(_ =>
        {
            var events = _events;
            Collect<ProcessFiles>(_processes.Actors.ToList(), ProcessProtocol.GetFiles.Instance,
                answers => new FullDump(events, answers.ToDictionary(a => a.Name, a => a.Files, StringComparer.Ordinal)));
        });
        Receive<ProcessesProtocol.DeleteProcess>(delete =>
        {
            var existed = Forget(delete.Name);
            Sender.Tell(new ProcessesProtocol.ProcessDeleted(delete.Name, existed));
        });
        Receive<ProcessesProtocol.ResetAll>(_ =>
        {
            foreach (var actor in _processes.Actors)
            {
                Context.Unwatch(actor);
                actor.Tell(PoisonPill.Instance);
            }
            _processes.Clear();
            _capRound.Clear();
            _events = _malformed = _dropped = 0;
            _changes.Reset();
            _devices.Clear();
            _history?.Clear();
            AcknowledgeAllPending();
            Sender.Tell(ProcessesProtocol.ResetDone.Instance);
        });
        Receive<ProcessesProtocol.Load>(Load);
        Receive<ProcessesProtocol.DropsReported>(drops =>
        {
            _dropped = Figures.Add(_dropped, Math.Max(0, drops.Count));
            _changes.CountersChanged();
        });
        Receive<ProcessesProtocol.SourceStatusChanged>(changed =>
        {
            _source = changed.Status;
            _changes.CountersChanged();
        });
        Receive<ProcessesProtocol.Subscribe>(subscribe =>
        {
            _subscribers.Add(subscribe.Subscriber);
            Context.Watch(subscribe.Subscriber);
        });
        Receive<ProcessesProtocol.Unsubscribe>(unsubscribe =>
        {
            _subscribers.Remove(unsubscribe.Subscriber);
            Context.Unwatch(unsubscribe.Subscriber);
        });
        Receive<Terminated>(terminated =>
        {
            if (_subscribers.Remove(terminated.ActorRef) || !_processes.TryGetName(terminated.ActorRef, out var name))
                return;
            // Only a failed process actor stops while still in the directory (see the remarks above).
            _log.Error("The figures of process {0} were dropped: its actor failed", name);
            Forget(name);
        });
        Receive<PushTick>(_ => Push());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="paths">The pool the parsing flow interns the batches' paths into: one per pipeline.</param>
    public static Props Props(ProcessesSettings settings, PathPool paths, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new ProcessesActor(settings, paths, clock));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(nameof(PushTick), PushTick.Instance, _settings.PushInterval);
        if (_settings.Merge is { } merge)
            Timers.StartPeriodicTimer(nameof(MergeTick), MergeTick.Instance, merge.PassInterval);
    }

    private void Ingest(IngestBatch batch)
    {
        _events = Figures.Add(_events, batch.Events);
        _malformed = Figures.Add(_malformed, batch.MalformedLines);
        _dropped = Figures.Add(_dropped, batch.DroppedEvents);
        if (batch.MalformedLines != 0 || batch.DroppedEvents != 0 || batch.Events != 0)
            _changes.CountersChanged();
        AddDevices(batch.Devices);
        if (batch.Processes.Count == 0)
        {
            Sender.Tell(ProcessesProtocol.Ack.Instance);
            return;
        }
        var id = _pending.Start(Sender, batch.Processes.Count);
        var now = _clock.GetUtcNow();
        foreach (var part in batch.Processes)
        {
            ActorFor(part.Process).Tell(new ProcessProtocol.Add(part, now, id));
            _history?.Add(part.Process, now, part.Reads, part.Writes, part.DiskReads, part.DiskWrites);
        }
    }

    /// <summary>A process actor reported its figures (the sender).</summary>
    private void Reported(ProcessSummary summary)
    {
        if (_processes.Update(Sender, summary) is { } old)
        {
            _changes.Changed(summary.Name, new IoBytes(summary.Reads - old.Reads, summary.Writes - old.Writes,
                summary.DiskReads - old.DiskReads, summary.DiskWrites - old.DiskWrites));
        }
    }

    /// <summary>Per-disk totals of the block layer since the start (or the last reset).</summary>
    private readonly Dictionary<string, DeviceIo> _devices = new(StringComparer.Ordinal);

    private void AddDevices(IReadOnlyList<DeviceIo> devices)
    {
        foreach (var device in devices)
            _devices[device.Device] = _devices.TryGetValue(device.Device, out var known) ? known.Plus(device) : device;
        if (devices.Count > 0)
            _changes.CountersChanged();
    }

    private IActorRef ActorFor(string name)
    {
        if (_processes.TryGet(name, out var actor))
            return actor;
        // Process names may hold any character; actor names may not, so the actor gets a number.
        actor = Context.ActorOf(ProcessActor.Props(name, _settings.TrackChanges, _paths), $"process-{++_actorCounter}");
        Context.Watch(actor);
        _processes.Add(name, actor);
        return actor;
    }

    /// <summary>Forgets a process: its actor stops after the messages already sent to it, whose answers no longer
    /// count; the batches waiting for it are acknowledged now.</summary>
    private bool Forget(string name)
    {
        if (!_processes.Remove(name, out var actor))
            return false;
        Context.Unwatch(actor);
        actor.Tell(PoisonPill.Instance);
        _capRound.Remove(actor);
        _changes.Removed(name);
        _history?.Forget(name);
        AcknowledgeAllPending();
        return true;
    }

    private void AcknowledgeAllPending()
    {
        foreach (var replyTo in _pending.TakeAll())
            replyTo.Tell(ProcessesProtocol.Ack.Instance);
    }

    private void Load(ProcessesProtocol.Load load)
    {
        var files = 0;
        foreach (var (name, list) in load.Dump.Processes)
        {
            ActorFor(name).Tell(new ProcessProtocol.Load(list, load.Saved));
            files += list.Count;
        }
        _events = Figures.Add(_events, load.Dump.Events);
        if (load.Counters is { } counters)
        {
            _malformed = Figures.Add(_malformed, counters.MalformedLines);
            _dropped = Figures.Add(_dropped, counters.DroppedEvents);
        }
        _changes.CountersChanged();
        if (!Sender.IsNobody())
            Sender.Tell(new ProcessesProtocol.Loaded(load.Dump.Processes.Count, files));
    }

    /// <summary>Starts a round of the cap when more files are tracked than allowed; one round at a time.</summary>
    private void EnforceCap()
    {
        // Runs at every answer of a process actor: under the cap it must cost nothing.
        if (_settings.Merge is not { } merge || _capRound.Count > 0 || _processes.Files <= merge.MaxFiles)
            return;
        var recentAfter = _clock.GetUtcNow() - merge.CapRecent;
        foreach (var (name, count) in CapPlan.Plan(_processes.Summaries, _processes.Files, merge))
        {
            _processes.TryGet(name, out var actor);
            actor.Tell(new ProcessProtocol.MergeLeastSignificant(count, recentAfter));
            _capRound.Add(actor);
        }
    }

    /// <summary>The original's pass: launchd de-duplication (<c>-d</c>), then small idle files merged (<c>-t</c>, <c>-s</c>).</summary>
    private void MergePass()
    {
        if (_settings.Merge is not { } merge)
            return;
        var mergeSmall = new ProcessProtocol.MergeSmall(merge.Threshold, _clock.GetUtcNow() - merge.Idle);
        if (!merge.DedupLaunchd || _dedupRunning || !_processes.TryGet(LaunchdDedup.Launchd, out var launchd))
        {
            foreach (var actor in _processes.Actors)
                actor.Tell(mergeSmall);
            return;
        }
        // The de-duplication asks the others for launchd's paths before they merge, then merges them all.
        _dedupRunning = true;
        var others = _processes.Actors.Where(a => !a.Equals(launchd)).ToList();
        Context.ActorOf(LaunchdDedup.Props(launchd, others, mergeSmall, _settings.QueryTimeout));
    }

    /// <summary>Hands what the database has not seen to a collector that asks every process actor for its file
    /// changes (each table knows which of its files changed; one with none answers with empty lists).</summary>
    private void CollectChanges(bool all)
    {
        var (deleted, reset) = _changes.TakeDeletions();
        var header = new StoreChanges(reset, all, deleted, [], new StoredCounters(_events, _malformed, _dropped), _history?.Take() ?? []);
        Collect<ProcessProtocol.FileChanges>(_processes.Actors.ToList(), new ProcessProtocol.TakeChanges(all), answers => header with
        {
            Files = answers.Where(a => a.Changed.Count > 0 || a.Removed.Count > 0)
                .Select(a => new ProcessFileChanges(a.Name, a.Changed, a.Removed)).ToList(),
        });
    }

    private void Collect<TAnswer>(IReadOnlyCollection<IActorRef> actors, object question, Func<IReadOnlyList<TAnswer>, object> reply) =>
        Context.ActorOf(Collector<TAnswer>.Props(actors, question, reply, Sender, _settings.QueryTimeout));

    private Totals CurrentTotals() => new(_events, _malformed, _dropped, _processes.Reads, _processes.Writes)
    {
        DiskReads = _processes.DiskReads,
        DiskWrites = _processes.DiskWrites,
    };

    private Overview Overview() => new(CurrentTotals(), _source, _processes.Summaries.ToList())
    {
        PathsHeld = _paths.Count,
        Devices = CurrentDevices(),
    };

    private List<DeviceIo> CurrentDevices() => [.. _devices.Values.OrderBy(d => d.Device, StringComparer.Ordinal)];

    private void Push()
    {
        var now = _clock.GetUtcNow();
        if (!_changes.HasPush)
        {
            _lastPush = now;
            return;
        }
        var (moved, removed, reset) = _changes.TakePush();
        var changed = new List<ChangedProcess>(moved.Count);
        foreach (var summary in _processes.Summaries)
        {
            if (moved.TryGetValue(summary.Name, out var m))
            {
                changed.Add(new ChangedProcess(summary.Name, summary.Reads, summary.Writes, summary.LastUpdated, summary.Events,
                    summary.Files, m.Reads, m.Writes)
                {
                    DiskReads = summary.DiskReads,
                    DiskWrites = summary.DiskWrites,
                    DiskReadDelta = m.DiskReads,
                    DiskWriteDelta = m.DiskWrites,
                });
            }
        }
        var changes = new StatsChanges(now, Math.Max(0.001, (now - _lastPush).TotalSeconds), reset, CurrentTotals(), _source,
            changed, removed)
        {
            Devices = CurrentDevices(),
        };
        _lastPush = now;
        foreach (var subscriber in _subscribers)
            subscriber.Tell(changes);
    }
}

/// <summary>Settings of the processes actor.</summary>
/// <param name="PushInterval">How often what changed is pushed to subscribers (the dashboard).</param>
/// <param name="QueryTimeout">How long a query that asks every process actor may take.</param>
public sealed record ProcessesSettings(TimeSpan PushInterval, TimeSpan QueryTimeout)
{

    /// <summary>How files are merged to keep memory bounded; null: never.</summary>
    public MergePolicy? Merge { get; init; }

    /// <summary>A database is kept: track what changed between flushes and record the history.</summary>
    public bool TrackChanges { get; init; }


    /// <summary>The finest history bucket.</summary>
    public TimeSpan HistoryResolution { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>How the processes actor keeps memory bounded.</summary>
/// <param name="Threshold"><c>-t</c>: files whose reads and writes are both below this many bytes may be merged.</param>
/// <param name="Idle"><c>-s</c>: ... once not updated for longer than this.</param>
/// <param name="MaxFiles"><c>--max-files</c>: the cap on tracked files (all processes together).</param>
/// <param name="DedupLaunchd"><c>-d</c>: paths another process also touched are not counted for launchd.</param>
public sealed record MergePolicy(long Threshold, TimeSpan Idle, int MaxFiles, bool DedupLaunchd)
{
    /// <summary>Over the cap, files are merged down to this share of it.</summary>
    public double LowWater { get; init; } = 0.8;

    /// <summary>Over the cap, files updated within this time are merged only after the idle ones.</summary>
    public TimeSpan CapRecent { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The original ran its pass every min(60, s) seconds.</summary>
    public TimeSpan PassInterval =>
        TimeSpan.FromSeconds(Math.Clamp(Idle.TotalSeconds, 1, 60));
}
