using Akka.Actor;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;

namespace IoSnoop.Actors.Processes;

/// <summary>The messages one process actor answers.</summary>
public static class ProcessProtocol
{
    /// <summary>Add a batch's sums for this process; answered with <see cref="Recorded"/>.</summary>
    public sealed record Record(ProcessDelta Delta, DateTimeOffset At, long BatchId);

    /// <summary>The batch's sums are in; <see cref="Files"/> is how many files the process has now.</summary>
    public sealed record Recorded(string Name, long BatchId, int Files);

    /// <summary>Answered with <see cref="ProcessFiles"/>.</summary>
    public sealed record GetFiles
    {
        public static GetFiles Instance { get; } = new();
    }

    /// <summary>Set files from saved figures; answered with <see cref="FilesSet"/>. <see cref="Saved"/>:
    /// the figures come from the database, so they need no writing.</summary>
    public sealed record SetFiles(IReadOnlyList<FileSummary> Files, bool Saved = false);

    public sealed record FilesSet(string Name, int Files);

    /// <summary>The <c>-t</c>/<c>-s</c> pass: merge the small idle files. Answered with <see cref="FilesMerged"/>.</summary>
    public sealed record MergeSmall(long Threshold, DateTimeOffset IdleBefore);

    /// <summary>The cap on tracked files: merge this many of the least significant files. Answered with <see cref="FilesMerged"/>.</summary>
    public sealed record MergeLeastSignificant(int Count, DateTimeOffset RecentAfter);

    /// <summary><see cref="ForCap"/>: the answer to <see cref="MergeLeastSignificant"/>.</summary>
    public sealed record FilesMerged(string Name, int Merged, int Files, bool ForCap);

    /// <summary>Answered with <see cref="PathList"/>: the paths of the files, merged rows left out.</summary>
    public sealed record GetPaths
    {
        public static GetPaths Instance { get; } = new();
    }

    public sealed record PathList(string Name, IReadOnlyList<string> Paths);

    /// <summary>Answered with <see cref="PathsFound"/>: which of these paths this process touched.</summary>
    public sealed record FindPaths(IReadOnlyList<string> Paths);

    public sealed record PathsFound(string Name, IReadOnlyList<string> Found);

    /// <summary>Forget these paths (launchd de-duplication); answered with <see cref="PathsRemoved"/>.</summary>
    public sealed record RemovePaths(IReadOnlyCollection<string> Paths);

    public sealed record PathsRemoved(string Name, long Reads, long Writes, long Events, int Files);

    /// <summary>Answered with <see cref="FileChanges"/>: what changed since the last time (every file when <see cref="All"/>).</summary>
    public sealed record TakeChanges(bool All);

    public sealed record FileChanges(string Name, IReadOnlyList<FileSummary> Changed, IReadOnlyList<string> Removed);
}

/// <summary>
/// Owns one process name's file map. All processes with that name (every run of <c>clang</c> in a build)
/// are summed here. A thin shell around <see cref="FileTable"/>.
/// </summary>
/// <remarks>Its parent stops it with a <see cref="PoisonPill"/>, after the batches already sent to it: each
/// holds references on its paths, which only adding it to the table (or the table's clearing) gives back.</remarks>
public sealed class ProcessActor : ReceiveActor
{
    private readonly string _name;
    private readonly string _mergedPath;
    private readonly FileTable _files;

    public ProcessActor(string name, bool trackChanges, PathPool? paths = null)
    {
        _name = name;
        _mergedPath = MergedFiles.PathFor(name);
        _files = new FileTable(trackChanges, paths);
        Receive<ProcessProtocol.Record>(record =>
        {
            _files.Add(record.Delta, record.At);
            Sender.Tell(new ProcessProtocol.Recorded(_name, record.BatchId, _files.Count));
        });
        Receive<ProcessProtocol.GetFiles>(_ => Sender.Tell(Snapshot()));
        Receive<ProcessProtocol.SetFiles>(set =>
        {
            foreach (var f in set.Files)
                _files.Set(f.Path, new FileStats
                {
                    ReadBytes = f.Reads,
                    WrittenBytes = f.Writes,
                    Operations = f.Events,
                    LastUpdated = f.LastUpdated,
                }, set.Saved);
            Sender.Tell(new ProcessProtocol.FilesSet(_name, _files.Count));
        });
        Receive<ProcessProtocol.MergeSmall>(merge =>
        {
            var merged = _files.MergeSmall(_mergedPath, merge.Threshold, merge.IdleBefore);
            Sender.Tell(new ProcessProtocol.FilesMerged(_name, merged, _files.Count, false));
        });
        Receive<ProcessProtocol.MergeLeastSignificant>(merge =>
        {
            var merged = _files.MergeLeastSignificant(_mergedPath, merge.Count, merge.RecentAfter);
            Sender.Tell(new ProcessProtocol.FilesMerged(_name, merged, _files.Count, true));
        });
        Receive<ProcessProtocol.GetPaths>(_ => Sender.Tell(new ProcessProtocol.PathList(_name, _files.Paths())));
        Receive<ProcessProtocol.FindPaths>(find => Sender.Tell(new ProcessProtocol.PathsFound(_name, _files.Find(find.Paths))));
        Receive<ProcessProtocol.RemovePaths>(remove =>
        {
            var removed = _files.Remove(remove.Paths);
            Sender.Tell(new ProcessProtocol.PathsRemoved(_name, removed.ReadBytes, removed.WrittenBytes, removed.Operations, _files.Count));
        });
        Receive<ProcessProtocol.TakeChanges>(take =>
        {
            var (changed, removed) = _files.TakeChanges(take.All);
            Sender.Tell(new ProcessProtocol.FileChanges(_name, changed, removed));
        });
    }

    /// <summary>The table's paths go back to the pool.</summary>
    protected override void PostStop() => _files.Clear();

    public static Props Props(string name, bool trackChanges = false, PathPool? paths = null) =>
        Akka.Actor.Props.Create(() => new ProcessActor(name, trackChanges, paths));

    private ProcessFiles Snapshot() =>
        new(_name, true,
            new ProcessSummary(_name, _files.ReadBytes, _files.WrittenBytes, _files.LastUpdated, _files.Operations, _files.Count),
            _files.Snapshot());
}
