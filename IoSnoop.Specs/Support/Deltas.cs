using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Support;

/// <summary>Batch parts written with path texts, and read back with them.</summary>
public static class Deltas
{
    /// <summary>A process's part of a batch: interns each path in <paramref name="pool"/> (one reference per entry, as the
    /// batch builder hands them) and sums the totals. Every path of <paramref name="disk"/> must be among <paramref name="files"/>.</summary>
    public static ProcessDelta FromPaths(string process, IEnumerable<KeyValuePair<string, FileDelta>> files, PathPool pool,
        IEnumerable<KeyValuePair<string, DiskBytes>>? disk = null)
    {
        var entries = files.Select(f => KeyValuePair.Create(pool.Intern(f.Key), f.Value)).ToArray();
        var diskEntries = (disk ?? []).Select(d => pool.TryFind(d.Key, out var id)
            ? KeyValuePair.Create(id, d.Value)
            : throw new ArgumentException($"{d.Key} has disk figures but is not among the files")).ToArray();
        return new ProcessDelta(process, entries)
        {
            Disk = diskEntries,
            Reads = entries.Sum(e => e.Value.Reads),
            Writes = entries.Sum(e => e.Value.Writes),
            Events = entries.Sum(e => e.Value.Events),
            DiskReads = diskEntries.Sum(e => e.Value.Reads),
            DiskWrites = diskEntries.Sum(e => e.Value.Writes),
        };
    }

    /// <summary>The entries with their path texts (while the delta still holds its references).</summary>
    public static IEnumerable<KeyValuePair<string, FileDelta>> Named(this ProcessDelta delta, PathPool pool) =>
        delta.Files.Select(f => KeyValuePair.Create(pool.GetString(f.Key), f.Value));

    /// <summary>The disk figures with their path texts.</summary>
    public static IReadOnlyDictionary<string, DiskBytes> NamedDisk(this ProcessDelta delta, PathPool pool) =>
        delta.Disk.ToDictionary(d => pool.GetString(d.Key), d => d.Value);
}
