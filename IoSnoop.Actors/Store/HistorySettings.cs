namespace IoSnoop.Actors.Store;

/// <summary>One resolution of the history: buckets of <see cref="Bucket"/>, kept for <see cref="Retention"/>.</summary>
public sealed record HistoryLevel(TimeSpan Bucket, TimeSpan Retention)
{
    public long BucketSeconds => (long)Bucket.TotalSeconds;
}

/// <summary>
/// The resolutions of the history, finest first. Every sample is added to a bucket of each level; each
/// level forgets buckets older than its retention. A query uses the finest level that still holds its
/// start (and, for a series, gives at most <see cref="MaxPoints"/> points).
/// </summary>
public sealed record HistorySettings(IReadOnlyList<HistoryLevel> Levels)
{
    public static HistorySettings For(TimeSpan keep10Seconds, TimeSpan keep1Minute, TimeSpan keep1Hour) => new(
    [
        new HistoryLevel(TimeSpan.FromSeconds(10), keep10Seconds),
        new HistoryLevel(TimeSpan.FromMinutes(1), keep1Minute),
        new HistoryLevel(TimeSpan.FromHours(1), keep1Hour),
    ]);

    /// <summary>A series longer than this many buckets is answered from a coarser level.</summary>
    public int MaxPoints { get; init; } = 10_000;

    /// <summary>The finest level that still holds <paramref name="from"/> and gives at most <see cref="MaxPoints"/> points.</summary>
    public HistoryLevel ForSeries(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now) =>
        Levels.FirstOrDefault(l => from >= now - l.Retention && (to - from).TotalSeconds / l.BucketSeconds <= MaxPoints)
        ?? Levels[^1];

    /// <summary>The finest level that still holds <paramref name="from"/>.</summary>
    public HistoryLevel ForTotals(DateTimeOffset from, DateTimeOffset now) =>
        Levels.FirstOrDefault(l => from >= now - l.Retention) ?? Levels[^1];
}

/// <summary>Bytes read and written within the bucket that starts at <see cref="Time"/>: file I/O and, beside it, disk I/O
/// (zero for sources that do not measure the disk layer, and for buckets written by a version before schema 3).</summary>
public sealed record HistoryPoint(DateTimeOffset Time, long Reads, long Writes, long DiskReads = 0, long DiskWrites = 0);

/// <summary>A series of buckets of <see cref="BucketSeconds"/> each, every bucket of the range present (zero when idle).</summary>
public sealed record HistorySeries(int BucketSeconds, IReadOnlyList<HistoryPoint> Points);

/// <summary>What one process read and wrote within a time range (file I/O, and disk I/O beside it).</summary>
public sealed record TopProcess(string Name, long Reads, long Writes, long DiskReads = 0, long DiskWrites = 0);

/// <summary>How <c>top</c> ranks the processes.</summary>
public enum TopOrder
{
    /// <summary>By reads + writes.</summary>
    Total,
    Reads,
    Writes,
}

/// <summary>The database cannot be opened, read or written; the message says which file and why.</summary>
public sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
