using Akka.Actor;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Processes;

/// <summary>The messages one process actor answers. Every answer that follows a change carries the process's
/// figures after it, so that its parent's view of them is always the last one this actor reported.</summary>
public static class ProcessProtocol
{
    /// <summary>Add a batch's part for this process; answered with <see cref="Added"/>.</summary>
    public sealed record Add(ProcessDelta Delta, DateTimeOffset At, long BatchId);

    public sealed record Added(long BatchId, ProcessSummary Summary);

    /// <summary>Answered with <see cref="ProcessFiles"/>.</summary>
    public sealed record GetFiles
    {
        public static GetFiles Instance { get; } = new();
    }

    /// <summary>Set files from saved figures; answered with <see cref="Changed"/>. <see cref="Saved"/>: the figures
    /// come from the database, so they need no writing.</summary>
    public sealed record Load(IReadOnlyList<FileSummary> Files, bool Saved);

    /// <summary>The figures after a load or a removal.</summary>
    public sealed record Changed(ProcessSummary Summary);

    /// <summary>The <c>-t</c>/<c>-s</c> pass: merge the small idle files. Answered with <see cref="Merged"/>.</summary>
    public sealed record MergeSmall(long Threshold, DateTimeOffset IdleBefore);

    /// <summary>The cap on tracked files: merge this many of the least significant files. Answered with <see cref="Merged"/>.</summary>
    public sealed record MergeLeastSignificant(int Count, DateTimeOffset RecentAfter);

    /// <summary><see cref="ForCap"/>: the answer to <see cref="MergeLeastSignificant"/>.</summary>
    public sealed record Merged(int Count, bool ForCap, ProcessSummary Summary);

    /// <summary>Answered with <see cref="PathList"/>: the paths of the files, the merged row left out.</summary>
    public sealed record GetPaths
    {
        public static GetPaths Instance { get; } = new();
    }

    public sealed record PathList(string Name, IReadOnlyList<string> Paths);

    /// <summary>Answered with <see cref="PathsFound"/>: which of these paths this process touched.</summary>
    public sealed record FindPaths(IReadOnlyList<string> Paths);

    public sealed record PathsFound(string Name, IReadOnlyList<string> Found);

    /// <summary>Forget these paths (launchd de-duplication); answered with <see cref="Changed"/>.</summary>
    public sealed record RemovePaths(IReadOnlyCollection<string> Paths);

    /// <summary>Answered with <see cref="FileChanges"/>: what changed since the last time (every file when <see cref="All"/>).</summary>
    public sealed record TakeChanges(bool All);

    public sealed record FileChanges(string Name, IReadOnlyList<FileSummary> Changed, IReadOnlyList<string> Removed);

}

/// <summary>
/// Owns one process name's files (a <see cref="FileTable"/>): every process with that name (every run of
/// <c>clang</c> in a build) is summed here. Nothing else reads or writes the table; others ask.
/// </summary>
/// <remarks>Its parent stops it after the messages already sent to it (<see cref="PoisonPill"/>) when the process
/// is deleted, and at once when it fails (see <see cref="ProcessesActor"/>'s supervision). When it stops, its table
/// gives its paths back to the pool.</remarks>
public sealed class ProcessActor : ReceiveActor
{
    private readonly FileTable _files;

    public ProcessActor(string name, bool trackChanges, PathPool paths)
    {
        var files = _files = new FileTable(paths, trackChanges);
        var mergedPath = MergedFiles.PathFor(name);
        ProcessSummary Summary() => new(name, files.Reads, files.Writes, files.LastUpdated, files.Events, files.Count)
        {
            DiskReads = files.DiskReads,
            DiskWrites = files.DiskWrites,
        };

        Receive<ProcessProtocol.Add>(add =>
        {
            files.Add(add.Delta, add.At);
            Sender.Tell(new ProcessProtocol.Added(add.BatchId, Summary()));
        });
        Receive<ProcessProtocol.GetFiles>(_ => Sender.Tell(new ProcessFiles(name, true, Summary(), files.Snapshot())));
        Receive<ProcessProtocol.Load>(load =>
        {
            foreach (var f in load.Files)
                files.Set(f.Path, new FileStats
                {
                    Reads = Math.Max(0, f.Reads),
                    Writes = Math.Max(0, f.Writes),
                    Events = Math.Max(0, f.Events),
                    DiskReads = Math.Max(0, f.DiskReads),
                    DiskWrites = Math.Max(0, f.DiskWrites),
                    LastUpdated = f.LastUpdated,
                }, load.Saved);
            Sender.Tell(new ProcessProtocol.Changed(Summary()));
        });
        Receive<ProcessProtocol.MergeSmall>(merge =>
            Sender.Tell(new ProcessProtocol.Merged(files.MergeSmall(mergedPath, merge.Threshold, merge.IdleBefore), false, Summary())));
        Receive<ProcessProtocol.MergeLeastSignificant>(merge =>
            Sender.Tell(new ProcessProtocol.Merged(files.MergeLeastSignificant(mergedPath, merge.Count, merge.RecentAfter), true, Summary())));
        Receive<ProcessProtocol.GetPaths>(_ => Sender.Tell(new ProcessProtocol.PathList(name, files.Paths())));
        Receive<ProcessProtocol.FindPaths>(find => Sender.Tell(new ProcessProtocol.PathsFound(name, files.Find(find.Paths))));
        Receive<ProcessProtocol.RemovePaths>(remove =>
        {
            files.Remove(remove.Paths);
            Sender.Tell(new ProcessProtocol.Changed(Summary()));
        });
        Receive<ProcessProtocol.TakeChanges>(take =>
        {
            var (changed, removed) = files.TakeChanges(take.All);
            Sender.Tell(new ProcessProtocol.FileChanges(name, changed, removed));
        });
    }

    /// <summary>The table's paths go back to the pool.</summary>
    protected override void PostStop() => _files.Clear();

    public static Props Props(string name, bool trackChanges, PathPool paths) =>
        Akka.Actor.Props.Create(() => new ProcessActor(name, trackChanges, paths));
}
