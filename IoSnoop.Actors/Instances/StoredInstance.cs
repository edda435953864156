namespace IoSnoop.Actors.Instances;

/// <summary>
/// One process instance as the database keeps it, so that the tree survives a restart.
/// </summary>
/// <param name="Serial">The instance's number, unique among those stored (the row's key); <paramref name="Parent"/> names one.</param>
/// <param name="ParentPid">The parent pid the instance had when it started.</param>
/// <param name="Parent">The serial of the kept instance it is listed under (its parent, or the nearest kept ancestor), or null.</param>
/// <param name="Start">Nanoseconds since <paramref name="Boot"/>'s boot, or <see cref="ProcessTree.UnknownStart"/>.</param>
/// <param name="Key">The tree's key of the start (see <see cref="ProcessTree.StartStep"/>).</param>
/// <param name="Boot">The boot the times count from (<c>/proc/sys/kernel/random/boot_id</c>), or null where not known.</param>
/// <param name="BootTime">When that boot was (UTC): the origin of <paramref name="Start"/> and <paramref name="End"/>.</param>
/// <param name="End">Nanoseconds since boot when it ended; null while it runs.</param>
/// <param name="EndSeen">The tracer saw the end (false: it ended unseen, the end is when that was noticed).</param>
/// <param name="ExitCode">The exit status (0-255) when the tracer saw it, or null.</param>
public sealed record StoredInstance(
    long Serial, int Pid, int ParentPid, long? Parent, long Start, long Key, string? Boot, DateTimeOffset BootTime,
    string Name, string? Exe, long? End, bool EndSeen, int? ExitCode,
    long Reads, long Writes, long TreeReads, long TreeWrites)
{
    /// <summary>The readable name of its cgroup (<see cref="Cgroups.ReadableName"/>), or null when not known (schema 4).</summary>
    public string? Group { get; init; }

    /// <summary>Its own disk bytes and those of its tree (schema 4; 0 in a database of an earlier schema).</summary>
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }

    public long TreeDiskReads { get; init; }

    public long TreeDiskWrites { get; init; }
}

/// <summary>
/// What changed in the tree since the last time it was asked: instances to write, serials to delete. <see cref="All"/>:
/// <see cref="Changed"/> is every instance, and rows not among them are deleted.
/// </summary>
public sealed record InstanceChanges(bool All, IReadOnlyList<StoredInstance> Changed, IReadOnlyList<long> Removed)
{
    public static InstanceChanges None { get; } = new(false, [], []);

    /// <summary>The groups whose sums changed (<see cref="All"/>: every group, and rows not among them are deleted).</summary>
    public IReadOnlyList<GroupInfo> Groups { get; init; } = [];

    public bool IsEmpty => !All && Changed.Count == 0 && Removed.Count == 0 && Groups.Count == 0;
}

/// <summary>The instances the database held at start, and when it was last written (the daemon's stop, near enough).</summary>
public sealed record SavedInstances(IReadOnlyList<StoredInstance> Instances, DateTimeOffset? WrittenAt)
{
    /// <summary>The groups' sums (schema 4; none in a database of an earlier schema).</summary>
    public IReadOnlyList<GroupInfo> Groups { get; init; } = [];
}
