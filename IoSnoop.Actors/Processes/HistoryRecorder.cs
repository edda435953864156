using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>Bytes one process read and wrote within one time bucket (the bucket starts at <see cref="Bucket"/>): file I/O
/// (<see cref="Reads"/>, <see cref="Writes"/>) and, for sources that measure the disk layer, disk I/O.</summary>
public readonly record struct HistorySample(DateTimeOffset Bucket, string Process, long Reads, long Writes, long DiskReads = 0, long DiskWrites = 0);

/// <summary>
/// Sums the bytes each process moved per time bucket of the finest resolution, between two flushes to
/// the database. Plain state; the processes actor owns one when a database is kept.
/// </summary>
public sealed class HistoryRecorder(TimeSpan resolution)
{
    private readonly long _seconds = Math.Max(1, (long)resolution.TotalSeconds);
    private Dictionary<(long Bucket, string Process), (long Reads, long Writes, long DiskReads, long DiskWrites)> _sums = [];

    public int Count => _sums.Count;

    public void Add(string process, DateTimeOffset at, long reads, long writes, long diskReads = 0, long diskWrites = 0)
    {
        if (reads == 0 && writes == 0 && diskReads == 0 && diskWrites == 0)
            return;
        var bucket = at.ToUnixTimeSeconds() / _seconds * _seconds;
        var key = (bucket, process);
        _sums.TryGetValue(key, out var sum);
        _sums[key] = (Figures.Add(sum.Reads, reads), Figures.Add(sum.Writes, writes), Figures.Add(sum.DiskReads, diskReads),
            Figures.Add(sum.DiskWrites, diskWrites));
    }

    /// <summary>Forgets what was recorded for a process (it was deleted).</summary>
    public void Forget(string process)
    {
        foreach (var key in _sums.Keys.Where(k => k.Process == process).ToList())
            _sums.Remove(key);
    }

    public void Clear() => _sums.Clear();

    /// <summary>Hands out what was recorded and starts afresh.</summary>
    public IReadOnlyList<HistorySample> Take()
    {
        if (_sums.Count == 0)
            return [];
        var samples = new List<HistorySample>(_sums.Count);
        foreach (var ((bucket, process), (reads, writes, diskReads, diskWrites)) in _sums)
            samples.Add(new HistorySample(DateTimeOffset.FromUnixTimeSeconds(bucket), process, reads, writes, diskReads, diskWrites));
        _sums = [];
        return samples;
    }
}
