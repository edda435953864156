using System.Runtime.InteropServices;
using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>What one process did to one file.</summary>
public struct FileStats
{
    public long ReadBytes;
    public long WrittenBytes;
    public long Operations;
    public DateTimeOffset LastUpdated;
}

/// <summary>
/// One process's files: path → bytes read, bytes written, operations, last updated. Plain state with
/// pure methods; the <see cref="ProcessActor"/> owns one.
/// </summary>
public sealed class FileTable
{
    private readonly Dictionary<string, FileStats> _files = new(StringComparer.Ordinal);

    public int Count => _files.Count;

    public long ReadBytes { get; private set; }

    public long WrittenBytes { get; private set; }

    public long Operations { get; private set; }

    public DateTimeOffset LastUpdated { get; private set; }

    /// <summary>Adds a batch's sums. Returns how many files were new.</summary>
    public int Add(ProcessDelta delta, DateTimeOffset at)
    {
        var added = 0;
        foreach (var (path, d) in delta.Files)
        {
            ref var stats = ref CollectionsMarshal.GetValueRefOrAddDefault(_files, path, out var existed);
            if (!existed)
                added++;
            stats.ReadBytes += d.ReadBytes;
            stats.WrittenBytes += d.WrittenBytes;
            stats.Operations += d.Operations;
            stats.LastUpdated = at;
        }
        ReadBytes += delta.ReadBytes;
        WrittenBytes += delta.WrittenBytes;
        Operations += delta.Operations;
        LastUpdated = at;
        return added;
    }

    /// <summary>Sets one file's figures (loading a saved state).</summary>
    public void Set(string path, FileStats stats)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_files, path, out var existed);
        if (existed)
        {
            ReadBytes -= slot.ReadBytes;
            WrittenBytes -= slot.WrittenBytes;
            Operations -= slot.Operations;
        }
        slot = stats;
        ReadBytes += stats.ReadBytes;
        WrittenBytes += stats.WrittenBytes;
        Operations += stats.Operations;
        if (stats.LastUpdated > LastUpdated)
            LastUpdated = stats.LastUpdated;
    }

    public bool TryGet(string path, out FileStats stats) => _files.TryGetValue(path, out stats);

    public IReadOnlyList<FileSummary> Snapshot()
    {
        var list = new List<FileSummary>(_files.Count);
        foreach (var (path, s) in _files)
            list.Add(new FileSummary(path, s.ReadBytes, s.WrittenBytes, s.LastUpdated, s.Operations,
                MergedFiles.IsMergedPath(path)));
        return list;
    }
}

/// <summary>The name of the row that stands for a process's merged small files.</summary>
public static class MergedFiles
{
    public static string PathFor(string process) => $"<Smaller Files of {process}>";

    public static bool IsMergedPath(string path) =>
        path.StartsWith("<Smaller Files of ", StringComparison.Ordinal) && path.EndsWith('>');
}
