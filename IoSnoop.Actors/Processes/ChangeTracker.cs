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
    private readonly Dictionary<string, Moved> _moved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private bool _reset;
    private bool _countersChanged;
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private bool _resetUnsaved;

    /// <summary>True when the next push has something to say.</summary>
    public bool HasPush => _moved.Count > 0 || _removed.Count > 0 || _reset || _countersChanged;

    /// <summary>A process's figures changed; it moved these bytes, file and disk (a negative figure counts as
    /// zero: a merge or a removal moves none).</summary>
    public void Changed(string name, Moved moved)
    {
        _moved[name] = _moved.TryGetValue(name, out var known) ? known.Plus(moved) : moved.AtLeastZero();
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
    public (IReadOnlyDictionary<string, Moved> Changed, IReadOnlyList<string> Removed, bool Reset) TakePush()
    {
        var taken = (new Dictionary<string, Moved>(_moved, StringComparer.Ordinal), (IReadOnlyList<string>)[.. _removed], _reset);
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

/// <summary>The bytes a process moved since the last push: through the file calls and on the disk.</summary>
public readonly record struct Moved(long Reads, long Writes, long DiskReads = 0, long DiskWrites = 0)
{
    /// <summary>The same figures with negative ones counted as zero.</summary>
    public Moved AtLeastZero() => new(Math.Max(0, Reads), Math.Max(0, Writes), Math.Max(0, DiskReads), Math.Max(0, DiskWrites));

    /// <summary>These figures and another's (its negative ones counted as zero), saturating.</summary>
    public Moved Plus(Moved other)
    {
        var more = other.AtLeastZero();
        return new(Figures.Add(Reads, more.Reads), Figures.Add(Writes, more.Writes),
            Figures.Add(DiskReads, more.DiskReads), Figures.Add(DiskWrites, more.DiskWrites));
    }
}
