using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Instances;

/// <summary>
/// The process instances a trace source reported and what each one read and wrote, as a tree: each instance
/// keeps the parent it had when it started (an orphan re-parented to init keeps its original ancestry), and
/// its tree totals are its own bytes plus those of all its descendants, exited ones included. The same holds for
/// the disk bytes (the disk layer, where the source measures it) beside the file bytes.
/// <para>
/// Bounded: running instances are all kept, exited ones up to <c>maxExited</c>; beyond it the instance that
/// ended first is dropped. Its bytes are already in its ancestors' tree totals, so no roll-up changes; its
/// children are then listed under its nearest kept ancestor (their parent pid still names it).
/// </para>
/// <para>
/// Keys: pid and start time in steps of <see cref="StartStep"/> (the clock tick of <c>/proc/PID/stat</c>), so
/// that an instance read from <c>/proc</c> and the same one reported by the kernel meet, and a reused pid is
/// another instance. Bytes are reported per pid: they go to the instance of that pid that is running.
/// Never throws on odd input: unknown pids become instances of their own, a parent that would close a
/// cycle is not linked.
/// </para>
/// <para>
/// Groups: each instance carries its cgroup (the id the kernel gave at its start and at each exec, resolved to a
/// path by <c>cgroupPath</c>; or the path <c>/proc</c> gave) under its readable name (<see cref="Cgroups.ReadableName"/>),
/// and the bytes of every instance (file and disk) are summed per group as they come, so that dropping exited instances
/// changes no group's sums; the groups' sums are kept in the database with the instances. Bytes of an instance whose
/// cgroup id is not resolved yet wait with it and join its group when it is. At most <c>maxGroups</c> groups are held; the bytes of further ones are summed under <see cref="OtherGroups"/>.
/// </para>
/// </summary>
public sealed partial class ProcessTree
{
    /// <summary>Start times are compared in steps of 10 ms (USER_HZ = 100), what <c>/proc</c> gives.</summary>
    public const long StartStep = 10_000_000;

    /// <summary>A start time not known (a process first seen through its bytes, with nothing in <c>/proc</c>).</summary>
    public const long UnknownStart = -1;

    /// <summary>How many groups are held by default (<see cref="OtherGroups"/> beyond them).</summary>
    public const int DefaultMaxGroups = 10_000;

    /// <summary>The group that sums the bytes of the groups beyond the cap.</summary>
    public const string OtherGroups = "<other groups>";

    private readonly int _maxExited;
    private readonly Func<int, ProcessSeed?>? _lookup;
    private readonly Dictionary<(int Pid, long Key), Instance> _byKey = new();
    private readonly Dictionary<int, Instance> _latest = new();
    private readonly LinkedList<Instance> _exited = new();
    // What changed since the last TakeChanges: instances to write, serials of dropped ones to delete.
    private readonly HashSet<Instance> _dirty = new();
    private readonly List<long> _removed = new();
    private readonly Func<ulong, string?>? _cgroupPath;
    private readonly int _maxGroups;
    private readonly Dictionary<string, GroupTotals> _groups = new(StringComparer.Ordinal);
    private readonly HashSet<Instance> _unresolved = new();
    // Groups whose sums changed since the last TakeChanges.
    private readonly HashSet<GroupTotals> _dirtyGroups = new();
    private long _serial;

    /// <param name="maxExited">How many exited instances are kept.</param>
    /// <param name="lookup">Tells what runs under a pid the tree does not know (<c>/proc/PID/stat</c>); none in specs.</param>
    /// <param name="following">Turned on while a tree is followed, so that the source reports bytes per file and pid.</param>
    /// <param name="cgroupPath">The path of a cgroup v2 id under the unified hierarchy, null while unknown
    /// (<see cref="CgroupDirectory.PathOf"/>); without it, groups come only from the paths of <c>/proc</c>.</param>
    /// <param name="maxGroups">How many groups are held; the bytes of further ones go to <see cref="OtherGroups"/>.</param>
    public ProcessTree(int maxExited, Func<int, ProcessSeed?>? lookup = null, FileFollowing? following = null,
        Func<ulong, string?>? cgroupPath = null, int maxGroups = DefaultMaxGroups)
    {
        _maxExited = Math.Max(0, maxExited);
        _lookup = lookup;
        _following = following;
        _cgroupPath = cgroupPath;
        _maxGroups = Math.Max(1, maxGroups);
    }

    /// <summary>How many groups are held (<see cref="OtherGroups"/> included).</summary>
    public int GroupCount => _groups.Count;

    public int Count => _byKey.Count;

    public int Exited => _exited.Count;

    public int Running => _byKey.Count - _exited.Count;

    /// <summary>Exited instances dropped for the cap or the retention so far.</summary>
    public long Dropped { get; private set; }

    /// <summary>The exited instances, those that ended first first (specs).</summary>
    public IEnumerable<InstanceInfo> ExitedInstances(DateTimeOffset boot) => _exited.Select(i => i.Info(boot));

    /// <summary>Every instance held (specs, checks).</summary>
    public IEnumerable<InstanceInfo> All(DateTimeOffset boot) => _byKey.Values.Select(i => i.Info(boot));

    /// <summary>Applies one event of a trace source (see <see cref="InstanceEvent"/> for the order within an interval).</summary>
    public void Apply(InstanceEvent instanceEvent)
    {
        if (instanceEvent.Pid <= 0)
            return; // no process has it
        switch (instanceEvent)
        {
            case InstanceStarted started:
                Start(started);
                break;
            case InstanceExecuted executed:
                Execute(executed);
                break;
            case InstanceIo io:
                AddIo(io);
                break;
            case InstanceEnded ended:
                End(ended);
                break;
            case InstanceFileIo file:
                AddFileIo(file);
                break;
        }
    }

    /// <summary>
    /// What runs now (read from <c>/proc</c> when the tracer starts): instances not known yet are added, with
    /// parents before children, and running instances that are not among them have ended unseen (while no
    /// tracer ran) and are marked ended at <paramref name="now"/> (nanoseconds since boot).
    /// </summary>
    public void Reconcile(IEnumerable<ProcessSeed> running, long now)
    {
        var alive = new HashSet<Instance>();
        foreach (var seed in running.Where(s => s.Pid > 0).OrderBy(s => s.Start).ThenBy(s => s.Pid))
        {
            var instance = Find(seed.Pid, seed.Start);
            if (instance is null)
            {
                instance = Add(seed.Pid, seed.Start, seed.Name, seed.ParentPid);
                instance.Exe = seed.Exe;
                JoinPath(instance, seed.Cgroup);
                if (_latest.TryGetValue(seed.ParentPid, out var parent) && parent.End is null)
                    Link(instance, parent);
            }
            alive.Add(instance);
        }
        foreach (var instance in _latest.Values.Where(i => i.End is null && !alive.Contains(i)).ToList())
            MarkEnded(instance, now, seen: false);
        Trim();
    }

    /// <summary>The latest instance with this pid, with its children (newest first), or null.</summary>
    public InstanceDetail? Latest(int pid, DateTimeOffset boot)
    {
        if (!_latest.TryGetValue(pid, out var instance))
            return null;
        var children = instance.Children is null
            ? []
            : instance.Children.OrderByDescending(c => c.Start).ThenByDescending(c => c.Serial).Select(c => c.Info(boot)).ToArray();
        return new InstanceDetail(instance.Info(boot), children);
    }

    /// <summary>Instances, newest first (by start time), optionally only running ones, those of one name or those of one group.</summary>
    public IReadOnlyList<InstanceInfo> List(bool runningOnly, string? name, int limit, DateTimeOffset boot, string? group = null) =>
        _byKey.Values
            .Where(i => (!runningOnly || i.End is null) && (name is null || string.Equals(i.Name, name, StringComparison.Ordinal))
                        && (group is null || string.Equals(i.Group, group, StringComparison.Ordinal)))
            .OrderByDescending(i => i.Start).ThenByDescending(i => i.Serial)
            .Take(Math.Max(0, limit))
            .Select(i => i.Info(boot))
            .ToArray();

    /// <summary>
    /// What changed since the last call (or, with <paramref name="all"/>, every instance), as the database keeps it;
    /// starts afresh. <paramref name="bootId"/> and <paramref name="boot"/>: the boot the tree's times count from.
    /// </summary>
    public InstanceChanges TakeChanges(bool all, string? bootId, DateTimeOffset boot)
    {
        var changed = (all ? (IEnumerable<Instance>)_byKey.Values : _dirty).Select(i => Stored(i, bootId, boot)).ToArray();
        var removed = all ? [] : _removed.ToArray();
        var groups = (all ? (IEnumerable<GroupTotals>)_groups.Values : _dirtyGroups).Select(g => g.Info()).ToArray();
        _dirty.Clear();
        _removed.Clear();
        _dirtyGroups.Clear();
        return new InstanceChanges(all, changed, removed) { Groups = groups };
    }

    private static StoredInstance Stored(Instance i, string? bootId, DateTimeOffset boot) => new(
        i.Serial, i.Pid, i.ParentPid, i.Parent?.Serial, i.Start, i.Key, i.Origin is null ? bootId : i.OriginBoot, i.Origin ?? boot,
        i.Name, i.Exe, i.End, i.EndSeen, i.ExitCode, i.Own.Reads, i.Own.Writes, i.Tree.Reads, i.Tree.Writes)
    {
        Group = i.Group, DiskReads = i.Own.DiskReads, DiskWrites = i.Own.DiskWrites, TreeDiskReads = i.Tree.DiskReads, TreeDiskWrites = i.Tree.DiskWrites,
    };

    /// <summary>
    /// Takes back the instances the database kept (into an empty tree, before any event). Those of this boot keep their
    /// keys; those of an earlier boot keep their times (counted from their boot) and are ended. An instance that was
    /// running when the daemon stopped and no longer runs (<paramref name="running"/> gives no process for its pid, or
    /// one with another start time: the pid was reused) is marked ended, unseen, at <paramref name="stoppedAt"/> (the
    /// database's last write); so is every such instance when <paramref name="running"/> is null (nothing can tell).
    /// Tree totals are taken as stored: they already hold the figures of descendants dropped earlier. So are the groups'
    /// sums (they hold the bytes of dropped instances) and each instance's group; bytes that waited for a cgroup not yet
    /// found when the daemon stopped are not kept.
    /// </summary>
    public void Restore(SavedInstances saved, string? bootId, DateTimeOffset boot, Func<int, ProcessSeed?>? running, DateTimeOffset now)
    {
        var stoppedAt = saved.WrittenAt ?? now;
        var storedGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in saved.Groups)
        {
            if (string.IsNullOrEmpty(g.Name) || !storedGroups.Add(g.Name) || _groups.ContainsKey(g.Name))
                continue;
            var group = _groups[g.Name] = new GroupTotals(g.Name) { Processes = Math.Max(0, g.Processes) };
            group.Add(new IoBytes(g.Reads, g.Writes, g.DiskReads, g.DiskWrites).AtLeastZero());
        }
        var bySerial = new Dictionary<long, (Instance Instance, long? Parent)>();
        foreach (var row in saved.Instances.OrderBy(r => r.Serial))
        {
            if (row.Pid <= 0 || bySerial.ContainsKey(row.Serial))
                continue;
            var sameBoot = string.Equals(row.Boot, bootId, StringComparison.Ordinal);
            var instance = new Instance(row.Pid, row.Start, sameBoot ? row.Key : -row.Serial, row.Serial, row.Name)
            {
                ParentPid = row.ParentPid, Exe = row.Exe, End = row.End, EndSeen = row.EndSeen, ExitCode = row.ExitCode,
                Own = new IoBytes(row.Reads, row.Writes, row.DiskReads, row.DiskWrites),
                Tree = new IoBytes(row.TreeReads, row.TreeWrites, row.TreeDiskReads, row.TreeDiskWrites),
            };
            if (!sameBoot)
            {
                instance.Origin = row.BootTime;
                instance.OriginBoot = row.Boot;
            }
            if (_byKey.ContainsKey((row.Pid, instance.Key)))
                continue; // two rows of one instance: a database iosnoopng did not write
            if (instance.End is null)
            {
                var origin = instance.Origin ?? boot;
                var stillRuns = sameBoot && running?.Invoke(row.Pid) is { } seed
                                && (instance.Start == UnknownStart || KeyOf(seed.Start) == instance.Key);
                if (!stillRuns)
                {
                    instance.End = Math.Max(Math.Max(0, instance.Start), (stoppedAt - origin).Ticks * 100);
                    instance.EndSeen = false;
                    _dirty.Add(instance);
                }
            }
            if (!string.IsNullOrEmpty(row.Group))
            {
                // A group the database holds no sums of (written by hand, or lost): it counts the instance, with no bytes yet.
                if (!_groups.TryGetValue(row.Group, out var group))
                {
                    _groups[row.Group] = group = new GroupTotals(row.Group);
                    _dirtyGroups.Add(group);
                }
                if (!storedGroups.Contains(row.Group))
                    group.Processes++;
                instance.Group = row.Group;
            }
            bySerial[row.Serial] = (instance, row.Parent);
            _byKey[(row.Pid, instance.Key)] = instance;
            if (!_latest.TryGetValue(row.Pid, out var latest) || latest.End is not null)
                _latest[row.Pid] = instance;
            _serial = Math.Max(_serial, row.Serial);
        }
        foreach (var (instance, parentSerial) in bySerial.Values)
        {
            if (parentSerial is not { } serial || !bySerial.TryGetValue(serial, out var parent) || WouldCycle(instance, parent.Instance))
                continue;
            instance.Parent = parent.Instance;
            (parent.Instance.Children ??= new HashSet<Instance>()).Add(instance);
        }
        foreach (var instance in bySerial.Values.Select(v => v.Instance).Where(i => i.End is not null)
                     .OrderBy(i => i.EndedAt(boot) ?? DateTimeOffset.MinValue).ThenBy(i => i.Serial))
            instance.ExitedEntry = _exited.AddLast(instance);
        Trim();
    }

    /// <summary>
    /// Drops the exited instances that ended before <paramref name="cutoff"/> (the retention), those that ended first
    /// first, as the cap does: their figures stay in their ancestors' tree totals. Returns how many were dropped.
    /// </summary>
    public int Expire(DateTimeOffset cutoff, DateTimeOffset boot)
    {
        var dropped = 0;
        while (_exited.First is { } oldest && (oldest.Value.EndedAt(boot) ?? DateTimeOffset.MinValue) < cutoff)
        {
            Drop(oldest.Value);
            dropped++;
        }
        return dropped;
    }

    /// <summary>
    /// The bytes per group, most first (file bytes): what every instance read and wrote while in the group (exited and
    /// dropped instances included), its disk bytes, and how many instances were in it. Cgroup ids not resolved before
    /// are tried again.
    /// </summary>
    public IReadOnlyList<GroupInfo> Groups()
    {
        foreach (var instance in _unresolved.ToList())
            Resolve(instance);
        return _groups.Values
            .Select(g => g.Info())
            .OrderByDescending(g => Figures.Add(g.Reads, g.Writes)).ThenBy(g => g.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private void Start(InstanceStarted started)
    {
        var instance = Find(started.Pid, started.Start) ?? Add(started.Pid, started.Start, started.Name, started.ParentPid);
        // The cgroup at the fork. A start reported late (after an exec, or after /proc was read) is older news.
        if (instance.CgroupId == 0 && instance.Group is null)
            JoinId(instance, started.Cgroup);
        // A parent start not given (a source that met the child before its parent): the running instance of that pid.
        var parent = started.ParentStart < 0 ? null : Find(started.ParentPid, started.ParentStart);
        if (parent is null && _latest.TryGetValue(started.ParentPid, out var latest) && latest.End is null
            && (latest.Start == UnknownStart || started.ParentStart < 0) && latest != instance)
            parent = latest;
        if (parent is null || parent == instance.Parent || WouldCycle(instance, parent))
        {
            if (instance.Parent is null && instance.ParentPid != started.ParentPid)
            {
                instance.ParentPid = started.ParentPid;
                _dirty.Add(instance);
            }
            return;
        }
        // The kernel noted the parent at the fork. An instance met first through its bytes took its parent from
        // /proc, read after the fact: a parent that had exited by then had handed it to init. The kernel's wins.
        if (instance.Parent is { } earlier)
        {
            earlier.Children!.Remove(instance);
            AddToTrees(earlier, instance.Tree.Negated());
        }
        instance.ParentPid = started.ParentPid;
        Link(instance, parent);
    }

    private static bool WouldCycle(Instance child, Instance parent)
    {
        for (var up = parent; up is not null; up = up.Parent)
            if (up == child)
                return true;
        return false;
    }

    private void Execute(InstanceExecuted executed)
    {
        var instance = Find(executed.Pid, executed.Start) ?? AddUnknown(executed.Pid, executed.Start, executed.Name, executed.Cgroup);
        if (instance.Follows is { } follows && !string.Equals(instance.Name, executed.Name, StringComparison.Ordinal))
            foreach (var follow in follows)
                follow.Renamed(instance.Name, executed.Name);
        instance.Name = executed.Name;
        if (executed.Exe is not null)
            instance.Exe = executed.Exe;
        JoinId(instance, executed.Cgroup);
        _dirty.Add(instance);
    }

    private void AddIo(InstanceIo io)
    {
        var bytes = io.Bytes;
        if (bytes.HasNegative || bytes.IsZero)
            return;
        if (!_latest.TryGetValue(io.Pid, out var instance) || instance.End is not null)
            instance = AddUnknown(io.Pid, UnknownStart, io.Name);
        instance.Own = instance.Own.Plus(bytes);
        AddToTrees(instance, bytes);
        if (instance.Follows is { } follows)
            foreach (var follow in follows)
                follow.AddIo(io.Name, io.Reads, io.Writes);
        if (instance.Group is null && instance.CgroupId != 0)
            Resolve(instance);
        if (instance.Group is not null)
        {
            var group = _groups[instance.Group];
            group.Add(bytes);
            _dirtyGroups.Add(group);
        }
        else if (instance.CgroupId != 0)
        {
            // Its cgroup is not known yet (made after the last walk of the hierarchy): the bytes wait with it.
            instance.Pending = instance.Pending.Plus(bytes);
        }
    }

    /// <summary>The instance is in the cgroup with this id (0: not known, nothing changes).</summary>
    private void JoinId(Instance instance, ulong id)
    {
        if (id == 0 || id == instance.CgroupId)
            return;
        instance.CgroupId = id;
        if (_cgroupPath is null)
            return;
        if (_cgroupPath(id) is { } path)
            Join(instance, Cgroups.ReadableName(path));
        else
        {
            instance.Leave();
            _unresolved.Add(instance);
        }
    }

    /// <summary>The instance is in the cgroup with this path (from <c>/proc</c>; null: not known).</summary>
    private void JoinPath(Instance instance, string? path)
    {
        if (path is not null)
            Join(instance, Cgroups.ReadableName(path));
    }

    private void Resolve(Instance instance)
    {
        if (_cgroupPath?.Invoke(instance.CgroupId) is { } path)
            Join(instance, Cgroups.ReadableName(path));
    }

    /// <summary>Puts the instance in a group (counted there once, however often it moves in and out), with the bytes
    /// that waited for it.</summary>
    private void Join(Instance instance, string name)
    {
        _unresolved.Remove(instance);
        if (!_groups.TryGetValue(name, out var group))
        {
            if (_groups.Count >= _maxGroups - 1)
                name = OtherGroups; // the last place is kept for it
            if (!_groups.TryGetValue(name, out group))
                _groups[name] = group = new GroupTotals(name);
        }
        if (instance.Group != group.Name)
        {
            instance.Leave();
            if (instance.EarlierGroups?.Contains(group.Name) != true)
            {
                group.Processes++;
                _dirtyGroups.Add(group);
            }
            instance.Group = group.Name;
            _dirty.Add(instance);
        }
        if (!instance.Pending.IsZero)
        {
            group.Add(instance.Pending);
            _dirtyGroups.Add(group);
            instance.Pending = default;
        }
    }

    private void End(InstanceEnded ended)
    {
        var instance = Find(ended.Pid, ended.Start) ?? AddUnknown(ended.Pid, ended.Start, ended.Name);
        var start = instance.Start == UnknownStart ? ended.Start : instance.Start;
        var end = Figures.Add(start, Math.Max(0, ended.Lifetime));
        if (ended.ExitCode is >= 0 and <= 255)
            instance.ExitCode = ended.ExitCode;
        if (instance.End is not null)
        {
            // Marked ended when its pid started again (a source that reports ends late): the real end replaces that.
            if (!instance.EndSeen && end <= instance.End)
            {
                instance.End = end;
                instance.EndSeen = true;
                _dirty.Add(instance);
            }
            return;
        }
        MarkEnded(instance, end, seen: true);
        Trim();
    }

    /// <summary>The instance with this pid and start; one whose start was unknown takes the start given.</summary>
    private Instance? Find(int pid, long start)
    {
        if (_byKey.TryGetValue((pid, KeyOf(start)), out var instance))
        {
            // The kernel's start is exact where /proc's was in ticks.
            if (start >= 0 && start % StartStep != 0 && instance.Start != start)
            {
                instance.Start = start;
                _dirty.Add(instance);
            }
            return instance;
        }
        if (start >= 0 && _latest.TryGetValue(pid, out var latest) && latest.End is null && latest.Start == UnknownStart)
        {
            _byKey.Remove((pid, latest.Key));
            latest.Start = start;
            latest.Key = KeyOf(start);
            _byKey[(pid, latest.Key)] = latest;
            _dirty.Add(latest);
            return latest;
        }
        return null;
    }

    /// <summary>A pid the tree learns of through its exec, bytes or end: what <c>/proc</c> says of it, if anything.</summary>
    /// <param name="cgroupId">The cgroup id the event carries (0: none): it was true when the event happened, which
    /// <c>/proc</c>, read later, may no longer be.</param>
    private Instance AddUnknown(int pid, long start, string name, ulong cgroupId = 0)
    {
        var parentPid = 0;
        string? exe = null;
        string? cgroup = null;
        if (_lookup?.Invoke(pid) is { } seed && (start == UnknownStart || KeyOf(seed.Start) == KeyOf(start))
            && !_byKey.ContainsKey((pid, KeyOf(seed.Start))))
        {
            start = seed.Start;
            parentPid = seed.ParentPid;
            exe = seed.Exe;
            cgroup = seed.Cgroup;
        }
        var instance = Add(pid, start, name, parentPid);
        instance.Exe = exe;
        if (cgroupId != 0)
            JoinId(instance, cgroupId);
        else
            JoinPath(instance, cgroup);
        if (parentPid > 0 && _latest.TryGetValue(parentPid, out var parent) && parent.End is null && parent != instance)
            Link(instance, parent);
        return instance;
    }

    private Instance Add(int pid, long start, string name, int parentPid)
    {
        var serial = ++_serial;
        var instance = new Instance(pid, start, start == UnknownStart ? -serial : KeyOf(start), serial, name) { ParentPid = parentPid };
        // A pid is reused: the instance that had it ended unseen (the kernel starts a pid only after its end).
        if (_latest.TryGetValue(pid, out var previous) && previous.End is null)
            MarkEnded(previous, start >= 0 ? start : previous.Start, seen: false);
        _byKey[(pid, instance.Key)] = instance;
        _latest[pid] = instance;
        _dirty.Add(instance);
        Trim();
        return instance;
    }

    private void MarkEnded(Instance instance, long end, bool seen)
    {
        instance.End = end;
        instance.EndSeen = seen;
        instance.ExitedEntry = _exited.AddLast(instance);
        _dirty.Add(instance);
        if (instance.Follows is { } follows)
            foreach (var follow in follows)
                follow.Ended(instance);
    }

    /// <summary>Links a child to its parent, unless that would close a cycle; the parent's trees take the child's totals.</summary>
    private void Link(Instance child, Instance parent)
    {
        if (WouldCycle(child, parent))
            return;
        child.Parent = parent;
        _dirty.Add(child);
        (parent.Children ??= new HashSet<Instance>()).Add(child);
        AddToTrees(parent, child.Tree);
        if (parent.Follows is { } follows)
            foreach (var follow in follows)
                follow.Join(child);
    }

    /// <summary>Adds bytes (negative ones take them away) to the tree totals of the instance and all its ancestors.</summary>
    private void AddToTrees(Instance instance, IoBytes bytes)
    {
        if (bytes.IsZero)
            return;
        for (var up = instance; up is not null; up = up.Parent)
        {
            _dirty.Add(up);
            up.Tree = up.Tree.Plus(bytes);
        }
    }

    /// <summary>Drops the exited instances beyond the cap, those that ended first first.</summary>
    private void Trim()
    {
        while (_exited.Count > _maxExited && _exited.First is { } oldest)
            Drop(oldest.Value);
    }

    /// <summary>Forgets an exited instance: its figures stay in its ancestors' trees, its children move up to its parent.</summary>
    private void Drop(Instance instance)
    {
        if (instance.ExitedEntry is not null)
            _exited.Remove(instance.ExitedEntry);
        instance.ExitedEntry = null;
        _dirty.Remove(instance);
        _removed.Add(instance.Serial);
        _unresolved.Remove(instance);
        _byKey.Remove((instance.Pid, instance.Key));
        if (_latest.TryGetValue(instance.Pid, out var latest) && latest == instance)
            _latest.Remove(instance.Pid);
        var parent = instance.Parent;
        parent?.Children?.Remove(instance);
        if (instance.Children is not null)
        {
            foreach (var child in instance.Children)
            {
                child.Parent = parent;
                _dirty.Add(child);
                if (parent is not null)
                    (parent.Children ??= new HashSet<Instance>()).Add(child);
            }
        }
        instance.Children = null;
        instance.Parent = null;
        Dropped++;
    }

    private static long KeyOf(long start) => start < 0 ? start : start / StartStep;

    /// <summary>One instance, as the tree holds it.</summary>
    private sealed class Instance(int pid, long start, long key, long serial, string name)
    {
        public int Pid { get; } = pid;
        public long Start { get; set; } = start;
        public long Key { get; set; } = key;
        public long Serial { get; } = serial;
        public string Name { get; set; } = name;
        public string? Exe { get; set; }
        public ulong CgroupId { get; set; }
        public string? Group { get; set; }
        /// <summary>The groups it was in before <see cref="Group"/>, each once (null until it moves: most never do).</summary>
        public List<string>? EarlierGroups { get; private set; }

        /// <summary>Leaves its group (for another, or for a cgroup not resolved yet).</summary>
        public void Leave()
        {
            if (Group is { } left && EarlierGroups?.Contains(left) != true)
                (EarlierGroups ??= []).Add(left);
            Group = null;
        }
        /// <summary>Bytes that wait for its cgroup to be known (one made after the last walk of the hierarchy).</summary>
        public IoBytes Pending { get; set; }
        public int ParentPid { get; set; }
        public Instance? Parent { get; set; }
        public HashSet<Instance>? Children { get; set; }
        public long? End { get; set; }
        public bool EndSeen { get; set; }
        public int? ExitCode { get; set; }
        /// <summary>An instance of an earlier boot (restored from the database): when that boot was, and its id.</summary>
        public DateTimeOffset? Origin { get; set; }
        public string? OriginBoot { get; set; }
        public LinkedListNode<Instance>? ExitedEntry { get; set; }
        /// <summary>Its own bytes.</summary>
        public IoBytes Own { get; set; }
        /// <summary>Its bytes and those of all its descendants (dropped ones included).</summary>
        public IoBytes Tree { get; set; }
        /// <summary>The followed trees it belongs to (<see cref="FollowedTree"/>), null for almost every instance.</summary>
        public List<FollowedTree>? Follows { get; set; }

        public InstanceInfo Info(DateTimeOffset boot) => new(
            Pid, ParentPid, Name, Exe, Time(Origin ?? boot, Start), End is { } end ? Time(Origin ?? boot, end) : null,
            Own.Reads, Own.Writes, Tree.Reads, Tree.Writes, Group, Own.DiskReads, Own.DiskWrites, Tree.DiskReads, Tree.DiskWrites)
        {
            ExitCode = ExitCode,
        };

        /// <summary>When it ended, as a time; null while it runs.</summary>
        public DateTimeOffset? EndedAt(DateTimeOffset boot) => End is { } end ? Time(Origin ?? boot, end) : null;

        /// <summary>Nanoseconds since boot as a time; null when unknown or beyond what a time can hold (bad input).</summary>
        public static DateTimeOffset? Time(DateTimeOffset boot, long nanoseconds) =>
            nanoseconds < 0 || nanoseconds / 100 > (DateTimeOffset.MaxValue - boot).Ticks ? null : boot.AddTicks(nanoseconds / 100);
    }
}

/// <summary>A process as <c>/proc</c> shows it.</summary>
/// <param name="Start">Nanoseconds since boot (clock ticks × 10 ms).</param>
/// <param name="Cgroup">Its cgroup v2 path (<c>/proc/PID/cgroup</c>), or null.</param>
public sealed record ProcessSeed(int Pid, int ParentPid, long Start, string Name, string? Exe, string? Cgroup = null);

/// <summary>One instance as the API shows it: <see cref="Ended"/> null while it runs; <c>Tree*</c> with all its descendants;
/// <see cref="Group"/> the readable name of its cgroup, null when not known; <c>Disk*</c> the disk layer's bytes beside
/// the file bytes (0 where the source does not measure it).</summary>
public sealed record InstanceInfo(
    int Pid, int Ppid, string Name, string? Exe, DateTimeOffset? Started, DateTimeOffset? Ended,
    long Reads, long Writes, long TreeReads, long TreeWrites, string? Group = null,
    long DiskReads = 0, long DiskWrites = 0, long TreeDiskReads = 0, long TreeDiskWrites = 0)
{
    /// <summary>The exit status (0-255) when the tracer saw the exit; null while running, or when not known.</summary>
    public int? ExitCode { get; init; }
}

/// <summary>The bytes of one group (see <see cref="ProcessTree.Groups"/>): file bytes, and disk bytes beside them.</summary>
/// <param name="Processes">The instances that were in it (exited and dropped ones included) since the daemon started or,
/// with a database, since the database was made.</param>
public sealed record GroupInfo(string Name, long Reads, long Writes, long Processes, long DiskReads = 0, long DiskWrites = 0);

/// <summary>A group's running sums, as the tree holds them.</summary>
internal sealed class GroupTotals(string name)
{
    public string Name { get; } = name;
    public IoBytes Bytes { get; private set; }
    public long Processes { get; set; }

    public void Add(IoBytes more) => Bytes = Bytes.Plus(more);

    public GroupInfo Info() => new(Name, Bytes.Reads, Bytes.Writes, Processes, Bytes.DiskReads, Bytes.DiskWrites);
}

/// <summary>One instance with its children.</summary>
public sealed record InstanceDetail(InstanceInfo Instance, IReadOnlyList<InstanceInfo> Children);
