using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Processes;

/// <summary>What one process did to one file.</summary>
/// <remarks>The time is kept as UTC ticks: a table holds up to the cap's 200,000 of these, and a
/// <see cref="DateTimeOffset"/> would take twice the room.</remarks>
public struct FileStats
{
    public long Reads;
    public long Writes;
    public long Events;
    public long LastUpdatedTicks;
    public long DiskReads;
    public long DiskWrites;

    public DateTimeOffset LastUpdated
    {
        readonly get => new(LastUpdatedTicks, TimeSpan.Zero);
        set => LastUpdatedTicks = value.UtcTicks;
    }
}

/// <summary>
/// One process's files: path → bytes read, bytes written, operations, last updated. Plain state with
/// pure methods; the <see cref="ProcessActor"/> owns one.
/// </summary>
/// <remarks>
/// Paths are keyed by their id in a <see cref="PathPool"/>: the table holds one reference per entry and
/// gives it back when the entry goes (merged, removed, <see cref="Clear"/>), so a table entry is a
/// fixed-size slot with no object of its own. Texts are made only for queries.
/// With change tracking on (a database is kept), the table remembers which paths changed and which were
/// removed since <see cref="TakeChanges"/> was last called, so a flush writes only those. Merging moves
/// entries into the <c>&lt;Smaller Files of NAME&gt;</c> row: the totals never change.
/// Disk figures are kept apart, only for the entries that have some: most sources measure one layer, and the
/// tables hold up to the cap's 200,000 entries, each 16 bytes larger if every one carried them.
/// </remarks>
public sealed class FileTable
{
    private readonly PathPool _pool;
    private readonly Dictionary<int, Counts> _files = [];
    private readonly Dictionary<int, DiskBytes> _disk = [];
    private readonly HashSet<int>? _changed;
    private readonly HashSet<string>? _removed;
    // The merged row's path id, interned at the first merge and held (one reference) until Clear.
    private int _mergedId = -1;
    private string? _mergedPath;

    public FileTable(PathPool pool, bool trackChanges = false)
    {
        _pool = pool;
        if (!trackChanges)
            return;
        _changed = [];
        _removed = new HashSet<string>(StringComparer.Ordinal);
    }

    public int Count => _files.Count;

    public long Reads { get; private set; }

    public long Writes { get; private set; }

    public long Events { get; private set; }

    public long DiskReads { get; private set; }

    public long DiskWrites { get; private set; }

    public DateTimeOffset LastUpdated { get; private set; }


    /// <summary>Adds a batch's sums, taking over the delta's path references. Returns how many files were new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Add(ProcessDelta delta, DateTimeOffset at)
    {
        var added = 0;
        var ticks = at.UtcTicks;
        foreach (var (path, d) in delta.Files)
        {
            ref var stats = ref CollectionsMarshal.GetValueRefOrAddDefault(_files, path, out var existed);
            if (existed)
                _pool.Release(path);
            else
                added++;
            stats.Reads = Figures.Add(stats.Reads, d.Reads);
            stats.Writes = Figures.Add(stats.Writes, d.Writes);
            stats.Events = Figures.Add(stats.Events, d.Events);
            stats.LastUpdatedTicks = ticks;
            _changed?.Add(path);
        }
        foreach (var (path, disk) in delta.Disk)
            AddDisk(path, disk);
        Reads = Figures.Add(Reads, delta.Reads);
        Writes = Figures.Add(Writes, delta.Writes);
        Events = Figures.Add(Events, delta.Events);
        DiskReads = Figures.Add(DiskReads, delta.DiskReads);
        DiskWrites = Figures.Add(DiskWrites, delta.DiskWrites);
        LastUpdated = at;
        return added;
    }

    /// <summary>Sets one file's figures (loading a saved state). <paramref name="saved"/>: the figures are
    /// already in the database, so they are not a change to write.</summary>
    public void Set(string path, FileStats stats, bool saved = false)
    {
        var id = _pool.Intern(path);
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_files, id, out var existed);
        if (existed)
        {
            _pool.Release(id);
            Reads = Figures.Subtract(Reads, slot.Reads);
            Writes = Figures.Subtract(Writes, slot.Writes);
            Events = Figures.Subtract(Events, slot.Events);
            var disk = TakeDisk(id);
            DiskReads = Figures.Subtract(DiskReads, disk.Reads);
            DiskWrites = Figures.Subtract(DiskWrites, disk.Writes);
        }
        slot = new Counts { Reads = stats.Reads, Writes = stats.Writes, Events = stats.Events, LastUpdatedTicks = stats.LastUpdatedTicks };
        if (stats.DiskReads != 0 || stats.DiskWrites != 0)
            _disk[id] = new DiskBytes(stats.DiskReads, stats.DiskWrites);
        Reads = Figures.Add(Reads, stats.Reads);
        Writes = Figures.Add(Writes, stats.Writes);
        Events = Figures.Add(Events, stats.Events);
        DiskReads = Figures.Add(DiskReads, stats.DiskReads);
        DiskWrites = Figures.Add(DiskWrites, stats.DiskWrites);
        if (stats.LastUpdated > LastUpdated)
            LastUpdated = stats.LastUpdated;
        if (!saved)
            _changed?.Add(id);
    }


    public IReadOnlyList<FileSummary> Snapshot()
    {
        var list = new List<FileSummary>(_files.Count);
        foreach (var (path, s) in _files)
            list.Add(Summary(path, s));
        return list;
    }

    /// <summary>
    /// The original's <c>-t</c>/<c>-s</c> pass: merges every entry whose reads and writes are both below
    /// <paramref name="threshold"/> and that was last updated before <paramref name="idleBefore"/> into
    /// <paramref name="mergedPath"/>. Returns how many entries were merged.
    /// </summary>
    public int MergeSmall(string mergedPath, long threshold, DateTimeOffset idleBefore)
    {
        var paths = new List<int>();
        var idleTicks = idleBefore.UtcTicks;
        foreach (var (path, s) in _files)
        {
            if (s.Reads < threshold && s.Writes < threshold && s.LastUpdatedTicks < idleTicks
                && !PathPool.IsMerged(path))
                paths.Add(path);
        }
        MergeInto(mergedPath, CollectionsMarshal.AsSpan(paths));
        return paths.Count;
    }

    /// <summary>
    /// Merges the <paramref name="count"/> least significant entries into <paramref name="mergedPath"/>
    /// (the cap on tracked files): entries idle since <paramref name="recentAfter"/> go before recently
    /// updated ones, and within each, fewer bytes (reads + writes) before more, older before newer.
    /// Returns how many entries were merged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int MergeLeastSignificant(string mergedPath, int count, DateTimeOffset recentAfter)
    {
        if (count <= 0 || _files.Count == 0)
            return 0;
        // The cap runs this often while a flood of new paths comes in: select the entries in place
        // (expected linear time) in a reused buffer instead of sorting a new list every round.
        var recentTicks = recentAfter.UtcTicks;
        var buffer = TakeBuffer(_files.Count);
        try
        {
            var n = 0;
            foreach (var (path, s) in _files)
            {
                if (!PathPool.IsMerged(path))
                    buffer[n++] = new MergeCandidate(s.LastUpdatedTicks >= recentTicks, s.Reads + s.Writes,
                        s.LastUpdatedTicks, path);
            }
            var candidates = buffer.AsSpan(0, n);
            if (count < n)
            {
                MergeCandidate.SelectSmallest(candidates, count);
                candidates = candidates[..count];
            }
            // The ids are gathered at the front of the same buffer (an id takes less room than a candidate).
            var ids = MemoryMarshal.Cast<MergeCandidate, int>(buffer.AsSpan());
            for (var i = 0; i < candidates.Length; i++)
                ids[i] = candidates[i].Path;
            MergeInto(mergedPath, ids[..candidates.Length]);
            return candidates.Length;
        }
        finally
        {
            GiveBack(buffer);
        }
    }

    // Selection buffers. The cap asks every process actor at once and they run on a few threads: each thread
    // keeps a buffer for the tables of up to SmallTable entries (most of them); the larger ones share one
    // spare, which a table takes or, when another holds it or it is too small, allocates one of its size (the
    // larger of the two is kept). Memory: a few small buffers and one as large as the largest table.
    private const int SmallTable = 4096;

    [ThreadStatic]
    private static MergeCandidate[]? t_small;

    private static MergeCandidate[]? s_spare;

    private static MergeCandidate[] TakeBuffer(int size)
    {
        if (size <= SmallTable)
            return t_small ??= new MergeCandidate[SmallTable];
        var spare = Interlocked.Exchange(ref s_spare, null);
        if (spare is not null && spare.Length >= size)
            return spare;
        if (spare is not null)
            GiveBack(spare);
        return new MergeCandidate[size];
    }

    private static void GiveBack(MergeCandidate[] buffer)
    {
        if (buffer.Length <= SmallTable)
            return;
        var current = Volatile.Read(ref s_spare);
        if (current is null || current.Length < buffer.Length)
            Interlocked.CompareExchange(ref s_spare, buffer, current);
    }

    /// <summary>An entry the cap may merge, ordered least significant first: idle before recent, fewer
    /// bytes before more, older before newer.</summary>
    private readonly record struct MergeCandidate(bool Recent, long Bytes, long Ticks, int Path)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Compare(in MergeCandidate a, in MergeCandidate b)
        {
            var c = a.Recent.CompareTo(b.Recent);
            if (c == 0)
                c = a.Bytes.CompareTo(b.Bytes);
            return c != 0 ? c : a.Ticks.CompareTo(b.Ticks);
        }

        /// <summary>Reorders <paramref name="items"/> so that its first <paramref name="k"/> are the
        /// <paramref name="k"/> least significant (in no particular order): quickselect, median of three.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void SelectSmallest(Span<MergeCandidate> items, int k)
        {
            var lo = 0;
            var hi = items.Length - 1;
            while (hi > lo)
            {
                var mid = lo + (hi - lo) / 2;
                if (Compare(items[mid], items[lo]) < 0)
                    (items[mid], items[lo]) = (items[lo], items[mid]);
                if (Compare(items[hi], items[lo]) < 0)
                    (items[hi], items[lo]) = (items[lo], items[hi]);
                if (Compare(items[hi], items[mid]) < 0)
                    (items[hi], items[mid]) = (items[mid], items[hi]);
                var pivot = items[mid];
                var i = lo;
                var j = hi;
                while (i <= j)
                {
                    while (Compare(items[i], pivot) < 0)
                        i++;
                    while (Compare(pivot, items[j]) < 0)
                        j--;
                    if (i > j)
                        break;
                    (items[i], items[j]) = (items[j], items[i]);
                    i++;
                    j--;
                }
                // items[lo..j] <= pivot <= items[i..hi]; between them, equal to the pivot.
                if (k - 1 <= j)
                    hi = j;
                else if (k - 1 >= i)
                    lo = i;
                else
                    return;
            }
        }
    }

    /// <summary>Paths of the entries that are not a merged row.</summary>
    public IReadOnlyList<string> Paths()
    {
        var list = new List<string>(_files.Count);
        foreach (var path in _files.Keys)
        {
            if (!PathPool.IsMerged(path))
                list.Add(_pool.GetString(path));
        }
        return list;
    }

    /// <summary>Which of these paths the table holds.</summary>
    public IReadOnlyList<string> Find(IReadOnlyList<string> paths)
    {
        var found = new List<string>();
        foreach (var path in paths)
        {
            if (_pool.TryFind(path, out var id) && _files.ContainsKey(id))
                found.Add(path);
        }
        return found;
    }

    /// <summary>Forgets these paths and their figures (launchd de-duplication). Returns what was removed.</summary>
    public FileStats Remove(IEnumerable<string> paths)
    {
        var removed = default(FileStats);
        foreach (var path in paths)
        {
            if (!_pool.TryFind(path, out var id) || !_files.Remove(id, out var s))
                continue;
            var disk = TakeDisk(id);
            removed.Reads = Figures.Add(removed.Reads, s.Reads);
            removed.Writes = Figures.Add(removed.Writes, s.Writes);
            removed.Events = Figures.Add(removed.Events, s.Events);
            removed.DiskReads = Figures.Add(removed.DiskReads, disk.Reads);
            removed.DiskWrites = Figures.Add(removed.DiskWrites, disk.Writes);
            Reads = Figures.Subtract(Reads, s.Reads);
            Writes = Figures.Subtract(Writes, s.Writes);
            Events = Figures.Subtract(Events, s.Events);
            DiskReads = Figures.Subtract(DiskReads, disk.Reads);
            DiskWrites = Figures.Subtract(DiskWrites, disk.Writes);
            _changed?.Remove(id);
            _removed?.Add(path);
            _pool.Release(id);
        }
        return removed;
    }

    /// <summary>Forgets every entry and gives the paths back to the pool (the owner stops).</summary>
    public void Clear()
    {
        var paths = new int[_files.Count];
        _files.Keys.CopyTo(paths, 0);
        _pool.Release(paths);
        _files.Clear();
        _disk.Clear();
        if (_mergedId >= 0)
            _pool.Release(_mergedId);
        _mergedId = -1;
        _mergedPath = null;
        _changed?.Clear();
        _removed?.Clear();
        Reads = Writes = Events = DiskReads = DiskWrites = 0;
    }

    /// <summary>
    /// What changed since the last call: the entries to write and the paths to delete; then starts
    /// afresh. <paramref name="all"/>: every entry, for a database that is written anew.
    /// </summary>
    public (IReadOnlyList<FileSummary> Changed, IReadOnlyList<string> Removed) TakeChanges(bool all = false)
    {
        if (all)
        {
            _changed?.Clear();
            _removed?.Clear();
            return (Snapshot(), []);
        }
        if (_changed is null || _removed is null)
            return ([], []);
        var changed = new List<FileSummary>(_changed.Count);
        foreach (var path in _changed)
        {
            if (_files.TryGetValue(path, out var s))
                changed.Add(Summary(path, s));
        }
        IReadOnlyList<string> removed = [.. _removed];
        _changed.Clear();
        _removed.Clear();
        return (changed, removed);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MergeInto(string mergedPath, ReadOnlySpan<int> paths)
    {
        if (paths.IsEmpty)
            return;
        if (mergedPath != _mergedPath)
        {
            if (_mergedId >= 0)
                _pool.Release(_mergedId);
            _mergedId = _pool.Intern(mergedPath);
            _mergedPath = mergedPath;
        }
        var mergedId = _mergedId;
        if (!_files.TryGetValue(mergedId, out var merged))
            _pool.AddRef(mergedId);
        foreach (var path in paths)
        {
            _files.Remove(path, out var s);
            merged.Reads = Figures.Add(merged.Reads, s.Reads);
            merged.Writes = Figures.Add(merged.Writes, s.Writes);
            merged.Events = Figures.Add(merged.Events, s.Events);
            if (_disk.Remove(path, out var disk))
                AddDisk(mergedId, disk);
            if (s.LastUpdatedTicks > merged.LastUpdatedTicks)
                merged.LastUpdatedTicks = s.LastUpdatedTicks;
            _changed?.Remove(path);
            _removed?.Add(_pool.GetString(path));
        }
        _pool.Release(paths);
        _files[mergedId] = merged;
        _removed?.Remove(mergedPath);
        _changed?.Add(mergedId);
        // A big merge leaves the table's arrays at their largest: give the memory back.
        if (paths.Length > 1024 && _files.Count < paths.Length)
        {
            _files.TrimExcess();
            _disk.TrimExcess();
        }
    }

    private FileSummary Summary(int path, in Counts s)
    {
        _disk.TryGetValue(path, out var disk);
        return new(_pool.GetString(path), s.Reads, s.Writes, new DateTimeOffset(s.LastUpdatedTicks, TimeSpan.Zero), s.Events,
            PathPool.IsMerged(path))
        {
            DiskReads = disk.Reads,
            DiskWrites = disk.Writes,
        };
    }

    private void AddDisk(int path, DiskBytes more)
    {
        ref var disk = ref CollectionsMarshal.GetValueRefOrAddDefault(_disk, path, out _);
        disk = disk.Plus(more);
    }

    private DiskBytes TakeDisk(int path) => _disk.Remove(path, out var disk) ? disk : default;

    /// <summary>What every entry has: the figures of the file calls and when they last changed.</summary>
    private struct Counts
    {
        public long Reads;
        public long Writes;
        public long Events;
        public long LastUpdatedTicks;
    }
}
