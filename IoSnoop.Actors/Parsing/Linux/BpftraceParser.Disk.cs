using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Parsing.Linux;

/// <summary>
/// The disk maps of <c>iosnoop.bt</c> (its "Disk bytes" section): disk bytes of the tracked calls per file
/// (<c>@D</c>), pages read into the page cache (<c>@M</c>) and folios dirtied (<c>@W</c>) outside them, and the
/// block layer's per-disk totals (<c>@K</c> bytes, <c>@Q</c> requests). They are closed with the file sums by the
/// same interval marker and reported as <see cref="IoLayer.Disk"/> events and <see cref="DeviceIo"/> totals.
/// Entries without a generation (<c>@M</c>, <c>@W</c>) take the path of the latest generation seen of their inode.
/// </summary>
public sealed partial class BpftraceParser
{
    public static class DiskReasons
    {
        public const string BadPageCacheLine = "page-cache line is not @Mn[pid, comm, dev, ino]: N";
        public const string BadDirtiedLine = "dirtied line is not @Wn[pid, comm, bdi, ino]: N";
        public const string BadDeviceLine = "device line is not @Kn[dev, dir, meta]: N";
    }

    /// <summary>Shown instead of a file for the disk bytes of a device's own cache: the filesystem's metadata
    /// (directories, inode tables, bitmaps) that a process made the kernel read or write.</summary>
    public static string MetadataPath(uint kernelDevice) => $"<filesystem metadata {MountTable.Format(kernelDevice)}>";

    // Map ids beside DataMap's: per set 0 and 1.
    private const int DiskSums0 = 100, PageCache0 = 102, Dirtied0 = 104, DeviceBytes0 = 106, DeviceRequests0 = 108;

    private readonly List<SumEntry>[] _diskSums = [new(), new()];
    private readonly List<CacheEntry>[] _pageCache = [new(), new(), new(), new()]; // @M0 @M1 @W0 @W1
    private readonly List<DeviceEntry>[] _deviceSums = [new(), new(), new(), new()]; // @K0 @K1 @Q0 @Q1
    private readonly Dictionary<(uint Device, ulong Inode), uint> _generations = new();

    /// <summary>Reads a line of a disk map (<paramref name="map"/> at least <see cref="DiskSums0"/>).</summary>
    private void ParseDiskMapLine(ReadOnlySpan<byte> line, ReadOnlySpan<byte> body, int map, int nameEnd, ITraceSink sink)
    {
        var reason = map switch
        {
            < PageCache0 => Reasons.BadSumLine,
            < Dirtied0 => DiskReasons.BadPageCacheLine,
            < DeviceBytes0 => DiskReasons.BadDirtiedLine,
            _ => DiskReasons.BadDeviceLine,
        };
        if (nameEnd < 0 || body[nameEnd] != (byte)'[')
        {
            sink.Malformed(line, reason);
            return;
        }
        if (map != _runningMap)
        {
            // A new print of this map replaces an earlier print that no marker closed.
            DiskList(map).Clear();
            _runningMap = map;
        }

        var rest = TrimCr(body[(nameEnd + 1)..]);
        var parsed = map switch
        {
            < PageCache0 => TryAdd(_diskSums[map - DiskSums0], TryParseSum(rest, sink.Names, out var sum), sum),
            < DeviceBytes0 => TryAdd(_pageCache[map - PageCache0], TryParseCacheEntry(rest, map >= Dirtied0, sink.Names, out var cache), cache),
            _ => TryAdd(_deviceSums[map - DeviceBytes0], TryParseDeviceEntry(rest, out var device), device),
        };
        if (!parsed)
            sink.Malformed(line, reason);
    }

    private static bool TryAdd<T>(List<T> list, bool parsed, T entry)
    {
        if (parsed)
            list.Add(entry);
        return parsed;
    }

    private System.Collections.IList DiskList(int map) => map switch
    {
        < PageCache0 => _diskSums[map - DiskSums0],
        < DeviceBytes0 => _pageCache[map - PageCache0],
        _ => _deviceSums[map - DeviceBytes0],
    };

    /// <summary>
    /// <c>pid, comm, dev, ino]: N</c> (page cache) or <c>pid, comm, bdi, ino]: N</c> (dirtied, bdi being
    /// <c>major:minor</c> or another name). comm may hold anything: pid from the front, the rest from the back.
    /// </summary>
    internal static bool TryParseCacheEntry(ReadOnlySpan<byte> text, bool dirtied, Interning.NameTable names, out CacheEntry entry)
    {
        entry = default;
        var close = text.LastIndexOf("]: "u8);
        if (close < 0 || !TryParseCount(text[(close + 3)..], out var value))
            return false;
        var key = text[..close];
        var first = key.IndexOf(", "u8);
        if (first < 0 || !TryParseNumber(key[..first], out var pid) || pid > int.MaxValue)
            return false;
        var middle = key[(first + 2)..];
        var separator = middle.LastIndexOf(", "u8);
        if (separator < 0 || !TryParseNumber(middle[(separator + 2)..], out var inode))
            return false;
        middle = middle[..separator];
        separator = middle.LastIndexOf(", "u8);
        if (separator < 0)
            return false;
        var deviceText = middle[(separator + 2)..];
        uint device;
        if (dirtied)
        {
            // The backing device's name: "254:0" for a disk; other names (btrfs, nfs) stay unknown (0).
            device = 0;
            var colon = deviceText.IndexOf((byte)':');
            if (colon > 0 && TryParseNumber(deviceText[..colon], out var major) && TryParseNumber(deviceText[(colon + 1)..], out var minor)
                && major < 4096 && minor < (1 << 20))
                device = MountTable.KernelDevice((uint)major, (uint)minor);
        }
        else if (!TryParseNumber(deviceText, out var number) || number > uint.MaxValue)
            return false;
        else
            device = (uint)number;
        entry = new CacheEntry((int)pid, names.Get(middle[..separator]), device, inode, dirtied ? IoDirection.Write : IoDirection.Read, value);
        return true;
    }

    /// <summary><c>dev, dir, meta]: N</c>.</summary>
    internal static bool TryParseDeviceEntry(ReadOnlySpan<byte> text, out DeviceEntry entry)
    {
        entry = default;
        var close = text.IndexOf("]: "u8);
        if (close < 0 || !TryParseCount(text[(close + 3)..], out var value))
            return false;
        var key = text[..close];
        Span<ulong> numbers = stackalloc ulong[3];
        for (var i = 0; i < 3; i++)
        {
            var separator = i < 2 ? key.IndexOf(", "u8) : key.Length;
            if (separator < 0 || !TryParseNumber(key[..separator], out numbers[i]))
                return false;
            key = i < 2 ? key[(separator + 2)..] : default;
        }
        if (numbers[0] > uint.MaxValue || numbers[1] > 1 || numbers[2] > 1)
            return false;
        entry = new DeviceEntry((uint)numbers[0], numbers[1] == 0 ? IoDirection.Read : IoDirection.Write, numbers[2] == 1, value);
        return true;
    }

    /// <summary>Remembers the generation of an inode whose path was just learnt: the latest one is the file
    /// that page-cache entries without a generation belong to.</summary>
    private void NoteGeneration(FileKey file)
    {
        if (_generations.Count >= _paths.Capacity && !_generations.ContainsKey((file.Device, file.Inode)))
            _generations.Clear();
        _generations[(file.Device, file.Inode)] = file.Generation;
    }

    /// <summary>The disk bytes of the interval being closed per pid, name, path and direction (after the new paths were
    /// joined): the calls' own (<c>@D</c>) and the page cache's (<c>@M</c>, <c>@W</c>).</summary>
    private DiskSums SumDisk(ITraceSink sink)
    {
        var sums = new DiskSums();
        foreach (var list in _diskSums)
        {
            foreach (var entry in list)
            {
                if (entry.Value <= 0 || IsPseudoFileSystem(entry.Key.File.Device))
                    continue;
                var path = _paths.TryGet(entry.Key.File, out var known) ? known : sink.Names.Get(entry.Key.File.UnknownPath().AsSpan());
                Sum(sums, (entry.Key.Pid, entry.Key.Process, path, entry.Key.Direction), entry.Value);
            }
        }
        foreach (var list in _pageCache)
        {
            foreach (var entry in list)
            {
                if (entry.Value <= 0 || PageCachePath(entry, sink) is not { } path)
                    continue;
                Sum(sums, (entry.Pid, entry.Process, path, entry.Direction), entry.Value);
            }
        }
        return sums;
    }

    /// <summary>Emits the disk figures of the interval being closed (<paramref name="sums"/>: its disk bytes as
    /// <see cref="SumDisk"/> gave them; null: summed now) and the devices' totals; the interval's disk maps are cleared.</summary>
    private void CloseDisk(ITraceSink sink, DiskSums? sums)
    {
        try
        {
            foreach (var ((pid, process, path, direction), bytes) in sums ?? SumDisk(sink))
                sink.Event(new IoEvent(process, pid, path, direction, bytes, 0, IoLayer.Disk));

            var devices = new Dictionary<uint, DeviceIo>();
            for (var map = 0; map < _deviceSums.Length; map++)
            {
                var requests = map >= 2;
                foreach (var entry in _deviceSums[map])
                {
                    devices.TryGetValue(entry.Device, out var device);
                    var read = entry.Direction == IoDirection.Read;
                    var add = new DeviceIo(MountTable.Format(entry.Device),
                        !requests && read ? entry.Value : 0,
                        !requests && !read ? entry.Value : 0,
                        requests && read ? entry.Value : 0,
                        requests && !read ? entry.Value : 0,
                        !requests && read && entry.Metadata ? entry.Value : 0,
                        !requests && !read && entry.Metadata ? entry.Value : 0);
                    devices[entry.Device] = device.Device is null ? add : device.Plus(add);
                }
            }
            foreach (var device in devices.Values)
                sink.Device(device);
        }
        finally
        {
            foreach (var list in _diskSums)
                list.Clear();
            foreach (var list in _pageCache)
                list.Clear();
            foreach (var list in _deviceSums)
                list.Clear();
        }
    }

    private static void Sum<TKey>(Dictionary<TKey, long> sums, TKey key, long value) where TKey : notnull
    {
        sums.TryGetValue(key, out var sum);
        sums[key] = Figures.Add(sum, value);
    }

    /// <summary>The path a page-cache entry is charged to, or null when it is dropped (a pseudo filesystem).</summary>
    private string? PageCachePath(in CacheEntry entry, ITraceSink sink)
    {
        // A block device's own cache: its inode number is the device's number (filesystem metadata).
        if (entry.Direction == IoDirection.Write ? entry.Inode == entry.Device && entry.Device != 0
                : entry.Inode is > 0 and <= uint.MaxValue && !IsMounted(entry.Device) && IsMounted((uint)entry.Inode))
            return sink.Names.Get(MetadataPath((uint)entry.Inode).AsSpan());
        if (entry.Device != 0 && IsPseudoFileSystem(entry.Device))
            return null;
        if (entry.Device != 0 && _generations.TryGetValue((entry.Device, entry.Inode), out var generation)
            && _paths.TryGet(new FileKey(entry.Device, entry.Inode, generation), out var path))
            return path;
        return sink.Names.Get((entry.Device == 0
            ? $"(unknown path: inode {entry.Inode})"
            : $"(unknown path: device {MountTable.Format(entry.Device)} inode {entry.Inode})").AsSpan());
    }

    private bool IsMounted(uint device)
    {
        if (_mounts is null)
        {
            _mounts = _loadMounts();
            _mountsLoadedThisInterval = true;
        }
        return _mounts.TryGetType(device, out _);
    }

    /// <summary>Disk bytes of an interval by pid, name, path and direction.</summary>
    private sealed class DiskSums : Dictionary<(int Pid, string Process, string Path, IoDirection Direction), long>;

    internal readonly record struct CacheEntry(int Pid, string Process, uint Device, ulong Inode, IoDirection Direction, long Value);

    internal readonly record struct DeviceEntry(uint Device, IoDirection Direction, bool Metadata, long Value);
}
