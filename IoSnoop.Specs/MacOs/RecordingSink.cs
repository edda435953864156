using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.MacOs;

/// <summary>A sink that keeps everything a parser reports.</summary>
internal sealed class RecordingSink : ITraceSink
{
    public NameTable Names { get; } = new();

    public List<IoEvent> Events { get; } = [];

    public List<(string Line, string Reason)> Rejected { get; } = [];

    public long Drops { get; private set; }

    public int ReadyCount { get; private set; }

    public long Reads => Events.Where(e => e.Direction == IoDirection.Read).Sum(e => e.Bytes);

    public long Writes => Events.Where(e => e.Direction == IoDirection.Write).Sum(e => e.Bytes);

    public void Event(in IoEvent ioEvent) => Events.Add(ioEvent);

    public void Malformed(ReadOnlySpan<byte> line, string reason) => Rejected.Add((Encoding.UTF8.GetString(line), reason));

    public void Dropped(long count) => Drops += count;

    public void Ready() => ReadyCount++;

    /// <summary>What the parser said about process instances, in order.</summary>
    public List<InstanceEvent> Instances { get; } = [];

    public void Instance(InstanceEvent instanceEvent) => Instances.Add(instanceEvent);
}

/// <summary>The macOS fixtures copied next to the test assembly.</summary>
internal static class MacFixtures
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures", "macos");

    public static string StandInFolder { get; } = Path.Combine(Folder, "bin");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>The file's lines as bytes, without their <c>\n</c>.</summary>
    public static IReadOnlyList<byte[]> Lines(string name)
    {
        var bytes = File.ReadAllBytes(PathOf(name));
        var lines = new List<byte[]>();
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                lines.Add(rest.ToArray());
                break;
            }
            lines.Add(rest[..newline].ToArray());
            rest = rest[(newline + 1)..];
        }
        return lines;
    }

    /// <summary>Line <paramref name="number"/> (1-based) of the file.</summary>
    public static byte[] Line(string name, int number) => Lines(name)[number - 1];

    public static RecordingSink ParseAll(ITraceParser parser, IEnumerable<byte[]> lines)
    {
        var sink = new RecordingSink();
        foreach (var line in lines)
            parser.Parse(line, sink);
        return sink;
    }
}
