using System.Text.RegularExpressions;

namespace IoSnoop.Actors.Instances;

/// <summary>
/// Control groups (cgroup v2) as users know them: the readable name of a cgroup path (a systemd unit, a
/// container, a Kubernetes pod), the path of a cgroup id as bpftrace's <c>cgroup</c> builtin gives it, and the
/// cgroup of a running process from <c>/proc/PID/cgroup</c>.
/// </summary>
public static partial class Cgroups
{
    /// <summary>
    /// The readable name of a cgroup path: <c>/system.slice/nginx.service</c> → <c>nginx.service</c>, a user's
    /// <c>…/app-….scope</c> → that scope, <c>docker-ID.scope</c> or <c>/docker/ID</c> → <c>docker:</c> and the
    /// id's first 12 hex digits, <c>libpod-ID</c> → <c>podman:…</c>, Kubernetes paths → <c>pod:UID/</c> and the
    /// container's 12 hex digits (or <c>pod:UID</c> for the pod itself); the root is <c>/</c>; other paths are
    /// kept as they are.
    /// </summary>
    public static string ReadableName(string path)
    {
        if (string.IsNullOrEmpty(path) || path == "/")
            return "/";
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
            return "/";

        string? pod = null;
        foreach (var part in parts)
        {
            if (PodPart().Match(part) is { Success: true } m)
                pod = m.Groups["uid"].Value.Replace('_', '-');
        }
        // The container's own cgroup, or one below it (rootless podman puts the processes in its scope's
        // "container" child).
        var container = ContainerOf(parts[^1], parts.Length > 1 ? parts[^2] : null)
                        ?? (parts.Length > 1 && parts[^1] == "container" ? ContainerOf(parts[^2], null) : null);
        if (pod is not null && parts.Any(p => p.StartsWith("kubepods", StringComparison.Ordinal)))
            return container is null ? $"pod:{pod}" : $"pod:{pod}/{container.Value.Id}";
        if (container is { } c)
            return $"{c.Runtime}:{c.Id}";
        var last = parts[^1];
        if (SystemdUnit().IsMatch(last))
            return last;
        return "/" + string.Join('/', parts);
    }

    private static (string Runtime, string Id)? ContainerOf(string last, string? parent)
    {
        if (ContainerScope().Match(last) is { Success: true } scope)
        {
            var runtime = scope.Groups["runtime"].Value switch
            {
                "libpod" => "podman",
                "cri-containerd" => "containerd",
                "crio" => "cri-o",
                var other => other,
            };
            return (runtime, scope.Groups["id"].Value[..12]);
        }
        if (HexId().IsMatch(last))
        {
            // cgroupfs layouts: /docker/ID, /libpod_parent/libpod-ID, /kubepods/…/podUID/ID.
            var runtime = parent switch
            {
                "docker" => "docker",
                _ when parent is not null && parent.StartsWith("libpod", StringComparison.Ordinal) => "podman",
                _ => "container",
            };
            return (runtime, last[..12]);
        }
        return null;
    }

    [GeneratedRegex(@"^(?<runtime>docker|libpod|cri-containerd|crio)-(?<id>[0-9a-f]{12,64})(\.scope)?$")]
    private static partial Regex ContainerScope();

    [GeneratedRegex(@"^[0-9a-f]{64}$")]
    private static partial Regex HexId();

    [GeneratedRegex(@"^(kubepods(-[a-z]+)?-)?pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(\.slice)?$")]
    private static partial Regex PodPart();

    [GeneratedRegex(@"\.(service|scope|slice|socket|mount|swap|timer)$")]
    private static partial Regex SystemdUnit();

    /// <summary>The cgroup v2 path in the text of <c>/proc/PID/cgroup</c> (its <c>0::PATH</c> line), or null when
    /// the process is in no v2 hierarchy.</summary>
    public static string? PathFromProcCgroup(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
                return line[3..].TrimEnd('\r') is { Length: > 0 } path ? path : "/";
        }
        return null;
    }

    /// <summary>Where the cgroup v2 hierarchy is mounted, read from a <c>mountinfo</c> text (the first
    /// <c>cgroup2</c> mount), or null when it is not.</summary>
    public static string? UnifiedMount(string mountinfo)
    {
        foreach (var line in mountinfo.Split('\n'))
        {
            var dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0)
                continue;
            var after = line[(dash + 3)..].Split(' ');
            var before = line[..dash].Split(' ');
            if (after.Length > 0 && after[0] == "cgroup2" && before.Length > 4)
                return Unescape(before[4]);
        }
        return null;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash in paths as octal escapes (<c>\040</c>).</summary>
    private static string Unescape(string field) =>
        OctalEscape().Replace(field, m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    [GeneratedRegex(@"\\([0-7]{3})")]
    private static partial Regex OctalEscape();
}

/// <summary>
/// The path of each cgroup v2 id under the unified hierarchy. A v2 cgroup's id (bpftrace's <c>cgroup</c>) is the
/// inode number of its directory, so the directories are walked and their inode numbers noted; an id not seen
/// yet makes one new walk, at most once per <see cref="RescanAfter"/>, since cgroups come and go.
/// </summary>
public sealed class CgroupDirectory(string? root, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private Dictionary<ulong, string> _paths = [];
    private DateTimeOffset _lastScan = DateTimeOffset.MinValue;

    /// <summary>How long an unknown id waits before the hierarchy is walked again.</summary>
    public static TimeSpan RescanAfter { get; } = TimeSpan.FromSeconds(2);

    /// <summary>At most this many cgroups are noted (a bound on memory and on the walk).</summary>
    public const int MaxGroups = 100_000;

    /// <summary>For the machine this runs on: the unified hierarchy from <c>/proc/self/mountinfo</c>.</summary>
    public static CgroupDirectory ForThisMachine()
    {
        try
        {
            return new CgroupDirectory(Cgroups.UnifiedMount(File.ReadAllText("/proc/self/mountinfo")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CgroupDirectory(null);
        }
    }

    /// <summary>The cgroup path (from the hierarchy's root, <c>/</c> for the root) of an id, or null when unknown.</summary>
    public string? PathOf(ulong id)
    {
        if (root is null)
            return null;
        if (_paths.TryGetValue(id, out var path))
            return path;
        var now = _clock.GetUtcNow();
        if (now - _lastScan < RescanAfter)
            return null;
        _lastScan = now;
        _paths = Scan(root);
        return _paths.GetValueOrDefault(id);
    }

    private static Dictionary<ulong, string> Scan(string root)
    {
        var paths = new Dictionary<ulong, string>();
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0 && paths.Count < MaxGroups)
        {
            var dir = pending.Pop();
            if (Inode(dir) is { } ino)
            {
                var relative = Path.GetRelativePath(root, dir);
                paths[ino] = relative == "." ? "/" : "/" + relative.Replace(Path.DirectorySeparatorChar, '/');
            }
            try
            {
                foreach (var child in Directory.EnumerateDirectories(dir))
                    pending.Push(child);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A cgroup removed during the walk.
            }
        }
        return paths;
    }

    /// <summary>The inode number of a directory, through <c>statx(2)</c>, whose buffer has the same layout on every
    /// Linux architecture (the inode number at byte 32 of 256).</summary>
    private static unsafe ulong? Inode(string path)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        const int AtFdCwd = -100;
        const uint StatxIno = 0x100;
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, 0, StatxIno, buffer) != 0)
            return null;
        return *(ulong*)(buffer + 32);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern unsafe int statx(int dirfd, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string path,
        int flags, uint mask, byte* buffer);
}
