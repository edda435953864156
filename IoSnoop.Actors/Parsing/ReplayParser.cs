using IoSnoop.Actors.Interning;
namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Reads a recorded raw log whose format is known only from its content: the original tool's lines
/// (<c>EXECNAME|ISREAD|BYTES|PATH</c>) or the output of any source of ours recorded with <c>-o</c> (bpftrace,
/// fs_usage, DTrace), whatever machine it was recorded on. The first line that a format reads without calling
/// it malformed decides, the formats tried in order (the original's first); lines before it (blank or unreadable
/// by every format) are malformed. Deciding on one line keeps a live feed (a FIFO) without delay.
/// </summary>
public sealed class ReplayParser : ITraceParser
{
    private sealed record Candidate(Func<ITraceParser> Create, ITraceParser Trial);

    private readonly List<Candidate> _candidates;
    private readonly CountingSink _probe = new();
    private ITraceParser? _chosen;

    /// <param name="otherFormats">Parsers of the formats besides the original's, in order of preference.</param>
    public ReplayParser(params IEnumerable<Func<ITraceParser>>? otherFormats)
    {
        _candidates = new[] { () => (ITraceParser)new OriginalLineParser() }
            .Concat(otherFormats ?? [])
            .Select(create => new Candidate(create, create()))
            .ToList();
    }

    /// <summary>The format chosen, once a line has decided it.</summary>
    public ITraceParser? Chosen => _chosen;

    public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
    {
        if (_chosen is null)
        {
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                sink.Malformed(line, OriginalLineParser.Reasons.Empty);
                return;
            }
            Candidate? reader = null;
            foreach (var candidate in _candidates)
            {
                if (Reads(candidate.Trial, line))
                {
                    reader = candidate;
                    break;
                }
            }
            if (reader is null)
            {
                sink.Malformed(line, UnknownFormat);
                return;
            }
            _chosen = reader.Create();
            _candidates.Clear();
        }
        _chosen.Parse(line, sink);
    }

    public const string UnknownFormat = "no known trace format reads this line";

    public void Finish(ITraceSink sink) => _chosen?.Finish(sink);

    private bool Reads(ITraceParser trial, ReadOnlySpan<byte> line)
    {
        var before = _probe.MalformedLines;
        trial.Parse(line, _probe);
        return _probe.MalformedLines == before;
    }

    /// <summary>Where a trial parser reports: only its malformed lines are counted.</summary>
    private sealed class CountingSink : ITraceSink
    {
        public int MalformedLines { get; private set; }

        public NameTable Names { get; } = new(256);

        public void Event(in Events.IoEvent ioEvent)
        {
        }

        public void Event(string process, int pid, ReadOnlySpan<byte> path, Events.IoDirection direction, long bytes, long operations = 1)
        {
        }

        public void Malformed(ReadOnlySpan<byte> line, string reason) => MalformedLines++;

        public void Dropped(long count)
        {
        }

        public void Ready()
        {
        }
    }

    /// <summary>NAME|INTEGER|DIGITS|… — the original's line shape.</summary>
    public static bool LooksOriginal(ReadOnlySpan<byte> line)
    {
        var first = line.IndexOf((byte)'|');
        if (first < 0)
            return false;
        var rest = line[(first + 1)..];
        var second = rest.IndexOf((byte)'|');
        if (second <= 0)
            return false;
        var flag = rest[..second];
        if (flag[0] == (byte)'-')
            flag = flag[1..];
        if (flag.IsEmpty || flag.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            return false;
        rest = rest[(second + 1)..];
        var third = rest.IndexOf((byte)'|');
        return third > 0 && rest[..third].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }
}
