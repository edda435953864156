using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Linux;

/// <summary>Keeps everything a parser reports. Safe to read from one thread while another parses.</summary>
internal sealed class CollectingSink : ITraceSink
{
    private readonly object _gate = new();
    private readonly List<IoEvent> _events = new();
    private readonly List<IoEvent> _diskEvents = new();
    private readonly List<DeviceIo> _devices = new();
    private readonly List<(string Line, string Reason)> _malformed = new();
    private readonly List<InstanceEvent> _instances = new();

    public NameTable Names { get; } = new();

    public long Dropped { get { lock (_gate) return _dropped; } }

    public int ReadyCount { get { lock (_gate) return _ready; } }

    private long _dropped;
    private int _ready;

    /// <summary>File I/O events (the system-call layer).</summary>
    public IReadOnlyList<IoEvent> Events { get { lock (_gate) return _events.ToArray(); } }

    /// <summary>Disk I/O events.</summary>
    public IReadOnlyList<IoEvent> DiskEvents { get { lock (_gate) return _diskEvents.ToArray(); } }

    /// <summary>Per-disk totals, one per disk and interval.</summary>
    public IReadOnlyList<DeviceIo> Devices { get { lock (_gate) return _devices.ToArray(); } }

    void ITraceSink.Device(in DeviceIo device)
    {
        lock (_gate)
            _devices.Add(device);
    }

    public IReadOnlyList<(string Line, string Reason)> MalformedLines { get { lock (_gate) return _malformed.ToArray(); } }

    /// <summary>What the parser said about process instances, in order.</summary>
    public IReadOnlyList<InstanceEvent> Instances { get { lock (_gate) return _instances.ToArray(); } }

    public void Instance(InstanceEvent instanceEvent)
    {
        lock (_gate)
            _instances.Add(instanceEvent);
    }

    public void Event(in IoEvent ioEvent)
    {
        lock (_gate)
            (ioEvent.Layer == IoLayer.Disk ? _diskEvents : _events).Add(ioEvent);
    }

    public void Malformed(ReadOnlySpan<byte> line, string reason)
    {
        var text = Encoding.UTF8.GetString(line);
        lock (_gate)
            _malformed.Add((text, reason));
    }

    void ITraceSink.Dropped(long count)
    {
        lock (_gate)
            _dropped += count;
    }

    public void Ready()
    {
        lock (_gate)
            _ready++;
    }

    /// <summary>Bytes per path and direction for one process name.</summary>
    public Dictionary<(string Path, IoDirection Direction), long> BytesOf(string process) =>
        Events.Where(e => e.Process == process)
            .GroupBy(e => (e.Path, e.Direction))
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Bytes));

    /// <summary>Feeds text, one line per <c>\n</c>, to a parser.</summary>
    public void Feed(ITraceParser parser, string text)
    {
        foreach (var line in text.Split('\n'))
            parser.Parse(Encoding.UTF8.GetBytes(line), this);
        parser.Finish(this);
    }

    /// <summary>Feeds raw bytes, split at <c>\n</c>, to a parser.</summary>
    public void Feed(ITraceParser parser, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            parser.Parse(end < 0 ? bytes : bytes[..end], this);
            bytes = end < 0 ? default : bytes[(end + 1)..];
        }
        parser.Finish(this);
    }
}
