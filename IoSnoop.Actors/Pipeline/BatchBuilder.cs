using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;

namespace IoSnoop.Actors.Pipeline;

/// <summary>
/// Collects what a parser reports into an <see cref="IngestBatch"/>, summing events per process and file
/// on the spot so that the actors receive one entry per file touched, not one per event.
/// </summary>
/// <remarks>
/// Process names come from the <see cref="NameTable"/>, which hands out one string object per text, so
/// the batch's map of processes compares by reference (no hashing of the text). Should the table have
/// started afresh within a batch, a name may appear twice as two objects: the stats actor sums by text,
/// so totals stay right. Paths are interned in the <see cref="PathPool"/> straight from the tracer's bytes;
/// the batch holds one reference per (process, path) entry.
/// </remarks>
public sealed class BatchBuilder(NameTable names, MalformedLineLog? malformedLog = null, PathPool? pool = null,
    BatchEntries? entries = null) : ITraceSink
{
    /// <summary>One process's sums within the batch being built; kept across batches while the process is busy,
    /// so its maps keep their size instead of growing again for every batch.</summary>
    /// <remarks>With thousands of processes a process misses many batches while still busy (each batch holds
    /// a few events of each), so a process's maps are given back only after <see cref="KeepIdleBatches"/>
    /// batches without it.</remarks>
    private sealed class Scratch(string process)
    {
        public readonly string Process = process;
        public readonly Dictionary<int, int> Index = [];
        public readonly List<KeyValuePair<int, FileDelta>> Files = [];
        public long ReadBytes;
        public long WrittenBytes;
        public long Operations;
        /// <summary>The number of the last batch the process was in.</summary>
        public long LastBatch;
    }

    /// <summary>Batches a process may miss before its maps are given back.</summary>
    public const int KeepIdleBatches = 16;

    private static readonly IEqualityComparer<string> SameObject = ReferenceEqualityComparer.Instance;
    private readonly PathPool _pool = pool ?? PathPool.Shared;
    private readonly BatchEntries _entryArrays = entries ?? BatchEntries.Shared;
    private readonly Dictionary<string, Scratch> _processes = new(SameObject);
    private readonly List<Scratch> _used = [];
    private Scratch? _last;
    private long _batchNumber;
    private int _entries;
    private long _events;
    private long _malformed;
    private long _dropped;
    private bool _ready;

    public NameTable Names { get; } = names;

    /// <summary>An event whose path waits to be interned with the others of its group.</summary>
    private readonly record struct Waiting(string Process, IoDirection Direction, long Bytes, long Operations);

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

    public bool IsEmpty => _waitingCount == 0 && _events == 0 && _malformed == 0 && _dropped == 0 && !_ready;

    public void Event(in IoEvent ioEvent)
    {
        AddWaiting();
        Add(ioEvent.Process, _pool.Intern(ioEvent.Path), ioEvent.Direction, ioEvent.Bytes, ioEvent.Operations);
    }

    /// <summary>Takes the path's bytes into the group being gathered; the group is added once full (or when the
    /// batch is looked at), in the order the events came.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Event(string process, int pid, ReadOnlySpan<byte> path, IoDirection direction, long bytes, long operations = 1)
    {
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
            Add(e.Process, ids[i], e.Direction, e.Bytes, e.Operations);
        }
    }

    /// <summary>Adds one event; <paramref name="path"/> comes with a reference, which the batch keeps for a new entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Add(string name, int path, IoDirection direction, long bytes, long operations)
    {
        // Consecutive events of one process are common (a build step, a copy): skip the lookup then.
        var process = _last;
        if (process is null || !ReferenceEquals(process.Process, name))
        {
            if (!_processes.TryGetValue(name, out process))
            {
                process = new Scratch(name);
                _processes[name] = process;
            }
            _last = process;
        }
        if (process.Operations == 0 && process.Files.Count == 0)
            _used.Add(process);

        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(process.Index, path, out var existed);
        if (existed)
            _pool.Release(path);
        else
        {
            index = process.Files.Count;
            process.Files.Add(new KeyValuePair<int, FileDelta>(path, default));
            _entries++;
        }
        ref var file = ref CollectionsMarshal.AsSpan(process.Files)[index];
        var delta = file.Value;
        if (direction == IoDirection.Read)
        {
            delta.ReadBytes += bytes;
            process.ReadBytes += bytes;
        }
        else
        {
            delta.WrittenBytes += bytes;
            process.WrittenBytes += bytes;
        }
        delta.Operations += operations;
        process.Operations += operations;
        file = new KeyValuePair<int, FileDelta>(file.Key, delta);
        _events += operations;
    }

    public void Malformed(ReadOnlySpan<byte> line, string reason)
    {
        _malformed++;
        malformedLog?.Report(line, reason);
    }

    public void Dropped(long count) => _dropped += count;

    public void Ready()
    {
        _ready = true;
        ReadySeen = true;
    }

    /// <summary>True once the parser has reported readiness (stays true across batches).</summary>
    public bool ReadySeen { get; private set; }

    /// <summary>Hands out what was collected and starts a new batch.</summary>
    public IngestBatch Build()
    {
        AddWaiting();
        var processes = new ProcessDelta[_used.Count];
        var entries = _used.Count == 0 ? [] : _entryArrays.Rent(_entries);
        var offset = 0;
        for (var i = 0; i < _used.Count; i++)
        {
            var scratch = _used[i];
            scratch.LastBatch = _batchNumber;
            var files = CollectionsMarshal.AsSpan(scratch.Files);
            files.CopyTo(entries.AsSpan(offset));
            processes[i] = new ProcessDelta(scratch.Process, new ArraySegment<KeyValuePair<int, FileDelta>>(entries, offset, files.Length))
            {
                ReadBytes = scratch.ReadBytes,
                WrittenBytes = scratch.WrittenBytes,
                Operations = scratch.Operations,
            };
            offset += files.Length;
            scratch.Files.Clear();
            scratch.Index.Clear();
            scratch.ReadBytes = scratch.WrittenBytes = scratch.Operations = 0;
        }
        if (_processes.Count > _used.Count)
            foreach (var (name, scratch) in _processes)
                if (_batchNumber - scratch.LastBatch > KeepIdleBatches)
                    _processes.Remove(name);
        _batchNumber++;
        _used.Clear();
        _last = null;
        var batch = processes.Length == 0
            ? new IngestBatch(processes, _events, _malformed, _dropped, _ready)
            : IngestBatch.InRented(_entryArrays, entries, processes, _events, _malformed, _dropped, _ready);
        _entries = 0;
        _events = 0;
        _malformed = 0;
        _dropped = 0;
        _ready = false;
        return batch;
    }
}
