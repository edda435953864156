using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace IoSnoop.Actors.Tracing.Linux;

/// <summary>What the bpftrace source needs to know about the machine before it starts.</summary>
/// <param name="IsRoot">The daemon runs with effective uid 0.</param>
/// <param name="BpftracePath">Where bpftrace was found; null when it was not.</param>
/// <param name="BpftraceVersion">What <c>bpftrace --version</c> printed; null when it could not run.</param>
/// <param name="HasKernelBtf"><c>/sys/kernel/btf/vmlinux</c> exists.</param>
/// <param name="TracefsMounted">tracefs is mounted where bpftrace looks for it (possibly just now).</param>
/// <param name="TracefsMountError">Why mounting tracefs failed, when it was tried.</param>
/// <param name="MountLayout">What <c>bpftrace -lv 'struct mount'</c> printed; null when it could not run.</param>
public sealed record BpftraceMachine(
    bool IsRoot,
    string? BpftracePath,
    string? BpftraceVersion,
    bool HasKernelBtf,
    bool TracefsMounted,
    string? TracefsMountError = null,
    string? MountLayout = null);

/// <summary>Checks that bpftrace can run here, and mounts tracefs when it is missing.</summary>
public static partial class BpftracePreflight
{
    public static Version MinimumVersion { get; } = new(0, 17);

    public const string BtfPath = "/sys/kernel/btf/vmlinux";

    /// <summary>The places bpftrace looks for tracefs, in its order.</summary>
    public static IReadOnlyList<string> TracefsPaths { get; } = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    /// <summary>One sentence per problem, each saying what to do; empty when bpftrace can start.</summary>
    public static IReadOnlyList<string> Problems(BpftraceMachine machine)
    {
        var problems = new List<string>();
        if (!machine.IsRoot)
            problems.Add("Tracing with bpftrace needs root: run iosnoopng as root (sudo, or the systemd service).");

        if (machine.BpftracePath is null)
            problems.Add("bpftrace is not installed: run apt-get install bpftrace (version 0.17 or newer).");
        else if (ParseVersion(machine.BpftraceVersion) is not { } version)
            problems.Add($"{machine.BpftracePath} --version did not print a bpftrace version: reinstall it with apt-get install bpftrace.");
        else if (version < MinimumVersion)
            problems.Add($"bpftrace {version} is too old: version {MinimumVersion} or newer is needed (apt-get install bpftrace on Debian 12 or Ubuntu 24.04 or later).");

        if (!machine.HasKernelBtf)
            problems.Add($"The kernel has no BTF type information ({BtfPath} is missing): boot a kernel built with CONFIG_DEBUG_INFO_BTF=y, as Debian's and Ubuntu's are.");

        if (machine.MountLayout is { } layout && !IsExpectedMountLayout(layout))
            problems.Add("This kernel's struct mount does not begin with mnt_hash, mnt_parent, mnt_mountpoint, mnt, which the program relies on to follow paths across mounts: this kernel is not supported yet.");

        if (!machine.TracefsMounted)
            problems.Add(machine.TracefsMountError is { } error
                ? $"tracefs is not mounted and mounting it failed ({error}): run mount -t tracefs nodev /sys/kernel/tracing as root."
                : "tracefs is not mounted: run mount -t tracefs nodev /sys/kernel/tracing as root.");
        return problems;
    }

    /// <summary>
    /// The program finds a mount's <c>struct mount</c> 32 bytes before the <c>struct vfsmount</c> that
    /// a file points to, which holds while <c>struct mount</c> begins with these members.
    /// </summary>
    public static IReadOnlyList<string> ExpectedMountLayout { get; } =
        ["struct hlist_node mnt_hash;", "struct mount *mnt_parent;", "struct dentry *mnt_mountpoint;", "struct vfsmount mnt;"];

    /// <summary>Whether <c>bpftrace -lv 'struct mount'</c> output begins with <see cref="ExpectedMountLayout"/>.</summary>
    public static bool IsExpectedMountLayout(string listing)
    {
        var members = listing.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .SkipWhile(line => !line.StartsWith("struct mount {", StringComparison.Ordinal))
            .Skip(1)
            .Take(ExpectedMountLayout.Count);
        return members.SequenceEqual(ExpectedMountLayout);
    }

    /// <summary>The version in <c>bpftrace --version</c> output such as <c>bpftrace v0.17.0</c>.</summary>
    public static Version? ParseVersion(string? output)
    {
        if (output is null)
            return null;
        var match = VersionPattern().Match(output);
        if (!match.Success)
            return null;
        var major = int.Parse(match.Groups[1].ValueSpan);
        var minor = int.Parse(match.Groups[2].ValueSpan);
        return match.Groups[3].Success ? new Version(major, minor, int.Parse(match.Groups[3].ValueSpan)) : new Version(major, minor);
    }

    [GeneratedRegex(@"bpftrace v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?")]
    private static partial Regex VersionPattern();

    /// <summary>Looks at this machine. As root, mounts tracefs when bpftrace would not find it.</summary>
    public static BpftraceMachine Inspect(BpftraceOptions options)
    {
        var isRoot = Environment.IsPrivilegedProcess;
        var bpftrace = FindExecutable(options.Bpftrace);
        var version = bpftrace is null ? null : RunForOutput(bpftrace, ["--version"], TimeSpan.FromSeconds(10));
        var hasBtf = File.Exists(BtfPath);
        var tracefs = IsTracefsMounted();
        string? mountError = null;
        if (!tracefs && isRoot)
            (tracefs, mountError) = TryMountTracefs();
        var layout = bpftrace is null || !isRoot || !hasBtf ? null : RunForOutput(bpftrace, ["-lv", "struct mount"], TimeSpan.FromSeconds(20));
        return new BpftraceMachine(isRoot, bpftrace, version, hasBtf, tracefs, mountError, layout);
    }

    public static bool IsTracefsMounted() => TracefsPaths.Any(path => Directory.Exists(Path.Combine(path, "events")));

    /// <summary>Mounts tracefs at /sys/kernel/tracing, or debugfs at /sys/kernel/debug (which brings tracefs along).</summary>
    private static (bool Mounted, string? Error) TryMountTracefs()
    {
        string? error = null;
        if (Directory.Exists(TracefsPaths[0]))
        {
            if (Mount("nodev", TracefsPaths[0], "tracefs", out error) && IsTracefsMounted())
                return (true, null);
        }
        if (Directory.Exists("/sys/kernel/debug"))
        {
            if (Mount("nodev", "/sys/kernel/debug", "debugfs", out var debugError) && IsTracefsMounted())
                return (true, null);
            error ??= debugError;
        }
        return (false, error ?? "neither /sys/kernel/tracing nor /sys/kernel/debug exists");
    }

    private static bool Mount(string source, string target, string type, out string? error)
    {
        if (NativeMount(source, target, type, 0, IntPtr.Zero) == 0)
        {
            error = null;
            return true;
        }
        error = $"mount {type} on {target}: {Marshal.GetLastPInvokeErrorMessage()}";
        return false;
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeMount(string source, string target, string fileSystemType, nuint flags, IntPtr data);

    /// <summary>A path as it is when it contains a slash, otherwise the first match on <c>PATH</c>.</summary>
    public static string? FindExecutable(string name)
    {
        if (name.Contains('/'))
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private static string? RunForOutput(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
                return null;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill();
                return null;
            }
            return process.ExitCode == 0 ? stdout.Result + stderr.Result : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
