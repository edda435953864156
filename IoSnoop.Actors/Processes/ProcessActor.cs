using Akka.Actor;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Actors.Processes;

/// <summary>The messages one process actor answers.</summary>
public static class ProcessProtocol
{
    /// <summary>Add a batch's sums for this process and note how many files it has now in the batch's tally, at
    /// place <see cref="Index"/>; the last process of the batch to do so answers with <see cref="BatchRecorded"/>.</summary>
    public sealed record Record(ProcessDelta Delta, DateTimeOffset At, BatchTally Tally, int Index);

    /// <summary>Every process of the batch has added its sums (sent by the last one).</summary>
    public sealed record BatchRecorded(BatchTally Tally);

    /// <summary>Answered with <see cref="ProcessFiles"/>.</summary>
    public sealed record GetFiles
    {
        public static GetFiles Instance { get; } = new();
    }

    /// <summary>Set files from saved figures; answered with <see cref="FilesSet"/>. <see cref="Saved"/>:
    /// the figures come from the database, so they need no writing.</summary>
    public sealed record SetFiles(IReadOnlyList<FileSummary> Files, bool Saved = false);

    public sealed record FilesSet(string Name, int Files, long Version);

    /// <summary>The <c>-t</c>/<c>-s</c> pass: merge the small idle files. Answered with <see cref="FilesMerged"/>.</summary>
    public sealed record MergeSmall(long Threshold, DateTimeOffset IdleBefore);

    /// <summary>The cap on tracked files: merge this many of the least significant files. Answered with <see cref="FilesMerged"/>.</summary>
    public sealed record MergeLeastSignificant(int Count, DateTimeOffset RecentAfter);

    /// <summary><see cref="ForCap"/>: the answer to <see cref="MergeLeastSignificant"/>.</summary>
    public sealed record FilesMerged(string Name, int Merged, int Files, bool ForCap, long Version);

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

    public sealed record PathsRemoved(string Name, long Reads, long Writes, long Events, int Files, long Version);

    /// <summary>Answered with <see cref="FileChanges"/>: what changed since the last time (every file when <see cref="All"/>).</summary>
    public sealed record TakeChanges(bool All);

    public sealed record FileChanges(string Name, IReadOnlyList<FileSummary> Changed, IReadOnlyList<string> Removed);
}

/// <summary>
/// Where the process actors of one batch note how many files each has after adding its part, so that a batch
/// costs its processes one answer in all (from the last one) instead of one each.
/// </summary>
/// <remarks>Each process writes only its own places; the count of those still adding is decremented atomically,
/// and the last one's message to the stats actor publishes every place written before it.</remarks>
public sealed class BatchTally(long batchId, int processes)
{
    private readonly int[] _files = new int[processes];
    private readonly long[] _versions = new long[processes];
    private int _remaining = processes;

    public long BatchId { get; } = batchId;

    public int Count => _files.Length;

    /// <summary>Notes place <paramref name="index"/>'s file count; true for the last process of the batch.</summary>
    public bool Recorded(int index, int files, long version)
    {
        _files[index] = files;
        _versions[index] = version;
        return Interlocked.Decrement(ref _remaining) == 0;
    }

    public int FilesAt(int index) => _files[index];

    /// <summary>The process's count of reports when it noted its files (see <see cref="ProcessActor"/>).</summary>
    public long VersionAt(int index) => _versions[index];
}

/// <summary>
/// Owns one process name's file map. All processes with that name (every run of <c>clang</c> in a build)
/// are summed here. A thin shell around <see cref="FileTable"/>.
/// </summary>
/// <remarks>Its parent stops it with a <see cref="PoisonPill"/>, after the batches already sent to it: each
/// holds references on its paths, which only adding it to the table (or the table's clearing) gives back.
/// Every file count it reports carries a version, its count of reports so far: counts noted in a batch's
/// tally reach the parent with the batch's last process, possibly after a later count this actor sent
/// itself, and the parent keeps the count with the highest version.</remarks>
public sealed class ProcessActor : UntypedActor
{
    private readonly string _name;
    private readonly string _mergedPath;
    private readonly FileTable _files;
    private long _reports;

    public ProcessActor(string name, bool trackChanges, PathPool? paths = null)
    {
        _name = name;
        _mergedPath = MergedFiles.PathFor(name);
        _files = new FileTable(trackChanges, paths);
    }

    /// <remarks>One plain switch rather than a <see cref="ReceiveActor"/>'s handlers: the stats actor makes a
    /// thousand and more of these at once when a busy machine's first batch comes, and each gets a message per
    /// batch; building and matching the handlers was a part of both.</remarks>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ProcessProtocol.Record record:
                _files.Add(record.Delta, record.At);
                if (record.Tally.Recorded(record.Index, _files.Count, ++_reports))
                    Sender.Tell(new ProcessProtocol.BatchRecorded(record.Tally));
                break;
            case ProcessProtocol.MergeLeastSignificant merge:
                Sender.Tell(Merged(_files.MergeLeastSignificant(_mergedPath, merge.Count, merge.RecentAfter), forCap: true));
                break;
            case ProcessProtocol.GetFiles:
                Sender.Tell(Snapshot());
                break;
            case ProcessProtocol.SetFiles set:
                foreach (var f in set.Files)
                    _files.Set(f.Path, new FileStats
                    {
                        ReadBytes = f.Reads,
                        WrittenBytes = f.Writes,
                        Operations = f.Events,
                        LastUpdated = f.LastUpdated,
                    }, set.Saved);
                Sender.Tell(new ProcessProtocol.FilesSet(_name, _files.Count, ++_reports));
                break;
            case ProcessProtocol.MergeSmall merge:
                Sender.Tell(Merged(_files.MergeSmall(_mergedPath, merge.Threshold, merge.IdleBefore), forCap: false));
                break;
            case ProcessProtocol.GetPaths:
                Sender.Tell(new ProcessProtocol.PathList(_name, _files.Paths()));
                break;
            case ProcessProtocol.FindPaths find:
                Sender.Tell(new ProcessProtocol.PathsFound(_name, _files.Find(find.Paths)));
                break;
            case ProcessProtocol.RemovePaths remove:
            {
                var removed = _files.Remove(remove.Paths);
                Sender.Tell(new ProcessProtocol.PathsRemoved(_name, removed.ReadBytes, removed.WrittenBytes, removed.Operations, _files.Count, ++_reports));
                break;
            }
            case ProcessProtocol.TakeChanges take:
            {
                var (changed, removed) = _files.TakeChanges(take.All);
                Sender.Tell(new ProcessProtocol.FileChanges(_name, changed, removed));
                break;
            }
            default:
                Unhandled(message);
                break;
        }
    }

    private ProcessProtocol.FilesMerged Merged(int merged, bool forCap) =>
        new(_name, merged, _files.Count, forCap, ++_reports);

    /// <summary>The table's paths go back to the pool.</summary>
    protected override void PostStop() => _files.Clear();

    public static Props Props(string name, bool trackChanges = false, PathPool? paths = null) =>
        Akka.Actor.Props.Create(() => new ProcessActor(name, trackChanges, paths));

    private ProcessFiles Snapshot() =>
        new(_name, true,
            new ProcessSummary(_name, _files.ReadBytes, _files.WrittenBytes, _files.LastUpdated, _files.Operations, _files.Count),
            _files.Snapshot());
}
