using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Events;

/// <summary>Bytes and operations one process moved to and from one file within a batch.</summary>
public struct FileDelta
{
    public long Reads;
    public long Writes;
    public long Events;
    /// <summary>Bytes read from the disk for this file (sources that measure the disk layer).</summary>
    public long DiskReads;
    /// <summary>Bytes written (dirtied, or written directly) to the disk for this file.</summary>
    public long DiskWrites;
}

/// <summary>Everything one process did within a batch, summed per file.</summary>
/// <param name="Process">The process name.</param>
/// <param name="Files">Per path sums, one entry per path. The key is the path's id in the pipeline's <see cref="PathPool"/>; the delta holds one reference per entry, which the file table that
/// adds it takes over. Never written once the batch is built.</param>
public sealed record ProcessDelta(string Process, ArraySegment<KeyValuePair<int, FileDelta>> Files)
{
    public long Reads { get; init; }
    public long Writes { get; init; }
    public long Events { get; init; }
    public long DiskReads { get; init; }
    public long DiskWrites { get; init; }

    /// <summary>A delta from path texts (loading, specs): interns each path in <paramref name="pool"/> and sums the totals.</summary>
    public static ProcessDelta FromPaths(string process, IEnumerable<KeyValuePair<string, FileDelta>> files, PathPool pool)
    {
        var entries = files.Select(f => KeyValuePair.Create(pool.Intern(f.Key), f.Value)).ToArray();
        return new ProcessDelta(process, entries)
        {
            Reads = entries.Sum(e => e.Value.Reads),
            Writes = entries.Sum(e => e.Value.Writes),
            Events = entries.Sum(e => e.Value.Events),
            DiskReads = entries.Sum(e => e.Value.DiskReads),
            DiskWrites = entries.Sum(e => e.Value.DiskWrites),
        };
    }

    /// <summary>The entries with their path texts (while the delta still holds its references).</summary>
    public IEnumerable<KeyValuePair<string, FileDelta>> Named(PathPool pool)
    {
        return Files.Select(f => KeyValuePair.Create(pool.GetString(f.Key), f.Value));
    }
}

/// <summary>
/// What the parsing stage hands to the process actors: the events of many trace lines, already summed
/// per process and file, plus the lines that did not parse and the events the tracer said it lost.
/// A value: nothing writes it once built. It is ingested once: the references it holds on its paths pass
/// to the file tables. <see cref="Instances"/> holds what the source said about process instances, in order
/// (null when it said nothing); it leaves the per-name figures as they are.
/// </summary>
public sealed record IngestBatch(
    IReadOnlyList<ProcessDelta> Processes,
    long Events,
    long MalformedLines,
    long DroppedEvents,
    bool TracerReady,
    IReadOnlyList<InstanceEvent>? Instances = null)
{
    /// <summary>Per-disk totals of the block layer in this batch (sources that measure them).</summary>
    public IReadOnlyList<DeviceIo> Devices { get; init; } = [];
}
