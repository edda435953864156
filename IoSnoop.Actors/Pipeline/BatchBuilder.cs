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
/// Names and paths come from the <see cref="NameTable"/>, which hands out one string object per text, so
/// the batch's maps compare by reference (no hashing of the text). Should the table have started afresh
/// within a batch, a text may appear twice as two objects: the process actors sum by text, so totals stay right.
/// </remarks>
public sealed class BatchBuilder(NameTable names, MalformedLineLog? malformedLog = null) : ITraceSink
{
    /// <summary>One process's sums within the batch being built; kept across batches while the process is busy,
    /// so its maps keep their size instead of growing again for every batch.</summary>
    private sealed class Scratch(string process)
    {
        public readonly string Process = process;
        public readonly Dictionary<string, int> Index = new(SameObject);
        public readonly List<KeyValuePair<string, FileDelta>> Files = [];
        public long ReadBytes;
        public long WrittenBytes;
        public long Operations;
    }

    private static readonly IEqualityComparer<string> SameObject = ReferenceEqualityComparer.Instance;
    private readonly Dictionary<string, Scratch> _processes = new(SameObject);
    private readonly List<Scratch> _used = [];
    private Scratch? _last;
    private int _entries;
    private long _events;
    private long _malformed;
    private long _dropped;
    private bool _ready;

    public NameTable Names { get; } = names;

    /// <summary>Distinct (process, file) entries in the batch so far.</summary>
    public int Entries => _entries;

    public long Events => _events;

    public bool IsEmpty => _events == 0 && _malformed == 0 && _dropped == 0 && !_ready;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Event(in IoEvent ioEvent)
    {
        // Consecutive events of one process are common (a build step, a copy): skip the lookup then.
        var process = _last;
        if (process is null || !ReferenceEquals(process.Process, ioEvent.Process))
        {
            if (!_processes.TryGetValue(ioEvent.Process, out process))
            {
                process = new Scratch(ioEvent.Process);
                _processes[ioEvent.Process] = process;
            }
            _last = process;
        }
        if (process.Operations == 0 && process.Files.Count == 0)
            _used.Add(process);

        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(process.Index, ioEvent.Path, out var existed);
        if (!existed)
        {
            index = process.Files.Count;
            process.Files.Add(new KeyValuePair<string, FileDelta>(ioEvent.Path, default));
            _entries++;
        }
        ref var file = ref CollectionsMarshal.AsSpan(process.Files)[index];
        var delta = file.Value;
        if (ioEvent.Direction == IoDirection.Read)
        {
            delta.ReadBytes += ioEvent.Bytes;
            process.ReadBytes += ioEvent.Bytes;
        }
        else
        {
            delta.WrittenBytes += ioEvent.Bytes;
            process.WrittenBytes += ioEvent.Bytes;
        }
        delta.Operations += ioEvent.Operations;
        process.Operations += ioEvent.Operations;
        file = new KeyValuePair<string, FileDelta>(file.Key, delta);
        _events += ioEvent.Operations;
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
        var processes = new ProcessDelta[_used.Count];
        for (var i = 0; i < _used.Count; i++)
        {
            var scratch = _used[i];
            processes[i] = new ProcessDelta(scratch.Process, [.. scratch.Files])
            {
                ReadBytes = scratch.ReadBytes,
                WrittenBytes = scratch.WrittenBytes,
                Operations = scratch.Operations,
            };
            scratch.Files.Clear();
            scratch.Index.Clear();
            scratch.ReadBytes = scratch.WrittenBytes = scratch.Operations = 0;
        }
        // Processes idle for a whole batch give their maps back.
        if (_processes.Count > _used.Count)
        {
            var used = new HashSet<Scratch>(_used);
            foreach (var (name, scratch) in _processes)
                if (!used.Contains(scratch))
                    _processes.Remove(name);
        }
        _used.Clear();
        _last = null;
        var batch = new IngestBatch(processes, _events, _malformed, _dropped, _ready);
        _entries = 0;
        _events = 0;
        _malformed = 0;
        _dropped = 0;
        _ready = false;
        return batch;
    }
}
