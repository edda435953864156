using IoSnoop.Actors.Events;
using Akka.Actor;
using Akka.Event;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// The parent of the process actors: routes each batch's per-process sums to the actor of that process
/// name (creating it on first sight), keeps the per-process totals the overview needs, counts events,
/// malformed lines and drops, and pushes what changed to subscribers at most once per push interval.
/// A batch is acknowledged to the stream only when every process actor it went to has added it (the last of
/// them says so for all, <see cref="BatchTally"/>), so a slow process actor slows the tracer down instead of
/// filling its mailbox.
/// <para>
/// Memory stays bounded (<see cref="MergePolicy"/>): the merge pass (every min(60, s) seconds) merges small
/// idle files into <c>&lt;Smaller Files of NAME&gt;</c> as the original did, and when the number of tracked
/// files passes the cap the process actors merge their least significant files at once. With a database
/// it also hands what changed to the store actor at each flush (<see cref="StatsProtocol.CollectChanges"/>)
/// and records the per-process history.
/// </para>
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
        /// <summary>The version of the last file count taken from the actor (see <see cref="ProcessActor"/>).</summary>
        public long FilesVersion;
        /// <summary>Deleted or reset: counts still on their way no longer count.</summary>
        public bool Gone;
    }

    /// <summary>A batch sent to the process actors: who gets the ack, and the entry each delta went to.</summary>
    private sealed class PendingBatch(IActorRef replyTo, Events.IngestBatch batch, Entry[] entries)
    {
        public IActorRef ReplyTo { get; } = replyTo;
        public Events.IngestBatch Batch { get; } = batch;
        public Entry[] Entries { get; } = entries;
    }

    private sealed record PushTick
    {
        public static PushTick Instance { get; } = new();
    }

    private sealed record MergeTick
    {
        public static MergeTick Instance { get; } = new();
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
    private long _totalFiles;
    private readonly HashSet<IActorRef> _capMerging = [];
    private long _capMergedThisRound;
    private bool _dedupRunning;
    // What the database has not seen yet (only with TrackChanges).
    private readonly HashSet<string> _unsaved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedUnsaved = new(StringComparer.Ordinal);
    private bool _resetUnsaved;
    private readonly HistoryRecorder? _history;

    public StatsActor(StatsSettings settings, TimeProvider? clock = null)
    {
        _settings = settings;
        _clock = clock ?? TimeProvider.System;
        _lastPush = _clock.GetUtcNow();
        if (settings.TrackChanges)
            _history = new HistoryRecorder(settings.HistoryResolution);

        Receive<StatsProtocol.Ingest>(ingest => Ingest(ingest.Batch, Sender));
        Receive<ProcessProtocol.BatchRecorded>(recorded =>
        {
            // A batch acked early (a delete or reset) is no longer pending; its tally no longer counts.
            if (!_pending.Remove(recorded.Tally.BatchId, out var batch))
                return;
            for (var i = 0; i < batch.Entries.Length; i++)
                SetFileCount(batch.Entries[i], recorded.Tally.FilesAt(i), recorded.Tally.VersionAt(i));
            batch.Batch.ReturnEntries();
            batch.ReplyTo.Tell(StatsProtocol.Ack.Instance);
            EnforceCap();
        });
        Receive<ProcessProtocol.FilesSet>(set =>
        {
            SetFileCount(set.Name, set.Files, set.Version);
            // Loaded figures may hold more files than the cap allows (the cap was lowered since).
            EnforceCap();
        });
        Receive<ProcessProtocol.FilesMerged>(merged =>
        {
            if (merged.ForCap)
            {
                _capMerging.Remove(Sender);
                _capMergedThisRound += merged.Merged;
            }
            if (merged.Merged > 0)
            {
                SetFileCount(merged.Name, merged.Files, merged.Version);
                MarkUnsaved(merged.Name);
            }
            if (!merged.ForCap)
                return;
            if (_capMerging.Count == 0)
                CapRoundDone();
            EnforceCap();
        });
        Receive<ProcessProtocol.PathsRemoved>(OnPathsRemoved);
        Receive<StatsProtocol.LaunchdDedupDone>(_ => _dedupRunning = false);
        Receive<MergeTick>(_ => MergePass());
        Receive<StatsProtocol.MergeNow>(_ => MergePass());
        Receive<StatsProtocol.CollectChanges>(collect => CollectChanges(collect.All, Sender));
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
            Sender.Tell(new StatsProtocol.ProcessDeleted(delete.Name, Forget(delete.Name))));
        Receive<StatsProtocol.ResetAll>(_ =>
        {
            foreach (var entry in _processes.Values)
            {
                entry.Gone = true;
                Context.Unwatch(entry.Actor);
                entry.Actor.Tell(PoisonPill.Instance);
            }
            _processes.Clear();
            _changed.Clear();
            _removed.Clear();
            _events = _malformed = _dropped = _bytesRead = _bytesWritten = 0;
            _totalFiles = 0;
            _capMerging.Clear();
            _capMergedThisRound = 0;
            _resetSincePush = true;
            if (_settings.TrackChanges)
            {
                _unsaved.Clear();
                _deletedUnsaved.Clear();
                _resetUnsaved = true;
                _history?.Clear();
            }
            AckAllPending();
            Sender.Tell(StatsProtocol.ResetDone.Instance);
        });
        Receive<StatsProtocol.Load>(Load);
        Receive<StatsProtocol.DropsReported>(drops =>
        {
            _dropped = Figures.Add(_dropped, Math.Max(0, drops.Count));
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
        Receive<Terminated>(terminated =>
        {
            if (_subscribers.Remove(terminated.ActorRef))
                return;
            // Only a failed process actor stops while still listed (see SupervisorStrategy).
            var failed = _processes.FirstOrDefault(p => p.Value.Actor.Equals(terminated.ActorRef));
            if (failed.Value is null)
                return;
            Context.GetLogger().Error("The figures of process {0} were dropped: its actor failed", failed.Key);
            Forget(failed.Key);
        });
        Receive<PushTick>(_ => Push());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(StatsSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new StatsActor(settings, clock));

    /// <summary>
    /// A process actor that throws is stopped, not restarted: a restart would start it with an empty table while
    /// its figures were still counted here. Its process is then forgotten (<see cref="Forget"/>): taken out of the
    /// totals, the dashboard and the database, and logged; its next events start a new actor. Input from outside
    /// is validated where it enters (parsers, hub, API), so a failure here is a bug, not a bad line.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Forgets a process: its actor stops after the messages already sent to it, whose answers no longer
    /// count; the batches waiting for it are acknowledged now.</summary>
    private bool Forget(string name)
    {
        if (!_processes.Remove(name, out var entry))
            return false;
        entry.Gone = true;
        Context.Unwatch(entry.Actor);
        entry.Actor.Tell(PoisonPill.Instance);
        _bytesRead = Figures.Subtract(_bytesRead, entry.Reads);
        _bytesWritten = Figures.Subtract(_bytesWritten, entry.Writes);
        _totalFiles -= entry.Files;
        _capMerging.Remove(entry.Actor);
        _changed.Remove(name);
        _removed.Add(name);
        AckAllPending();
        if (_settings.TrackChanges)
        {
            _unsaved.Remove(name);
            _deletedUnsaved.Add(name);
            _history?.Forget(name);
        }
        return true;
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(nameof(PushTick), PushTick.Instance, _settings.PushInterval);
        if (_settings.Merge is { } merge)
            Timers.StartPeriodicTimer(nameof(MergeTick), MergeTick.Instance, merge.PassInterval);
    }

    private void Ingest(Events.IngestBatch batch, IActorRef replyTo)
    {
        _events = Figures.Add(_events, batch.Events);
        _malformed = Figures.Add(_malformed, batch.MalformedLines);
        _dropped = Figures.Add(_dropped, batch.DroppedEvents);
        if (batch.MalformedLines != 0 || batch.DroppedEvents != 0)
            _countersChanged = true;
        if (batch.Processes.Count == 0)
        {
            replyTo.Tell(StatsProtocol.Ack.Instance);
            return;
        }
        var batchId = ++_batchCounter;
        var tally = new BatchTally(batchId, batch.Processes.Count);
        var entries = new Entry[batch.Processes.Count];
        _pending[batchId] = new PendingBatch(replyTo, batch, entries);
        var now = _clock.GetUtcNow();
        for (var i = 0; i < entries.Length; i++)
        {
            var delta = batch.Processes[i];
            var entry = entries[i] = GetOrCreate(delta.Process);
            entry.Actor.Tell(new ProcessProtocol.Record(delta, now, tally, i));
            entry.Reads = Figures.Add(entry.Reads, delta.ReadBytes);
            entry.Writes = Figures.Add(entry.Writes, delta.WrittenBytes);
            entry.Events = Figures.Add(entry.Events, delta.Operations);
            entry.ReadDelta = Figures.Add(entry.ReadDelta, delta.ReadBytes);
            entry.WriteDelta = Figures.Add(entry.WriteDelta, delta.WrittenBytes);
            entry.LastUpdated = now;
            _bytesRead = Figures.Add(_bytesRead, delta.ReadBytes);
            _bytesWritten = Figures.Add(_bytesWritten, delta.WrittenBytes);
            _changed.Add(delta.Process);
            if (_history is not null)
            {
                _unsaved.Add(delta.Process);
                _history.Add(delta.Process, now, delta.ReadBytes, delta.WrittenBytes);
            }
        }
    }

    /// <summary>After a delete or reset the stream need not wait for the batches on their way: their process
    /// actors still add them (and give their paths back) before they stop, but no longer count here. Their
    /// entries' arrays are left to the GC: a process actor may still be reading them.</summary>
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
        var actor = Context.ActorOf(ProcessActor.Props(name, _settings.TrackChanges, _settings.Paths), $"process-{++_actorCounter}");
        Context.Watch(actor);
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
            entry.Actor.Tell(new ProcessProtocol.SetFiles(list, load.Saved));
            if (!load.Saved)
                MarkUnsaved(name);
            foreach (var f in list)
            {
                entry.Reads = Figures.Add(entry.Reads, f.Reads);
                entry.Writes = Figures.Add(entry.Writes, f.Writes);
                entry.Events = Figures.Add(entry.Events, f.Events);
                _bytesRead = Figures.Add(_bytesRead, f.Reads);
                _bytesWritten = Figures.Add(_bytesWritten, f.Writes);
                if (f.LastUpdated > entry.LastUpdated)
                    entry.LastUpdated = f.LastUpdated;
            }
            files += list.Count;
            _changed.Add(name);
        }
        _events = Figures.Add(_events, load.Dump.Events);
        if (load.Counters is { } counters)
        {
            _malformed = Figures.Add(_malformed, counters.MalformedLines);
            _dropped = Figures.Add(_dropped, counters.DroppedEvents);
        }
        _countersChanged = true;
        if (!Sender.IsNobody())
            Sender.Tell(new StatsProtocol.Loaded(load.Dump.Processes.Count, files));
    }

    /// <summary>A file count the sender (a process actor) reported.</summary>
    private void SetFileCount(string name, int files, long version)
    {
        if (_processes.TryGetValue(name, out var entry) && entry.Actor.Equals(Sender))
            SetFileCount(entry, files, version);
    }

    /// <summary>Takes a process's file count unless a later one was taken already.</summary>
    private void SetFileCount(Entry entry, int files, long version)
    {
        if (entry.Gone || version <= entry.FilesVersion)
            return;
        entry.FilesVersion = version;
        _totalFiles += files - entry.Files;
        entry.Files = files;
    }

    private void MarkUnsaved(string name)
    {
        if (_settings.TrackChanges)
            _unsaved.Add(name);
    }

    /// <summary>
    /// The cap: once more files are tracked than allowed, every process with several files merges its
    /// share of the excess (in proportion to its files), its least significant first, down to the low-water
    /// mark so that merging does not run at every batch. One round at a time.
    /// </summary>
    private void EnforceCap()
    {
        if (_settings.Merge is not { } merge || _totalFiles <= merge.MaxFiles || _capMerging.Count > 0)
            return;
        var target = (long)(merge.MaxFiles * merge.LowWater);
        var excess = _totalFiles - target;
        var recentAfter = _clock.GetUtcNow() - merge.CapRecent;
        foreach (var entry in _processes.Values)
        {
            if (entry.Files < 3)
                continue;
            // +1: the merged row itself may be new.
            var share = (int)Math.Min(entry.Files, Math.Ceiling(excess * (double)entry.Files / _totalFiles) + 1);
            entry.Actor.Tell(new ProcessProtocol.MergeLeastSignificant(share, recentAfter));
            _capMerging.Add(entry.Actor);
        }
    }

    /// <summary>A cap round is over (every process actor asked has answered).</summary>
    private void CapRoundDone()
    {
        _settings.AfterCapRound?.Invoke(_capMergedThisRound);
        _capMergedThisRound = 0;
    }

    /// <summary>The original's pass: launchd de-duplication (<c>-d</c>), then small idle files merged (<c>-t</c>, <c>-s</c>).</summary>
    private void MergePass()
    {
        if (_settings.Merge is not { } merge)
            return;
        var mergeSmall = new ProcessProtocol.MergeSmall(merge.Threshold, _clock.GetUtcNow() - merge.Idle);
        if (!merge.DedupLaunchd || _dedupRunning || !_processes.TryGetValue(LaunchdDedup.Launchd, out var launchd))
        {
            foreach (var entry in _processes.Values)
                entry.Actor.Tell(mergeSmall);
            return;
        }
        // The de-duplication asks the others for launchd's paths before they merge, then merges them all.
        _dedupRunning = true;
        var others = _processes.Values.Select(e => e.Actor).Where(a => !a.Equals(launchd.Actor)).ToList();
        Context.ActorOf(LaunchdDedup.Props(launchd.Actor, others, mergeSmall, _settings.QueryTimeout));
    }

    private void OnPathsRemoved(ProcessProtocol.PathsRemoved removed)
    {
        if (!_processes.TryGetValue(removed.Name, out var entry) || !entry.Actor.Equals(Sender))
            return;
        SetFileCount(entry, removed.Files, removed.Version);
        if (removed.Reads == 0 && removed.Writes == 0 && removed.Events == 0)
            return;
        entry.Reads = Figures.Subtract(entry.Reads, removed.Reads);
        entry.Writes = Figures.Subtract(entry.Writes, removed.Writes);
        entry.Events = Figures.Subtract(entry.Events, removed.Events);
        _bytesRead = Figures.Subtract(_bytesRead, removed.Reads);
        _bytesWritten = Figures.Subtract(_bytesWritten, removed.Writes);
        _changed.Add(removed.Name);
        MarkUnsaved(removed.Name);
    }

    /// <summary>Hands what the database has not seen to a collector that gathers the process actors' changes.</summary>
    private void CollectChanges(bool all, IActorRef replyTo)
    {
        var actors = new List<IActorRef>();
        if (all)
            actors.AddRange(_processes.Values.Select(e => e.Actor));
        else
            foreach (var name in _unsaved)
                if (_processes.TryGetValue(name, out var entry))
                    actors.Add(entry.Actor);
        var header = new StoreChanges(_resetUnsaved, all, [.. _deletedUnsaved], [],
            new StoredCounters(_events, _malformed, _dropped), _history?.Take() ?? []);
        _unsaved.Clear();
        _deletedUnsaved.Clear();
        _resetUnsaved = false;
        Context.ActorOf(ChangesCollector.Props(actors, all, header, replyTo, _settings.QueryTimeout));
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

    /// <summary>How files are merged to keep memory bounded; null: never.</summary>
    public MergePolicy? Merge { get; init; }

    /// <summary>A database is kept: track what changed between flushes and record the history.</summary>
    public bool TrackChanges { get; init; }

    /// <summary>Where the paths of the batches live (the pipeline's batch builder interns into the same pool).</summary>
    public Interning.PathPool Paths { get; init; } = Interning.PathPool.Shared;

    /// <summary>The finest history bucket.</summary>
    public TimeSpan HistoryResolution { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Runs after each round of the cap with the number of files it merged (diagnostics, specs).</summary>
    /// <remarks>No collection is forced after a round: a merged entry leaves no object behind (its path goes back
    /// to the pool, its slot to the table's free list).</remarks>
    public Action<long>? AfterCapRound { get; init; }
}

/// <summary>How the stats actor keeps memory bounded.</summary>
/// <param name="Threshold"><c>-t</c>: files whose reads and writes are both below this many bytes may be merged.</param>
/// <param name="Idle"><c>-s</c>: ... once not updated for longer than this.</param>
/// <param name="MaxFiles"><c>--max-files</c>: the cap on tracked files (all processes together).</param>
/// <param name="DedupLaunchd"><c>-d</c>: paths another process also touched are not counted for launchd.</param>
public sealed record MergePolicy(long Threshold, TimeSpan Idle, int MaxFiles, bool DedupLaunchd)
{
    /// <summary>The original's defaults: 32 MiB, one hour; 200,000 files.</summary>
    public static MergePolicy Default { get; } = new(33_554_432, TimeSpan.FromHours(1), 200_000, false);

    /// <summary>Over the cap, files are merged down to this share of it.</summary>
    public double LowWater { get; init; } = 0.8;

    /// <summary>Over the cap, files updated within this time are merged only after the idle ones.</summary>
    public TimeSpan CapRecent { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The original ran its pass every min(60, s) seconds.</summary>
    public TimeSpan PassInterval =>
        TimeSpan.FromSeconds(Math.Clamp(Idle.TotalSeconds, 1, 60));
}
