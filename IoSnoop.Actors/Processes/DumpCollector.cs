using Akka.Actor;
using Akka.Event;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// Answers one full-dump request: asks every process actor for its files and replies with all of them
/// once every answer is in (or, after the timeout, with the answers that came, logging the gap).
/// A short-lived child of the stats actor, so the stats actor never waits.
/// </summary>
public sealed class DumpCollector : ReceiveActor
{
    private readonly IActorRef _replyTo;
    private readonly long _events;
    private readonly Dictionary<string, IReadOnlyList<FileSummary>> _collected = new(StringComparer.Ordinal);
    private int _pending;

    public DumpCollector(IReadOnlyCollection<IActorRef> processes, IActorRef replyTo, long events, TimeSpan timeout)
    {
        _replyTo = replyTo;
        _events = events;
        _pending = processes.Count;
        foreach (var process in processes)
            process.Tell(ProcessProtocol.GetFiles.Instance);
        if (_pending == 0)
        {
            Finish();
            return;
        }
        Context.SetReceiveTimeout(timeout);
        Receive<ProcessFiles>(files =>
        {
            _collected[files.Name] = files.Files;
            if (--_pending == 0)
                Finish();
        });
        Receive<ReceiveTimeout>(_ =>
        {
            Context.GetLogger().Warning("Full dump: {0} process actors did not answer in time", _pending);
            Finish();
        });
    }

    public static Props Props(IReadOnlyCollection<IActorRef> processes, IActorRef replyTo, long events, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new DumpCollector(processes, replyTo, events, timeout));

    private void Finish()
    {
        _replyTo.Tell(new FullDump(_events, _collected));
        Context.Stop(Self);
    }
}
