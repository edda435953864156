using Akka.Actor;
using Akka.Event;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// Answers one flush: asks the process actors that changed (every one when <c>all</c>) for their changes
/// and replies with them, together with what the stats actor itself handed over (resets, deleted
/// processes, counters, history), once every answer is in. A process actor that stops meanwhile counts
/// as answered; after the timeout it replies with what came. A short-lived child of the stats actor.
/// </summary>
public sealed class ChangesCollector : ReceiveActor
{
    private readonly IActorRef _replyTo;
    private readonly StoreChanges _header;
    private readonly List<ProcessFileChanges> _files = [];
    private readonly HashSet<IActorRef> _pending;

    public ChangesCollector(IReadOnlyCollection<IActorRef> processes, bool all, StoreChanges header, IActorRef replyTo, TimeSpan timeout)
    {
        _replyTo = replyTo;
        _header = header;
        _pending = [.. processes];
        foreach (var process in _pending)
        {
            Context.Watch(process);
            process.Tell(new ProcessProtocol.TakeChanges(all));
        }
        if (_pending.Count == 0)
        {
            Finish();
            return;
        }
        Context.SetReceiveTimeout(timeout);
        Receive<ProcessProtocol.FileChanges>(changes =>
        {
            if (changes.Changed.Count > 0 || changes.Removed.Count > 0)
                _files.Add(new ProcessFileChanges(changes.Name, changes.Changed, changes.Removed));
            Answered(Sender);
        });
        Receive<Terminated>(terminated => Answered(terminated.ActorRef));
        Receive<ReceiveTimeout>(_ =>
        {
            Context.GetLogger().Warning("Flush: {0} process actors did not hand over their changes in time", _pending.Count);
            Finish();
        });
    }

    public static Props Props(IReadOnlyCollection<IActorRef> processes, bool all, StoreChanges header, IActorRef replyTo, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new ChangesCollector(processes, all, header, replyTo, timeout));

    private void Answered(IActorRef process)
    {
        Context.Unwatch(process);
        if (_pending.Remove(process) && _pending.Count == 0)
            Finish();
    }

    private void Finish()
    {
        _replyTo.Tell(_header with { Files = _files });
        Context.Stop(Self);
    }
}
