using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// What changed per process since the last push to the dashboard (the bytes each moved, processes removed, a
/// reset), and what the database must forget at the next flush (processes deleted, a reset). Plain state of the
/// <see cref="ProcessesActor"/>. Which files changed is known only where the files are: each process actor's
/// <see cref="FileTable"/> keeps that for the flush, so nothing here repeats it.
/// </summary>
public sealed class ChangeTracker(bool keepDeletions)
{
    private readonly Dictionary<string, IoBytes> _moved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private bool _reset;
    private bool _countersChanged;
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private bool _resetUnsaved;

    /// <summary>True when the next push has something to say.</summary>
    public bool HasPush => _moved.Count > 0 || _removed.Count > 0 || _reset || _countersChanged;

    /// <summary>A process's figures changed; it moved these bytes, file and disk (a negative figure counts as
    /// zero: a merge or a removal moves none).</summary>
    public void Changed(string name, IoBytes moved)
    {
        var more = moved.AtLeastZero();
        _moved[name] = _moved.TryGetValue(name, out var known) ? known.Plus(more) : more;
        _removed.Remove(name);
    }

    public void Removed(string name)
    {
        _moved.Remove(name);
        _removed.Add(name);
        if (keepDeletions)
            _deleted.Add(name);
    }

    public void Reset()
    {
        _moved.Clear();
        _removed.Clear();
        _reset = true;
        if (!keepDeletions)
            return;
        _deleted.Clear();
        _resetUnsaved = true;
    }

    public void CountersChanged() => _countersChanged = true;

    /// <summary>What the next push says: processes that changed with the bytes they moved, processes removed,
    /// and whether everything was reset; then starts afresh.</summary>
    public (IReadOnlyDictionary<string, IoBytes> Changed, IReadOnlyList<string> Removed, bool Reset) TakePush()
    {
        var taken = (new Dictionary<string, IoBytes>(_moved, StringComparer.Ordinal), (IReadOnlyList<string>)[.. _removed], _reset);
        _moved.Clear();
        _removed.Clear();
        _reset = false;
        _countersChanged = false;
        return taken;
    }

    /// <summary>What the database must forget: processes deleted and whether everything was reset since the last
    /// flush; then starts afresh. A process deleted and seen again is in both: the database forgets it, then
    /// writes what its new actor holds.</summary>
    public (IReadOnlyList<string> Deleted, bool Reset) TakeDeletions()
    {
        var taken = ((IReadOnlyList<string>)[.. _deleted], _resetUnsaved);
        _deleted.Clear();
        _resetUnsaved = false;
        return taken;
    }
}
