namespace IoSnoop.Actors.Parsing.Linux;

/// <summary>
/// Which filesystem type each device holds, read from <c>/proc/self/mountinfo</c>, so that files of
/// pseudo filesystems (procfs, sysfs, tracefs, cgroup, ...) can be told apart from real ones. Devices
/// are keyed the way the kernel keys them in <c>super_block.s_dev</c>: <c>major &lt;&lt; 20 | minor</c>
/// (stat's <c>st_dev</c> encodes them differently).
/// </summary>
public sealed class MountTable
{
    /// <summary>Filesystems whose "regular files" are kernel interfaces, not stored data.</summary>
    public static IReadOnlySet<string> PseudoFileSystems { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "proc", "sysfs", "tracefs", "debugfs", "cgroup", "cgroup2", "securityfs", "bpf", "configfs",
        "pstore", "efivarfs", "selinuxfs", "smackfs", "fusectl", "binfmt_misc", "mqueue", "nsfs",
        "autofs", "rpc_pipefs", "nfsd", "devpts",
    };

    private readonly Dictionary<uint, string> _types;

    private MountTable(Dictionary<uint, string> types) => _types = types;

    public static MountTable Empty { get; } = new(new Dictionary<uint, string>());

    public int Count => _types.Count;

    /// <summary>The kernel's device number for <paramref name="major"/>:<paramref name="minor"/>.</summary>
    public static uint KernelDevice(uint major, uint minor) => (major << 20) | (minor & 0xFFFFF);

    /// <summary>Formats a kernel device number as <c>major:minor</c>.</summary>
    public static string Format(uint kernelDevice) => $"{kernelDevice >> 20}:{kernelDevice & 0xFFFFF}";

    /// <summary>Reads the mount table of this process; empty when it cannot be read.</summary>
    public static MountTable Load(string path = "/proc/self/mountinfo")
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Empty;
        }
    }

    /// <summary>
    /// Parses mountinfo text: <c>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw</c>,
    /// where the filesystem type follows the <c>-</c> separator. Lines it cannot read are skipped.
    /// </summary>
    public static MountTable Parse(string mountinfo)
    {
        var types = new Dictionary<uint, string>();
        Span<Range> fields = stackalloc Range[32];
        foreach (var line in mountinfo.AsSpan().EnumerateLines())
        {
            var count = line.Split(fields, ' ', StringSplitOptions.RemoveEmptyEntries);
            if (count < 5)
                continue;
            var device = line[fields[2]];
            var colon = device.IndexOf(':');
            if (colon < 0
                || !uint.TryParse(device[..colon], out var major)
                || !uint.TryParse(device[(colon + 1)..], out var minor))
                continue;
            for (var i = 5; i + 1 < count; i++)
            {
                if (line[fields[i]] is not "-")
                    continue;
                // The first mount of a device names its type; later ones (bind mounts) repeat it.
                types.TryAdd(KernelDevice(major, minor), line[fields[i + 1]].ToString());
                break;
            }
        }
        return new MountTable(types);
    }

    /// <summary>The filesystem type mounted from <paramref name="kernelDevice"/>, if it is mounted here.</summary>
    public bool TryGetType(uint kernelDevice, out string type) => _types.TryGetValue(kernelDevice, out type!);

    /// <summary>True when the device is mounted here with a pseudo filesystem type.</summary>
    public bool IsPseudo(uint kernelDevice) =>
        _types.TryGetValue(kernelDevice, out var type) && PseudoFileSystems.Contains(type);
}
