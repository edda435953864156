
namespace IoSnoop.Actors.Processes;

/// <summary>The counters kept beside the files: events, lines that did not parse, events the tracer lost.</summary>
public sealed record StoredCounters(long Events, long MalformedLines, long DroppedEvents);

/// <summary>One process's files that changed (to write) and were removed (to delete) since the last flush.</summary>
public sealed record ProcessFileChanges(string Process, IReadOnlyList<FileSummary> Changed, IReadOnlyList<string> Removed);

/// <summary>
/// Everything a flush writes in one transaction, in this order: a reset (forget all), deleted processes,
/// when <see cref="All"/> every file row anew, removed paths, changed files, the counters, and the history
/// samples added to their buckets.
/// </summary>
public sealed record StoreChanges(
    bool Reset,
    bool All,
    IReadOnlyList<string> DeletedProcesses,
    IReadOnlyList<ProcessFileChanges> Files,
    StoredCounters Counters,
    IReadOnlyList<HistorySample> History)
{
    public int FileRows => Files.Sum(f => f.Changed.Count + f.Removed.Count);
}
