using System.Globalization;

namespace IoSnoop.Actors.Instances;

/// <summary>
/// The processes <c>/proc</c> shows (Linux): pid, parent, name, executable, start time and cgroup v2 path, for the process
/// tree's start and for pids it first meets through their bytes. Kernel threads are left out (they do no
/// file I/O of their own through system calls). Every read may race with a process's exit: what cannot be
/// read is left out, never an error.
/// </summary>
public sealed class ProcFileSystem(string root = "/proc")
{
    /// <summary>The clock tick of <c>/proc/PID/stat</c>'s start time: USER_HZ is 100 on every Linux.</summary>
    private const long NanosecondsPerTick = 10_000_000;

    private const uint KernelThread = 0x00200000; // PF_KTHREAD

    public string Root { get; } = root;

    /// <summary>Every process running now.</summary>
    public IReadOnlyList<ProcessSeed> Running()
    {
        var seeds = new List<ProcessSeed>();
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories(Root).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return seeds;
        }
        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Read(pid) is { } seed)
                seeds.Add(seed);
        }
        return seeds;
    }

    /// <summary>The process with this pid, or null (gone, a kernel thread, or unreadable).</summary>
    public ProcessSeed? Read(int pid)
    {
        try
        {
            var directory = Path.Combine(Root, pid.ToString(CultureInfo.InvariantCulture));
            var seed = ParseStat(File.ReadAllText(Path.Combine(directory, "stat")));
            if (seed is null || seed.Pid != pid)
                return null;
            string? exe = null;
            try
            {
                exe = new FileInfo(Path.Combine(directory, "exe")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process without the rights to look: no executable.
            }
            string? cgroup = null;
            try
            {
                cgroup = Cgroups.PathFromProcCgroup(File.ReadAllText(Path.Combine(directory, "cgroup")));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or no cgroups in this kernel: no group.
            }
            return seed with { Exe = exe, Cgroup = cgroup };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>pid (comm) state ppid pgrp session tty tpgid flags ... starttime</c>: comm may hold spaces and
    /// parentheses, so the fields after it are counted from its last <c>)</c>. Kernel threads give null.
    /// </summary>
    public static ProcessSeed? ParseStat(string stat)
    {
        var open = stat.IndexOf(" (", StringComparison.Ordinal);
        var close = stat.LastIndexOf(") ", StringComparison.Ordinal);
        if (open <= 0 || close < open)
            return null;
        if (!int.TryParse(stat.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            return null;
        var name = stat[(open + 2)..close];
        var fields = stat[(close + 2)..].Split(' ');
        // fields[0] is field 3 of proc(5): state; ppid is field 4, flags 9, starttime 22.
        if (fields.Length < 20
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid)
            || !uint.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var flags)
            || !long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > long.MaxValue / NanosecondsPerTick)
            return null;
        if ((flags & KernelThread) != 0)
            return null;
        return new ProcessSeed(pid, ppid, ticks * NanosecondsPerTick, name, null);
    }

    /// <summary>This boot's id (<c>sys/kernel/random/boot_id</c>), which tells whether saved start times count from this boot; null when unreadable.</summary>
    public string? BootId()
    {
        try
        {
            var id = File.ReadAllText(Path.Combine(Root, "sys", "kernel", "random", "boot_id")).Trim();
            return id.Length == 0 ? null : id;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Nanoseconds since boot now (<c>/proc/uptime</c>, which counts suspended time like the kernel's start times), or null.</summary>
    public long? SinceBoot()
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(Root, "uptime"));
            var first = text.Split(' ', 2)[0];
            return decimal.TryParse(first, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                ? (long)(seconds * 1_000_000_000m)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
