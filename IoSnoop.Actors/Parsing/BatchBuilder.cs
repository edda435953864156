using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Collects what a parser reports into an <see cref="IngestBatch"/>, summing events per process and file
/// on the spot so that the actors receive one entry per file touched, not one per event.
/// </summary>
/// <remarks>
/// Process names come from the <see cref="NameTable"/>, which hands out one string object per text, so
/// the batch's map of processes compares by reference (no hashing of the text). Should the table have
/// started afresh within a batch, a name may appear twice as two objects: the processes actor sums by text,
/// so totals stay right. Paths are interned in the <see cref="PathPool"/> straight from the tracer's bytes;
/// the batch holds one reference per (process, path) entry.
/// <para>
/// The batch's entries are kept in flat arrays for the whole batch (not a map per process): with thousands
/// of processes each one's maps were cold in the cache at every event, while one table of a batch's
/// 8,192 entries stays in it. <see cref="Build"/> then sorts the entries by process, in the order they came.
/// </para>
/// </remarks>
public sealed class BatchBuilder(NameTable names, PathPool pool, MalformedLineLog? malformedLog = null, FileFollowing? following = null) : ITraceSink
{
    private readonly FileFollowing? _following = following;

    /// <summary>One process's part of the batch being built.</summary>
    private struct ProcessSums
    {
        public string Name;
        public long Reads;
        public long Writes;
        public long Events;
        public long DiskReads;
        public long DiskWrites;
        public int Entries;
        public int DiskEntries;
    }

    /// <summary>One (process, path) entry: the process's place in the batch, the path's id, the sums.</summary>
    private struct Entry
    {
        public int Process;
        public int Path;
        public FileDelta Delta;
        public DiskBytes Disk;
    }

    private static readonly IEqualityComparer<string> SameObject = ReferenceEqualityComparer.Instance;
    private readonly PathPool _pool = pool;
    private readonly Dictionary<string, int> _processIndex = new(SameObject);
    private ProcessSums[] _processes = new ProcessSums[64];
    private int _processCount;
    private string? _lastName;
    private int _lastProcess;
    private Entry[] _entryList = new Entry[1024];
    // Open addressing over the entries: 0 is an empty slot, else the entry's place plus one.
    private int[] _slots = new int[2048];
    private int _entries;
    private long _events;
    private long _malformed;
    private long _dropped;
    private bool _ready;
    private List<InstanceEvent>? _instances;

    public NameTable Names { get; } = names;

    /// <summary>An event whose path waits to be interned with the others of its group.</summary>
    private readonly record struct Waiting(string Process, IoDirection Direction, long Bytes, long Events);

    /// <summary>Events given with their path's bytes wait in groups of this many, whose paths the pool looks up
    /// together (<see cref="PathPool.Intern(ReadOnlySpan{byte}, ReadOnlySpan{int}, Span{int})"/>).</summary>
    public const int Group = 32;

    private readonly Waiting[] _waiting = new Waiting[Group];
    private readonly int[] _waitingEnds = new int[Group];
    private readonly int[] _waitingIds = new int[Group];
    private readonly byte[] _waitingBytes = new byte[16 * 1024];
    private int _waitingCount;

    /// <summary>Distinct (process, file) entries in the batch so far.</summary>
    public int Entries
    {
        get
        {
            AddWaiting();
            return _entries;
        }
    }

    public long Events
    {
        get
        {
            AddWaiting();
            return _events;
        }
    }

    public bool IsEmpty => _waitingCount == 0 && _events == 0 && _entries == 0 && _devices.Count == 0 && _malformed == 0 && _dropped == 0 && !_ready && _instances is null;

    public void Event(in IoEvent ioEvent)
    {
        if (!InRange(ioEvent.Process, ioEvent.Bytes, ioEvent.Events))
            return;
        AddWaiting();
        Add(ioEvent.Process, _pool.Intern(ioEvent.Path), ioEvent.Direction, ioEvent.Bytes, ioEvent.Events, ioEvent.Layer);
        if (ioEvent.Pid > 0 && _following is { Active: true })
            Instance(new InstanceFileIo(ioEvent.Pid, ioEvent.Process, ioEvent.Path, ioEvent.Direction, ioEvent.Layer, ioEvent.Bytes));
    }

    private readonly Dictionary<string, DeviceIo> _devices = new(StringComparer.Ordinal);

    public void Device(in DeviceIo device)
    {
        if (device.ReadBytes is < 0 or > Figures.MaxEventBytes || device.WriteBytes is < 0 or > Figures.MaxEventBytes
            || device.ReadRequests < 0 || device.WriteRequests < 0 || device.MetadataReadBytes < 0 || device.MetadataWriteBytes < 0)
        {
            Malformed(System.Text.Encoding.UTF8.GetBytes($"device {device.Device}: {device.ReadBytes} read, {device.WriteBytes} written"), OutOfRange);
            return;
        }
        _devices[device.Device] = _devices.TryGetValue(device.Device, out var known) ? known.Plus(device) : device;
    }

    /// <summary>Takes the path's bytes into the group being gathered; the group is added once full (or when the
    /// batch is looked at), in the order the events came.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Event(string process, int pid, ReadOnlySpan<byte> path, IoDirection direction, long bytes, long operations = 1)
    {
        if (!InRange(process, bytes, operations))
            return;
        if (pid > 0 && _following is { Active: true })
            Instance(new InstanceFileIo(pid, process, Names.Get(path), direction, IoLayer.File, bytes));
        var used = _waitingCount == 0 ? 0 : _waitingEnds[_waitingCount - 1];
        if (used + path.Length > _waitingBytes.Length)
        {
            AddWaiting();
            if (path.Length > _waitingBytes.Length)
            {
                Add(process, _pool.Intern(path), direction, bytes, operations);
                return;
            }
            used = 0;
        }
        path.CopyTo(_waitingBytes.AsSpan(used));
        _waitingEnds[_waitingCount] = used + path.Length;
        _waiting[_waitingCount++] = new Waiting(process, direction, bytes, operations);
        if (_waitingCount == Group)
            AddWaiting();
    }

    /// <summary>Interns the waiting events' paths together and adds the events.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddWaiting()
    {
        var count = _waitingCount;
        if (count == 0)
            return;
        _waitingCount = 0;
        var ids = _waitingIds.AsSpan(0, count);
        _pool.Intern(_waitingBytes, _waitingEnds.AsSpan(0, count), ids);
        for (var i = 0; i < count; i++)
        {
            ref readonly var e = ref _waiting[i];
            Add(e.Process, ids[i], e.Direction, e.Bytes, e.Events);
        }
    }

    /// <summary>Adds one event; <paramref name="path"/> comes with a reference, which the batch keeps for a new entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Add(string name, int path, IoDirection direction, long bytes, long operations, IoLayer layer = IoLayer.File)
    {
        // Consecutive events of one process are common (a build step, a copy): skip the lookup then.
        int process;
        if (ReferenceEquals(name, _lastName))
            process = _lastProcess;
        else
        {
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_processIndex, name, out var existed);
            if (!existed)
            {
                if (_processCount == _processes.Length)
                    Array.Resize(ref _processes, _processes.Length * 2);
                known = _processCount++;
                _processes[known].Name = name;
            }
            process = known;
            _lastName = name;
            _lastProcess = process;
        }

        var mask = _slots.Length - 1;
        var slot = Mix(process, path) & mask;
        int at;
        while (true)
        {
            var taken = _slots[slot];
            if (taken == 0)
            {
                at = _entries++;
                if (at == _entryList.Length)
                    Array.Resize(ref _entryList, _entryList.Length * 2);
                _entryList[at] = new Entry { Process = process, Path = path };
                _slots[slot] = at + 1;
                _processes[process].Entries++;
                if (_entries * 2 > _slots.Length)
                    GrowSlots();
                break;
            }
            ref readonly var entry = ref _entryList[taken - 1];
            if (entry.Path == path && entry.Process == process)
            {
                at = taken - 1;
                _pool.Release(path);
                break;
            }
            slot = (slot + 1) & mask;
        }

        ref var target = ref _entryList[at];
        ref var delta = ref target.Delta;
        ref var sums = ref _processes[process];
        if (layer == IoLayer.Disk)
        {
            AddDisk(ref target, ref sums, direction, bytes);
            return;
        }
        if (direction == IoDirection.Read)
        {
            delta.Reads = Figures.Add(delta.Reads, bytes);
            sums.Reads = Figures.Add(sums.Reads, bytes);
        }
        else
        {
            delta.Writes = Figures.Add(delta.Writes, bytes);
            sums.Writes = Figures.Add(sums.Writes, bytes);
        }
        delta.Events = Figures.Add(delta.Events, operations);
        sums.Events = Figures.Add(sums.Events, operations);
        _events = Figures.Add(_events, operations);
    }

    private static void AddDisk(ref Entry entry, ref ProcessSums sums, IoDirection direction, long bytes)
    {
        if (bytes == 0)
            return;
        if (entry.Disk.IsZero)
            sums.DiskEntries++;
        if (direction == IoDirection.Read)
        {
            entry.Disk = entry.Disk.Plus(new DiskBytes(bytes, 0));
            sums.DiskReads = Figures.Add(sums.DiskReads, bytes);
        }
        else
        {
            entry.Disk = entry.Disk.Plus(new DiskBytes(0, bytes));
            sums.DiskWrites = Figures.Add(sums.DiskWrites, bytes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Mix(int process, int path) => (int)(((uint)path * 0x9E3779B1u) ^ ((uint)process * 0x85EBCA77u)) & int.MaxValue;

    private void GrowSlots()
    {
        _slots = new int[_slots.Length * 2];
        var mask = _slots.Length - 1;
        for (var i = 0; i < _entries; i++)
        {
            var slot = Mix(_entryList[i].Process, _entryList[i].Path) & mask;
            while (_slots[slot] != 0)
                slot = (slot + 1) & mask;
            _slots[slot] = i + 1;
        }
    }

    /// <summary>Byte and event counts no real I/O produces (negative, or above <see cref="Figures.MaxEventBytes"/>) are
    /// a malformed event here, at the edge, so no figure downstream turns negative.</summary>
    private bool InRange(string process, long bytes, long operations)
    {
        if (bytes is >= 0 and <= Figures.MaxEventBytes && operations is >= 0 and <= Figures.MaxEventBytes)
            return true;
        Malformed(System.Text.Encoding.UTF8.GetBytes($"{process}: {bytes} bytes in {operations} events"), OutOfRange);
        return false;
    }

    public const string OutOfRange = "byte or event count out of range";

    public void Malformed(ReadOnlySpan<byte> line, string reason)
    {
        _malformed++;
        malformedLog?.Report(line, reason);
    }

    public void Dropped(long count) => _dropped = Figures.Add(_dropped, Math.Max(0, count));

    public void Ready()
    {
        _ready = true;
        ReadySeen = true;
    }

    public void Instance(InstanceEvent instanceEvent) => (_instances ??= new List<InstanceEvent>()).Add(instanceEvent);

    /// <summary>True once the parser has reported readiness (stays true across batches).</summary>
    public bool ReadySeen { get; private set; }

    /// <summary>Hands out what was collected and starts a new batch.</summary>
    public IngestBatch Build()
    {
        AddWaiting();
        var processes = new ProcessDelta[_processCount];
        // Each process gets an array of its own entries, in the order they came: small arrays that the
        // young generation takes back, where one array for the whole batch would be a large object.
        var arrays = new KeyValuePair<int, FileDelta>[_processCount][];
        var disks = new KeyValuePair<int, DiskBytes>[_processCount][];
        Span<int> next = _processCount <= 1024 ? stackalloc int[_processCount] : new int[_processCount];
        Span<int> nextDisk = _processCount <= 1024 ? stackalloc int[_processCount] : new int[_processCount];
        for (var i = 0; i < _processCount; i++)
        {
            arrays[i] = new KeyValuePair<int, FileDelta>[_processes[i].Entries];
            disks[i] = _processes[i].DiskEntries == 0 ? [] : new KeyValuePair<int, DiskBytes>[_processes[i].DiskEntries];
        }
        for (var i = 0; i < _entries; i++)
        {
            ref readonly var entry = ref _entryList[i];
            arrays[entry.Process][next[entry.Process]++] = new KeyValuePair<int, FileDelta>(entry.Path, entry.Delta);
            if (!entry.Disk.IsZero)
                disks[entry.Process][nextDisk[entry.Process]++] = new(entry.Path, entry.Disk);
        }
        for (var i = 0; i < _processCount; i++)
        {
            ref var sums = ref _processes[i];
            processes[i] = new ProcessDelta(sums.Name, arrays[i])
            {
                Disk = disks[i],
                Reads = sums.Reads,
                Writes = sums.Writes,
                Events = sums.Events,
                DiskReads = sums.DiskReads,
                DiskWrites = sums.DiskWrites,
            };
            sums = default;
        }
        var batch = new IngestBatch(processes, _events, _malformed, _dropped, _ready, _instances)
        {
            Devices = _devices.Count == 0 ? [] : [.. _devices.Values],
        };
        _devices.Clear();
        _instances = null;
        Array.Clear(_slots);
        _processIndex.Clear();
        _processCount = 0;
        _lastName = null;
        _entries = 0;
        _events = 0;
        _malformed = 0;
        _dropped = 0;
        _ready = false;
        return batch;
    }
}
