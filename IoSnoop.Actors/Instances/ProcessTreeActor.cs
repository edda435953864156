using Akka.Actor;
using Akka.Event;
using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Instances;

/// <summary>The messages the process-tree actor answers.</summary>
public static class ProcessTreeProtocol
{
    /// <summary>What a batch of the parsing flow said about process instances, in order; not answered.
    /// <see cref="TracerReady"/>: the tracer has just started (its probes are attached), so what runs now is read
    /// from <c>/proc</c> first.</summary>
    public sealed record Observe(IReadOnlyList<InstanceEvent> Events, bool TracerReady);

    /// <summary>Answered with <see cref="InstanceList"/>: instances, newest first (only those of one group when <see cref="Group"/> is given).</summary>
    public sealed record GetInstances(bool RunningOnly, string? Name, int Limit, string? Group = null);

    public sealed record InstanceList(IReadOnlyList<InstanceInfo> Instances);

    /// <summary>Answered with <see cref="InstanceFound"/>: the latest instance with this pid.</summary>
    public sealed record GetInstance(int Pid);

    /// <summary><see cref="Detail"/> null: no instance with that pid is held.</summary>
    public sealed record InstanceFound(InstanceDetail? Detail);

    /// <summary>The instances the database kept, taken back before any event (see <see cref="ProcessTree.Restore"/>); not answered.</summary>
    public sealed record Restore(SavedInstances Saved);

    /// <summary>Answered with <see cref="InstanceChanges"/>: what changed since the last ask (<see cref="All"/>: every instance).</summary>
    public sealed record TakeChanges(bool All);

    /// <summary>Answered with <see cref="FollowStarted"/>: follow the tree of this running process (per-file figures).</summary>
    public sealed record Follow(int Pid);

    /// <summary><see cref="Problem"/> null: followed; otherwise why not.</summary>
    public sealed record FollowStarted(string? Problem);

    /// <summary>Answered with <see cref="FollowFound"/>: what the followed tree of this pid read and wrote.</summary>
    public sealed record GetFollow(int Pid);

    /// <summary><see cref="Report"/> null: that pid's tree is not followed.</summary>
    public sealed record FollowFound(FollowReport? Report);

    /// <summary>Answered with <see cref="Unfollowed"/>: stop following the tree of this pid.</summary>
    public sealed record Unfollow(int Pid);

    public sealed record Unfollowed(bool WasFollowed);

    /// <summary>Answered with <see cref="GroupList"/>: the bytes per group, most first.</summary>
    public sealed record GetGroups;

    public sealed record GroupList(IReadOnlyList<GroupInfo> Groups);
}

/// <summary>Settings of the process tree.</summary>
/// <param name="MaxExited">Exited instances kept (<c>--max-processes</c>); running ones are all kept.</param>
/// <param name="ReadProc">Read <c>/proc</c> when the tracer starts and for pids met first through their bytes
/// (the live bpftrace source); false for replays and other sources, whose pids are not this machine's now.</param>
public sealed record ProcessTreeSettings(int MaxExited, bool ReadProc)
{
    /// <summary>Shared with the parsing flow: on while a tree is followed (the wiring sets it).</summary>
    public FileFollowing? Following { get; init; }

    public static ProcessTreeSettings Default { get; } = new(50_000, false);

    /// <summary>How long exited instances are kept (<c>--process-retention</c>); older ones are dropped as the cap drops them.</summary>
    public TimeSpan Retention { get; init; } = DefaultRetention;

    public static TimeSpan DefaultRetention { get; } = TimeSpan.FromDays(7);

    /// <summary>How often the retention is applied.</summary>
    public TimeSpan ExpireEvery { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Owns the <see cref="ProcessTree"/>: applies what the parsing flow says about process instances and answers
/// the API's queries. The per-name figures are not its business: it sees the same batches, after them.
/// A message it cannot apply is logged, never thrown.
/// </summary>
public sealed class ProcessTreeActor : ReceiveActor, IWithTimers
{
    private sealed record ExpireTick
    {
        public static ExpireTick Instance { get; } = new();
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProcessTreeSettings _settings;
    private readonly string? _bootId;
    private readonly ProcessTree _tree;
    private readonly ProcFileSystem? _proc;
    private readonly TimeProvider _clock;
    private DateTimeOffset _boot;

    public ProcessTreeActor(ProcessTreeSettings settings, ProcFileSystem? proc, TimeProvider? clock, CgroupDirectory? cgroups)
    {
        _settings = settings;
        _proc = settings.ReadProc ? proc ?? new ProcFileSystem() : null;
        _bootId = _proc?.BootId();
        _clock = clock ?? TimeProvider.System;
        // The cgroup ids the kernel gives are this machine's only when the tracer runs here now.
        var directory = settings.ReadProc ? cgroups ?? CgroupDirectory.ForThisMachine() : null;
        _tree = new ProcessTree(settings.MaxExited, _proc is null ? null : _proc.Read, settings.Following,
            directory is null ? null : directory.PathOf);
        _boot = BootTime();

        Receive<ProcessTreeProtocol.Observe>(observe =>
        {
            if (observe.TracerReady && _proc is not null)
                Guard("reading /proc", () =>
                {
                    _boot = BootTime();
                    _tree.Reconcile(_proc.Running(), _proc.SinceBoot() ?? (long)(_clock.GetUtcNow() - _boot).Ticks * 100);
                });
            foreach (var instanceEvent in observe.Events)
                Guard("applying a process event", () => _tree.Apply(instanceEvent));
        });
        Receive<ProcessTreeProtocol.Restore>(restore => Guard("restoring the saved instances", () =>
        {
            _tree.Restore(restore.Saved, _bootId, _boot, _proc is null ? null : _proc.Read, _clock.GetUtcNow());
            Expire();
            _log.Info("Restored {0} process instances ({1} running)", _tree.Count, _tree.Running);
        }));
        Receive<ProcessTreeProtocol.TakeChanges>(take => Answer(() =>
        {
            Expire();
            return _tree.TakeChanges(take.All, _bootId, _boot);
        }));
        Receive<ExpireTick>(_ => Guard("dropping instances past the retention", Expire));
        Receive<ProcessTreeProtocol.GetInstances>(query => Answer(() =>
            new ProcessTreeProtocol.InstanceList(_tree.List(query.RunningOnly, query.Name, query.Limit, _boot, query.Group))));
        Receive<ProcessTreeProtocol.GetGroups>(_ => Answer(() => new ProcessTreeProtocol.GroupList(_tree.Groups())));
        Receive<ProcessTreeProtocol.GetInstance>(query => Answer(() =>
            new ProcessTreeProtocol.InstanceFound(_tree.Latest(query.Pid, _boot))));
        Receive<ProcessTreeProtocol.Follow>(follow => Answer(() => new ProcessTreeProtocol.FollowStarted(_tree.Follow(follow.Pid))));
        Receive<ProcessTreeProtocol.GetFollow>(query => Answer(() => new ProcessTreeProtocol.FollowFound(_tree.Followed(query.Pid, _boot))));
        Receive<ProcessTreeProtocol.Unfollow>(unfollow => Answer(() => new ProcessTreeProtocol.Unfollowed(_tree.Unfollow(unfollow.Pid))));
    }

    /// <param name="cgroups">Resolves cgroup ids (default: the unified hierarchy of this machine, when <c>/proc</c> is read).</param>
    public static Props Props(ProcessTreeSettings settings, ProcFileSystem? proc = null, TimeProvider? clock = null,
        CgroupDirectory? cgroups = null) =>
        Akka.Actor.Props.Create(() => new ProcessTreeActor(settings, proc, clock, cgroups));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer(nameof(ExpireTick), ExpireTick.Instance, _settings.ExpireEvery);

    /// <summary>Drops the exited instances that ended longer than the retention ago.</summary>
    private void Expire()
    {
        var dropped = _tree.Expire(_clock.GetUtcNow() - _settings.Retention, _boot);
        if (dropped > 0)
            _log.Debug("Dropped {0} process instances that ended more than {1} ago", dropped, _settings.Retention);
    }

    /// <summary>When the machine booted: the origin of the kernel's start times.</summary>
    private DateTimeOffset BootTime()
    {
        var sinceBoot = _proc?.SinceBoot() is { } ns ? TimeSpan.FromTicks(ns / 100) : TimeSpan.FromMilliseconds(Environment.TickCount64);
        return _clock.GetUtcNow() - sinceBoot;
    }

    /// <summary>Answers a query; a failure goes back to the asker instead of restarting the actor (and losing the tree).</summary>
    private void Answer(Func<object> query)
    {
        try
        {
            Sender.Tell(query());
        }
        catch (Exception e)
        {
            _log.Error(e, "The process tree failed to answer a query");
            Sender.Tell(new Status.Failure(e));
        }
    }

    private void Guard(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            _log.Error(e, "The process tree failed {0}; the event is skipped", what);
        }
    }
}
