using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Events;

/// <summary>Bytes and operations one process moved to and from one file within a batch (the file calls).</summary>
public struct FileDelta
{
    public long Reads;
    public long Writes;
    public long Events;
}

/// <summary>Bytes read from and written (dirtied, or written directly) to the disk for one file.</summary>
public readonly record struct DiskBytes(long Reads, long Writes)
{
    public bool IsZero => Reads == 0 && Writes == 0;

    public DiskBytes Plus(DiskBytes other) => new(Figures.Add(Reads, other.Reads), Figures.Add(Writes, other.Writes));
}

/// <summary>Everything one process did within a batch, summed per file.</summary>
/// <param name="Process">The process name.</param>
/// <param name="Files">Per path sums of the file calls, one entry per path. The key is the path's id in the pipeline's
/// <see cref="PathPool"/>; the delta holds one reference per entry, which the file table that adds it takes over.
/// Never written once the batch is built.</param>
public sealed record ProcessDelta(string Process, ArraySegment<KeyValuePair<int, FileDelta>> Files)
{
    /// <summary>The disk figures of the entries that have some (sources that measure the disk layer); each path is
    /// also in <see cref="Files"/>, whose entry holds the reference. Apart because most sources measure one layer and
    /// a batch holds thousands of entries.</summary>
    public IReadOnlyList<KeyValuePair<int, DiskBytes>> Disk { get; init; } = [];

    public long Reads { get; init; }
    public long Writes { get; init; }
    public long Events { get; init; }
    public long DiskReads { get; init; }
    public long DiskWrites { get; init; }
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
