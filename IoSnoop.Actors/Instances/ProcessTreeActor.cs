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
    public static ProcessTreeSettings Default { get; } = new(50_000, false);
}

/// <summary>
/// Owns the <see cref="ProcessTree"/>: applies what the parsing flow says about process instances and answers
/// the API's queries. The per-name figures are not its business: it sees the same batches, after them.
/// A message it cannot apply is logged, never thrown.
/// </summary>
public sealed class ProcessTreeActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProcessTree _tree;
    private readonly ProcFileSystem? _proc;
    private readonly TimeProvider _clock;
    private DateTimeOffset _boot;

    public ProcessTreeActor(ProcessTreeSettings settings, ProcFileSystem? proc, TimeProvider? clock, CgroupDirectory? cgroups)
    {
        _proc = settings.ReadProc ? proc ?? new ProcFileSystem() : null;
        _clock = clock ?? TimeProvider.System;
        // The cgroup ids the kernel gives are this machine's only when the tracer runs here now.
        var directory = settings.ReadProc ? cgroups ?? CgroupDirectory.ForThisMachine() : null;
        _tree = new ProcessTree(settings.MaxExited, _proc is null ? null : _proc.Read, directory is null ? null : directory.PathOf);
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
        Receive<ProcessTreeProtocol.GetInstances>(query => Answer(() =>
            new ProcessTreeProtocol.InstanceList(_tree.List(query.RunningOnly, query.Name, query.Limit, _boot, query.Group))));
        Receive<ProcessTreeProtocol.GetGroups>(_ => Answer(() => new ProcessTreeProtocol.GroupList(_tree.Groups())));
        Receive<ProcessTreeProtocol.GetInstance>(query => Answer(() =>
            new ProcessTreeProtocol.InstanceFound(_tree.Latest(query.Pid, _boot))));
    }

    /// <param name="cgroups">Resolves cgroup ids (default: the unified hierarchy of this machine, when <c>/proc</c> is read).</param>
    public static Props Props(ProcessTreeSettings settings, ProcFileSystem? proc = null, TimeProvider? clock = null,
        CgroupDirectory? cgroups = null) =>
        Akka.Actor.Props.Create(() => new ProcessTreeActor(settings, proc, clock, cgroups));

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
