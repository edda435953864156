using Akka.Actor;
using IoSnoop.Actors.Events;

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

    /// <summary>Set files from saved figures; answered with <see cref="FilesSet"/>.</summary>
    public sealed record SetFiles(IReadOnlyList<FileSummary> Files);

    public sealed record FilesSet(string Name, int Files);

}

/// <summary>
/// Owns one process name's file map. All processes with that name (every run of <c>clang</c> in a build)
/// are summed here. A thin shell around <see cref="FileTable"/>.
/// </summary>
public sealed class ProcessActor : ReceiveActor
{
    private readonly string _name;
    private readonly FileTable _files = new();

    public ProcessActor(string name)
    {
        _name = name;
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
                });
            Sender.Tell(new ProcessProtocol.FilesSet(_name, _files.Count));
        });
    }

    public static Props Props(string name) => Akka.Actor.Props.Create(() => new ProcessActor(name));

    private ProcessFiles Snapshot() =>
        new(_name, true,
            new ProcessSummary(_name, _files.ReadBytes, _files.WrittenBytes, _files.LastUpdated, _files.Operations, _files.Count),
            _files.Snapshot());
}
