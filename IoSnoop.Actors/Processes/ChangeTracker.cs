using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// What changed per process, kept for two readers: the push to the dashboard (every push interval) and the
/// database (every flush). Plain state of the <see cref="ProcessesActor"/>; the file-level changes a flush writes
/// are kept by each process's <see cref="FileTable"/>.
/// </summary>
public sealed class ChangeTracker(bool keepUnsaved)
{
    private readonly Dictionary<string, (long Reads, long Writes)> _moved = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Reads, long Writes)> _diskMoved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private bool _reset;
    private bool _countersChanged;
    private readonly HashSet<string> _unsaved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedUnsaved = new(StringComparer.Ordinal);
    private bool _resetUnsaved;

    /// <summary>True when the next push has something to say.</summary>
    public bool HasPush => _moved.Count > 0 || _removed.Count > 0 || _reset || _countersChanged;

    /// <summary>A process's figures changed; it moved these bytes (never less than zero: a removal moves none).
    /// <paramref name="saved"/>: the database already has the change (figures loaded from it).</summary>
    public void Changed(string name, long reads, long writes, bool saved = false)
    {
        _moved.TryGetValue(name, out var moved);
        _moved[name] = (Figures.Add(moved.Reads, Math.Max(0, reads)), Figures.Add(moved.Writes, Math.Max(0, writes)));
        _removed.Remove(name);
        if (keepUnsaved && !saved)
            _unsaved.Add(name);
    }

    /// <summary>The disk bytes a process moved (beside <see cref="Changed"/>, which every change calls).</summary>
    public void DiskChanged(string name, long reads, long writes)
    {
        if (reads <= 0 && writes <= 0)
            return;
        _diskMoved.TryGetValue(name, out var moved);
        _diskMoved[name] = (Figures.Add(moved.Reads, Math.Max(0, reads)), Figures.Add(moved.Writes, Math.Max(0, writes)));
    }

    /// <summary>The disk bytes each process moved since the last call; then starts afresh.</summary>
    public IReadOnlyDictionary<string, (long Reads, long Writes)> TakeDiskMoved()
    {
        var taken = new Dictionary<string, (long Reads, long Writes)>(_diskMoved, StringComparer.Ordinal);
        _diskMoved.Clear();
        return taken;
    }

    public void Removed(string name)
    {
        _diskMoved.Remove(name);
        _moved.Remove(name);
        _removed.Add(name);
        if (!keepUnsaved)
            return;
        _unsaved.Remove(name);
        _deletedUnsaved.Add(name);
    }

    public void Reset()
    {
        _diskMoved.Clear();
        _moved.Clear();
        _removed.Clear();
        _reset = true;
        if (!keepUnsaved)
            return;
        _unsaved.Clear();
        _deletedUnsaved.Clear();
        _resetUnsaved = true;
    }

    public void CountersChanged() => _countersChanged = true;

    /// <summary>What the next push says: processes that changed with the bytes they moved, processes removed,
    /// and whether everything was reset; then starts afresh.</summary>
    public (IReadOnlyDictionary<string, (long Reads, long Writes)> Changed, IReadOnlyList<string> Removed, bool Reset) TakePush()
    {
        var taken = (new Dictionary<string, (long, long)>(_moved, StringComparer.Ordinal), (IReadOnlyList<string>)[.. _removed], _reset);
        _moved.Clear();
        _removed.Clear();
        _reset = false;
        _countersChanged = false;
        return taken;
    }

    /// <summary>What the database has not seen: processes changed, processes deleted, and a reset; then starts afresh.</summary>
    public (IReadOnlyList<string> Changed, IReadOnlyList<string> Deleted, bool Reset) TakeUnsaved()
    {
        var taken = ((IReadOnlyList<string>)[.. _unsaved], (IReadOnlyList<string>)[.. _deletedUnsaved], _resetUnsaved);
        _unsaved.Clear();
        _deletedUnsaved.Clear();
        _resetUnsaved = false;
        return taken;
    }
}
