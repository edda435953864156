using IoSnoop.Actors.Interning;

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
/// <param name="Files">Per path sums, one entry per path. The key is the path's id in <see cref="PathPool.Shared"/>
/// (or the pool the batch was built with); the delta holds one reference per entry, which the file table that
/// adds it takes over. A batch's deltas are segments of one array (see <see cref="IngestBatch"/>).</param>
public sealed record ProcessDelta(string Process, ArraySegment<KeyValuePair<int, FileDelta>> Files)
{
    public long ReadBytes { get; set; }
    public long WrittenBytes { get; set; }
    public long Operations { get; set; }

    /// <summary>A delta from path texts (loading, specs): interns each path in <paramref name="pool"/> and sums the totals.</summary>
    public static ProcessDelta FromPaths(string process, IEnumerable<KeyValuePair<string, FileDelta>> files, PathPool? pool = null)
    {
        pool ??= PathPool.Shared;
        var entries = files.Select(f => KeyValuePair.Create(pool.Intern(f.Key), f.Value)).ToArray();
        return new ProcessDelta(process, entries)
        {
            ReadBytes = entries.Sum(e => e.Value.ReadBytes),
            WrittenBytes = entries.Sum(e => e.Value.WrittenBytes),
            Operations = entries.Sum(e => e.Value.Operations),
        };
    }

    /// <summary>The entries with their path texts (while the delta still holds its references).</summary>
    public IEnumerable<KeyValuePair<string, FileDelta>> Named(PathPool? pool = null)
    {
        pool ??= PathPool.Shared;
        return Files.Select(f => KeyValuePair.Create(pool.GetString(f.Key), f.Value));
    }
}

/// <summary>
/// What the parsing stage hands to the process actors: the events of many trace lines, already summed
/// per process and file, plus the lines that did not parse and the events the tracer said it lost.
/// A batch is ingested once: the references it holds on its paths pass to the file tables.
/// </summary>
/// <remarks>The batch builder puts all the deltas' entries in one array rented from <see cref="BatchEntries"/>
/// (not an array per process: on a busy machine a batch goes to a thousand processes). Whoever has seen every
/// delta added gives it back with <see cref="ReturnEntries"/>; a batch that is never given back is left to the GC.</remarks>
public sealed record IngestBatch(
    IReadOnlyList<ProcessDelta> Processes,
    long Events,
    long MalformedLines,
    long DroppedEvents,
    bool TracerReady)
{
    private KeyValuePair<int, FileDelta>[]? _entries;
    private BatchEntries? _entriesFrom;

    /// <summary>A batch whose deltas are segments of <paramref name="entries"/>, rented from <paramref name="from"/>.</summary>
    public static IngestBatch InRented(BatchEntries from, KeyValuePair<int, FileDelta>[] entries, IReadOnlyList<ProcessDelta> processes,
        long events, long malformedLines, long droppedEvents, bool tracerReady) =>
        new(processes, events, malformedLines, droppedEvents, tracerReady) { _entries = entries, _entriesFrom = from };

    /// <summary>Gives the entries' array back for the next batch: every delta has been added (their figures
    /// copied, their references taken over), so nothing reads them any more. Once; later calls do nothing.</summary>
    public void ReturnEntries()
    {
        if (Interlocked.Exchange(ref _entries, null) is { } entries)
            _entriesFrom!.Return(entries);
    }
}

/// <summary>
/// The arrays batches keep their entries in, used again: one holds a whole batch (8,192 entries and what the
/// last chunk added, about 300 KiB: a large object, which the GC would only free in a full collection), and
/// only the batch being built and the one being added are alive at a time.
/// </summary>
public sealed class BatchEntries
{
    /// <summary>The arrays of the daemon's pipeline.</summary>
    public static BatchEntries Shared { get; } = new();

    /// <summary>Arrays kept for reuse at most.</summary>
    public const int Kept = 4;

    private readonly Lock _gate = new();
    private readonly List<KeyValuePair<int, FileDelta>[]> _free = [];

    /// <summary>An array of at least <paramref name="length"/> entries: a kept one, or a new one with room to spare
    /// (batches stop growing at a limit, but each goes past it by what its last chunk held).</summary>
    public KeyValuePair<int, FileDelta>[] Rent(int length)
    {
        lock (_gate)
        {
            for (var i = 0; i < _free.Count; i++)
            {
                if (_free[i].Length < length)
                    continue;
                var array = _free[i];
                _free.RemoveAt(i);
                return array;
            }
        }
        return new KeyValuePair<int, FileDelta>[Math.Max(1024, length + length / 4)];
    }

    /// <summary>Keeps the array for the next batch, unless <see cref="Kept"/> larger ones are kept already.</summary>
    public void Return(KeyValuePair<int, FileDelta>[] array)
    {
        lock (_gate)
        {
            if (_free.Count < Kept)
            {
                _free.Add(array);
                return;
            }
            var smallest = 0;
            for (var i = 1; i < _free.Count; i++)
            {
                if (_free[i].Length < _free[smallest].Length)
                    smallest = i;
            }
            if (_free[smallest].Length < array.Length)
                _free[smallest] = array;
        }
    }
}
