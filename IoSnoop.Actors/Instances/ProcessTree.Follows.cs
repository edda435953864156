using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Instances;

/// <summary>
/// Followed trees (<c>iosnoopng run</c>, <c>POST /api/follow</c>): for the instances in the tree of a followed
/// pid, from the follow on, the bytes per process name and per file, beside the tree totals the tree keeps anyway.
/// <para>
/// The figures per name that the daemon keeps are summed over every process of a name; the per-file figures of one
/// tree need the bytes per pid and file, which the source reports (<see cref="InstanceFileIo"/>) only while a follow
/// is held (<see cref="FileFollowing"/>). An instance joins a followed tree when it is linked under a member (at its
/// start, or when it is met first through its bytes), with the bytes it had before; its per-file figures count from
/// then on. Bounded: at most <see cref="MaxFollows"/> follows, <see cref="MaxFilesPerFollow"/> files each (beyond,
/// <see cref="OtherFiles"/>).
/// </para>
/// </summary>
public sealed partial class ProcessTree
{
    /// <summary>Trees followed at once; a new follow beyond it drops the oldest one whose root ended.</summary>
    public const int MaxFollows = 64;

    /// <summary>Files kept per followed tree; the bytes of further files go to <see cref="OtherFiles"/>.</summary>
    public const int MaxFilesPerFollow = 10_000;

    /// <summary>The row of the files beyond <see cref="MaxFilesPerFollow"/>.</summary>
    public const string OtherFiles = "<other files>";

    private readonly FileFollowing? _following;
    private readonly Dictionary<int, FollowedTree> _follows = new();
    private long _followSerial;

    public int Follows => _follows.Count;

    /// <summary>
    /// Follows the tree of the running process <paramref name="pid"/> (a process the tree does not know yet is looked
    /// up in <c>/proc</c>); following it again keeps the follow it has.
    /// </summary>
    /// <returns>Null when it is followed; otherwise why not (no such process, too many follows).</returns>
    public string? Follow(int pid)
    {
        if (pid <= 0)
            return "no process has pid " + pid;
        if (_follows.ContainsKey(pid))
            return null;
        if (!_latest.TryGetValue(pid, out var root) || root.End is not null)
        {
            if (_lookup?.Invoke(pid) is not { } seed)
                return $"no process with pid {pid} runs";
            root = AddUnknown(pid, seed.Start, seed.Name);
        }
        if (_follows.Count >= MaxFollows)
        {
            var oldest = _follows.Values.Where(f => f.Root.End is not null).MinBy(f => f.Serial);
            if (oldest is null)
                return $"{MaxFollows} trees are followed already, all running";
            Unfollow(oldest.Root.Pid);
        }
        var follow = new FollowedTree(root, ++_followSerial);
        _follows[pid] = follow;
        follow.Join(root);
        if (_following is not null)
            _following.Active = true;
        return null;
    }

    /// <summary>Stops following the tree of <paramref name="pid"/>; false when it was not followed.</summary>
    public bool Unfollow(int pid)
    {
        if (!_follows.Remove(pid, out var follow))
            return false;
        foreach (var instance in _byKey.Values)
            if (instance.Follows is { } follows && follows.Remove(follow) && follows.Count == 0)
                instance.Follows = null;
        if (_following is not null && _follows.Count == 0)
            _following.Active = false;
        return true;
    }

    /// <summary>What the followed tree of <paramref name="pid"/> read and wrote since the follow, or null when it is not followed.</summary>
    public FollowReport? Followed(int pid, DateTimeOffset boot) =>
        _follows.TryGetValue(pid, out var follow) ? follow.Report(boot) : null;

    private void AddFileIo(InstanceFileIo file)
    {
        if (file.Bytes <= 0 || !_latest.TryGetValue(file.Pid, out var instance) || instance.Follows is not { } follows)
            return;
        foreach (var follow in follows)
            follow.AddFile(file);
    }

    /// <summary>One followed tree and what its instances did since they joined it.</summary>
    private sealed class FollowedTree(Instance root, long serial)
    {
        private readonly Dictionary<string, NameFigures> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, FileFigures> _files = new(StringComparer.Ordinal);
        private int _running;
        private long _reads;
        private long _writes;
        private long _diskReads;
        private long _diskWrites;

        public Instance Root { get; } = root;

        public long Serial { get; } = serial;

        /// <summary>An instance (with the descendants it has already) becomes part of the tree, with the bytes it had.</summary>
        public void Join(Instance instance)
        {
            var follows = instance.Follows ??= new List<FollowedTree>(1);
            if (follows.Contains(this))
                return;
            follows.Add(this);
            Name(instance.Name).Instances++;
            if (instance.End is null)
                _running++;
            AddIo(instance.Name, instance.Own.Reads, instance.Own.Writes);
            if (instance.Children is not null)
                foreach (var child in instance.Children)
                    Join(child);
        }

        public void Renamed(string from, string to)
        {
            Name(from).Instances--;
            Name(to).Instances++;
        }

        public void Ended(Instance instance) => _running--;

        public void AddIo(string name, long reads, long writes)
        {
            if (reads == 0 && writes == 0)
                return;
            var figures = Name(name);
            figures.Reads = Figures.Add(figures.Reads, reads);
            figures.Writes = Figures.Add(figures.Writes, writes);
            _reads = Figures.Add(_reads, reads);
            _writes = Figures.Add(_writes, writes);
        }

        public void AddFile(InstanceFileIo io)
        {
            if (!_files.TryGetValue(io.Path, out var file))
            {
                var path = _files.Count < MaxFilesPerFollow ? io.Path : OtherFiles;
                if (!_files.TryGetValue(path, out file))
                    _files[path] = file = new FileFigures();
            }
            var disk = io.Layer == IoLayer.Disk;
            if (disk && io.Direction == IoDirection.Read)
            {
                file.DiskReads = Figures.Add(file.DiskReads, io.Bytes);
                _diskReads = Figures.Add(_diskReads, io.Bytes);
            }
            else if (disk)
            {
                file.DiskWrites = Figures.Add(file.DiskWrites, io.Bytes);
                _diskWrites = Figures.Add(_diskWrites, io.Bytes);
            }
            else if (io.Direction == IoDirection.Read)
                file.Reads = Figures.Add(file.Reads, io.Bytes);
            else
                file.Writes = Figures.Add(file.Writes, io.Bytes);
        }

        public FollowReport Report(DateTimeOffset boot)
        {
            var root = Root.Info(boot);
            return new FollowReport(
                Root.Pid, Root.Name, Root.Exe, root.Started, root.Ended, Math.Max(0, _running), _reads, _writes, _diskReads, _diskWrites,
                _names.Where(n => n.Value.Instances > 0 || n.Value.Reads > 0 || n.Value.Writes > 0)
                    .Select(n => new FollowedName(n.Key, Math.Max(0, n.Value.Instances), n.Value.Reads, n.Value.Writes))
                    .OrderByDescending(n => Figures.Add(n.Reads, n.Writes)).ThenBy(n => n.Name, StringComparer.Ordinal)
                    .ToArray(),
                _files.Select(f => new FollowedFile(f.Key, f.Value.Reads, f.Value.Writes, f.Value.DiskReads, f.Value.DiskWrites))
                    .OrderByDescending(f => Figures.Add(f.Reads, f.Writes)).ThenBy(f => f.Path, StringComparer.Ordinal)
                    .ToArray());
        }

        private NameFigures Name(string name)
        {
            if (!_names.TryGetValue(name, out var figures))
                _names[name] = figures = new NameFigures();
            return figures;
        }

        private sealed class NameFigures
        {
            public int Instances;
            public long Reads;
            public long Writes;
        }

        private sealed class FileFigures
        {
            public long Reads;
            public long Writes;
            public long DiskReads;
            public long DiskWrites;
        }
    }
}

/// <summary>
/// What a followed tree read and wrote: <see cref="TreeReads"/>/<see cref="TreeWrites"/> are the bytes of all its
/// instances (those before they joined included, as the tree totals); <see cref="Processes"/> per name (the
/// instances counted by their latest name, the bytes by the name they were recorded under) and <see cref="Files"/>
/// since the follow began, most bytes first. <see cref="Running"/>: its instances that have not ended.
/// </summary>
public sealed record FollowReport(
    int Pid, string Name, string? Exe, DateTimeOffset? Started, DateTimeOffset? Ended, int Running,
    long TreeReads, long TreeWrites, long DiskReads, long DiskWrites,
    IReadOnlyList<FollowedName> Processes, IReadOnlyList<FollowedFile> Files);

/// <summary>A process name in a followed tree: how many instances ran under it, what they read and wrote.</summary>
public sealed record FollowedName(string Name, int Instances, long Reads, long Writes);

/// <summary>A file in a followed tree: its file bytes and, where the source measures it, its disk bytes.</summary>
public sealed record FollowedFile(string Path, long Reads, long Writes, long DiskReads, long DiskWrites);
