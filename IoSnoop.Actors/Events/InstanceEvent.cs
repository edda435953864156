namespace IoSnoop.Actors.Events;

/// <summary>
/// What a trace source tells about process instances (thread groups): one process from its start to its
/// end. An instance is keyed by its pid and its start time, so that a reused pid is another instance.
/// Start times are nanoseconds since boot (the kernel's <c>start_boottime</c>; <c>/proc/PID/stat</c> gives
/// them in clock ticks; the DTrace source turns the process's start time of day into them). A source reports, per interval, the starts, then the execs, then the bytes per
/// pid, then the ends: the bytes of a pid belong to the instance of that pid that runs in the interval.
/// </summary>
public abstract record InstanceEvent(int Pid);

/// <summary>A new process (not a thread), with its parent as it was at the fork. <paramref name="ParentStart"/> is
/// negative when the source does not know it: the parent is then the running instance of <paramref name="ParentPid"/>.</summary>
/// <param name="Name">Its name at the start: the parent's, until it runs a program of its own.</param>
/// <param name="Cgroup">Its cgroup v2 id (the inode number of the cgroup's directory), 0 when not known.</param>
public sealed record InstanceStarted(int Pid, long Start, int ParentPid, long ParentStart, string Name, ulong Cgroup = 0) : InstanceEvent(Pid);

/// <summary>The process ran a new program.</summary>
/// <param name="Exe">The executable's path, or null when the source could not tell it.</param>
/// <param name="Cgroup">Its cgroup v2 id at the exec (it may have been moved since its start), 0 when not known.</param>
public sealed record InstanceExecuted(int Pid, long Start, string Name, string? Exe, ulong Cgroup = 0) : InstanceEvent(Pid);

/// <summary>Bytes a process (all its threads) read from and wrote to files within the interval, and what that cost the disk.</summary>
/// <param name="Name">The name its I/O was recorded under (the first of them, when it ran several programs).</param>
/// <param name="DiskReads">Bytes it made the disk read (the disk layer; 0 where the source does not measure it).</param>
/// <param name="DiskWrites">Bytes it dirtied or wrote directly (the disk layer; 0 where the source does not measure it).</param>
public sealed record InstanceIo(int Pid, string Name, long Reads, long Writes, long DiskReads = 0, long DiskWrites = 0) : InstanceEvent(Pid)
{
    public IoBytes Bytes => new(Reads, Writes, DiskReads, DiskWrites);
}

/// <summary>The process ended (its last thread exited), <paramref name="Lifetime"/> nanoseconds after its start.</summary>
public sealed record InstanceEnded(int Pid, long Start, long Lifetime, string Name) : InstanceEvent(Pid)
{
    /// <summary>Its exit status (0-255) when the source tells it (<c>exit_group</c>), or null.</summary>
    public int? ExitCode { get; init; }
}

/// <summary>
/// Bytes one process moved to or from one file within the interval: what <see cref="InstanceIo"/> sums, file by
/// file. Reported only while a process tree is followed (<see cref="FileFollowing"/>): the per-name figures do
/// not need it, and the process tree keeps it only for the followed trees.
/// </summary>
/// <param name="Process">The name the I/O was recorded under.</param>
public sealed record InstanceFileIo(int Pid, string Process, string Path, IoDirection Direction, IoLayer Layer, long Bytes) : InstanceEvent(Pid);
