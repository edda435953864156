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
    private static readonly IEqualityComparer<string> SameObject = ReferenceEqualityComparer.Instance;
    private Dictionary<string, ProcessDelta> _processes = new(SameObject);
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

    public void Event(in IoEvent ioEvent)
    {
        ref var process = ref CollectionsMarshal.GetValueRefOrAddDefault(_processes, ioEvent.Process, out var existed);
        if (!existed)
            process = new ProcessDelta(ioEvent.Process, new Dictionary<string, FileDelta>(SameObject));
        ref var file = ref CollectionsMarshal.GetValueRefOrAddDefault(process!.Files, ioEvent.Path, out var fileExisted);
        if (!fileExisted)
            _entries++;
        if (ioEvent.Direction == IoDirection.Read)
        {
            file.ReadBytes += ioEvent.Bytes;
            process.ReadBytes += ioEvent.Bytes;
        }
        else
        {
            file.WrittenBytes += ioEvent.Bytes;
            process.WrittenBytes += ioEvent.Bytes;
        }
        file.Operations += ioEvent.Operations;
        process.Operations += ioEvent.Operations;
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
        var batch = new IngestBatch([.. _processes.Values], _events, _malformed, _dropped, _ready);
        _processes = new Dictionary<string, ProcessDelta>(Math.Min(_processes.Count, 1024), SameObject);
        _entries = 0;
        _events = 0;
        _malformed = 0;
        _dropped = 0;
        _ready = false;
        return batch;
    }
}
