namespace IoSnoop.Actors.Events;

/// <summary>Bytes and operations one process moved to and from one file within a batch.</summary>
public struct FileDelta
{
    public long ReadBytes;
    public long WrittenBytes;
    public long Operations;
}

/// <summary>Everything one process did within a batch, summed per file.</summary>
/// <param name="Process">The process name.</param>
/// <param name="Files">Per path sums, one entry per path (but see <c>BatchBuilder</c> on name tables).</param>
public sealed record ProcessDelta(string Process, KeyValuePair<string, FileDelta>[] Files)
{
    public long ReadBytes { get; set; }
    public long WrittenBytes { get; set; }
    public long Operations { get; set; }
}

/// <summary>
/// What the parsing stage hands to the process actors: the events of many trace lines, already summed
/// per process and file, plus the lines that did not parse and the events the tracer said it lost.
/// </summary>
public sealed record IngestBatch(
    IReadOnlyList<ProcessDelta> Processes,
    long Events,
    long MalformedLines,
    long DroppedEvents,
    bool TracerReady)
{
    public static IngestBatch Empty { get; } = new([], 0, 0, 0, false);
}
