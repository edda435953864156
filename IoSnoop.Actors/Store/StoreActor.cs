using Akka.Actor;
using Akka.Event;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Processes;

namespace IoSnoop.Actors.Store;

/// <summary>The messages the store actor answers.</summary>
public static class StoreProtocol
{
    /// <summary>Write what changed now (at shutdown); answered with <see cref="Flushed"/> once written or failed.</summary>
    public sealed record Flush
    {
        public static Flush Instance { get; } = new();
    }

    /// <summary><see cref="Ok"/>: everything up to the request is in the database.</summary>
    public sealed record Flushed(bool Ok);

    /// <summary>Answered with <see cref="HistorySeries"/>, or a failure (<see cref="HistoryUnavailableException"/> without a database).</summary>
    public sealed record GetSeries(DateTimeOffset From, DateTimeOffset To, string? Process);

    /// <summary>Answered with a list of <see cref="TopProcess"/>, most first.</summary>
    public sealed record GetTop(DateTimeOffset From, DateTimeOffset To, int Limit, TopOrder Order);
}

/// <summary>History is asked of a daemon that keeps no database (<c>--db none</c>).</summary>
public sealed class HistoryUnavailableException()
    : Exception("no history kept: the daemon runs with --db none (figures are kept in memory only)");

/// <summary>
/// Keeps the database in step with the processes actor: every flush interval it asks the processes actor for what
/// changed (<see cref="ProcessesProtocol.CollectChanges"/>) and writes it in one transaction off the actor's
/// thread (<c>PipeTo</c>), one write at a time. A failed write is logged and retried at the next interval;
/// the figures stay in memory meanwhile and the next write rewrites every file row, so nothing of the
/// failed one is lost. History samples of failed writes are kept (up to a bound) and added to the next.
/// Answers history queries on connections of their own. Without a store it answers queries with
/// <see cref="HistoryUnavailableException"/>.
/// <para>
/// With a process-tree actor, each flush first asks it what changed among the process instances
/// (<see cref="ProcessTreeProtocol.TakeChanges"/>), then the processes actor, and writes both in the same transaction.
/// After a failed write (or a tree that did not answer in time) the next flush asks the tree for every instance.
/// </para>
/// </summary>
public sealed class StoreActor : ReceiveActor, IWithTimers
{
    private sealed record FlushTick
    {
        public static FlushTick Instance { get; } = new();
    }

    private sealed record Written(int Files, int Samples);

    private sealed record WriteFailed(Exception Error, StoreChanges Changes);

    /// <summary>The tree's answer; null when it did not answer in time.</summary>
    private sealed record InstancesTaken(InstanceChanges? Changes);

    /// <summary>How long a flush waits for the process tree's changes.</summary>
    public static readonly TimeSpan TreeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>History samples kept across failed writes at most (then the oldest are dropped).</summary>
    public const int MaxUnwrittenSamples = 1_000_000;

    private readonly FiguresDatabase? _store;
    private readonly IActorRef _stats;
    private readonly IActorRef? _tree;
    private InstanceChanges? _instances;
    private bool _instancesLost;
    private readonly StoreSettings? _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _flushWaiters = [];
    private readonly List<IActorRef> _nextFlushWaiters = [];
    // What failed writes held that a rewrite of every file row does not restore.
    private List<HistorySample> _unwrittenHistory = [];
    private readonly HashSet<string> _unwrittenDeletes = new(StringComparer.Ordinal);
    private bool _unwrittenReset;
    private bool _busy;
    private bool _rewriteAll;
    private int _failures;

    public StoreActor(FiguresDatabase? store, IActorRef stats, StoreSettings? settings, TimeProvider? clock = null, IActorRef? tree = null)
    {
        _store = store;
        _stats = stats;
        _tree = tree;
        _settings = settings;
        _clock = clock ?? TimeProvider.System;

        Receive<FlushTick>(_ => StartFlush());
        Receive<StoreProtocol.Flush>(_ =>
        {
            if (_store is null)
            {
                Sender.Tell(new StoreProtocol.Flushed(true));
                return;
            }
            // A flush under way may have collected before this request: the next one answers it.
            (_busy ? _nextFlushWaiters : _flushWaiters).Add(Sender);
            StartFlush();
        });
        Receive<InstancesTaken>(taken =>
        {
            _instances = taken.Changes;
            if (taken.Changes is null)
            {
                _instancesLost = true;
                _log.Warning("The process tree did not answer within {0:0.#} s; its instances are written at the next flush", TreeTimeout.TotalSeconds);
            }
            else if (taken.Changes.All)
                _instancesLost = false;
            _stats.Tell(new ProcessesProtocol.CollectChanges(_rewriteAll), Self);
        });
        Receive<StoreChanges>(Write);
        Receive<Written>(written =>
        {
            if (_failures > 0)
                _log.Info("Writing to the database {0} works again", _store!.Path);
            else if (written.Files > 0 || written.Samples > 0)
                _log.Debug("Wrote {0} file rows and {1} history samples", written.Files, written.Samples);
            _failures = 0;
            _rewriteAll = false;
            FlushDone(true);
        });
        Receive<WriteFailed>(failed =>
        {
            _failures++;
            _rewriteAll = true;
            Keep(failed.Changes);
            _log.Error("{0}; the figures stay in memory, retrying in {1:0.#} s (failure {2})",
                failed.Error is StoreException ? failed.Error.Message : $"Cannot write to the database {_store!.Path}: {failed.Error.Message}",
                _settings!.FlushInterval.TotalSeconds, _failures);
            FlushDone(false);
        });
        Receive<StoreProtocol.GetSeries>(get =>
        {
            var store = _store;
            var now = _clock.GetUtcNow();
            Answer(Sender, () => store!.Series(get.From, get.To, get.Process, now));
        });
        Receive<StoreProtocol.GetTop>(get =>
        {
            var store = _store;
            var now = _clock.GetUtcNow();
            Answer(Sender, () => store!.Top(get.From, get.To, get.Limit, get.Order, now));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(FiguresDatabase? store, IActorRef stats, StoreSettings? settings, TimeProvider? clock = null,
        IActorRef? tree = null) =>
        Akka.Actor.Props.Create(() => new StoreActor(store, stats, settings, clock, tree));

    protected override void PreStart()
    {
        if (_store is not null)
            Timers.StartPeriodicTimer(nameof(FlushTick), FlushTick.Instance, _settings!.FlushInterval);
    }

    protected override void PostStop() => _store?.Dispose();

    private void StartFlush()
    {
        if (_busy || _store is null)
            return;
        _busy = true;
        if (_tree is null)
        {
            _stats.Tell(new ProcessesProtocol.CollectChanges(_rewriteAll), Self);
            return;
        }
        _tree.Ask<InstanceChanges>(new ProcessTreeProtocol.TakeChanges(_rewriteAll || _instancesLost), TreeTimeout)
            .PipeTo(Self, success: c => new InstancesTaken(c), failure: _ => new InstancesTaken(null));
    }

    private void Write(StoreChanges changes)
    {
        if (!changes.Reset && (_unwrittenReset || _unwrittenDeletes.Count > 0 || _unwrittenHistory.Count > 0))
        {
            _unwrittenDeletes.UnionWith(changes.DeletedProcesses);
            changes = changes with
            {
                Reset = _unwrittenReset,
                DeletedProcesses = [.. _unwrittenDeletes],
                History = [.. _unwrittenHistory, .. changes.History],
            };
        }
        _unwrittenReset = false;
        _unwrittenDeletes.Clear();
        _unwrittenHistory = [];
        var store = _store!;
        var now = _clock.GetUtcNow();
        var instances = _instances;
        _instances = null;
        Task.Run(() =>
        {
            store.Write(changes, now, instances);
            return changes;
        }).PipeTo(Self, success: c => new Written(c.FileRows, c.History.Count), failure: e => new WriteFailed(
            e is AggregateException { InnerException: { } inner } ? inner : e, changes));
    }

    private void Keep(StoreChanges failed)
    {
        _unwrittenReset = failed.Reset;
        _unwrittenDeletes.UnionWith(failed.DeletedProcesses);
        _unwrittenHistory = [.. failed.History];
        if (_unwrittenHistory.Count > MaxUnwrittenSamples)
            _unwrittenHistory.RemoveRange(0, _unwrittenHistory.Count - MaxUnwrittenSamples);
    }

    private void FlushDone(bool ok)
    {
        _busy = false;
        foreach (var waiter in _flushWaiters)
            waiter.Tell(new StoreProtocol.Flushed(ok));
        _flushWaiters.Clear();
        if (_nextFlushWaiters.Count > 0)
        {
            _flushWaiters.AddRange(_nextFlushWaiters);
            _nextFlushWaiters.Clear();
            StartFlush();
        }
    }

    private void Answer<T>(IActorRef replyTo, Func<T> query)
    {
        if (_store is null)
        {
            replyTo.Tell(new Status.Failure(new HistoryUnavailableException()));
            return;
        }
        Task.Run(query).PipeTo(replyTo, success: r => r!, failure: e => new Status.Failure(
            e is AggregateException { InnerException: { } inner } ? inner : e));
    }
}

/// <summary>Settings of the store actor.</summary>
/// <param name="FlushInterval"><c>--flush-interval</c>: how often changes are written to the database.</param>
public sealed record StoreSettings(TimeSpan FlushInterval);
