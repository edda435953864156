using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Support;

/// <summary>A trace sink that keeps everything a parser reports, for assertions.</summary>
public sealed class CollectingSink : ITraceSink
{
    public NameTable Names { get; } = new();
    public List<IoEvent> Events { get; } = [];
    public List<(string Line, string Reason)> MalformedLines { get; } = [];
    public long Drops { get; private set; }
    public int ReadyCount { get; private set; }

    public void Event(in IoEvent ioEvent) => Events.Add(ioEvent);

    public void Malformed(ReadOnlySpan<byte> line, string reason) =>
        MalformedLines.Add((Encoding.UTF8.GetString(line), reason));

    public void Dropped(long count) => Drops += count;

    public void Ready() => ReadyCount++;
}
