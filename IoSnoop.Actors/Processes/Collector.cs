using Akka.Actor;
using Akka.Event;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// Asks each of some process actors one question and replies once every one has answered: a full dump, the
/// changes of a flush, a search. A process actor that stops meanwhile counts as answered; at the timeout it
/// replies with the answers that came and logs the gap. A short-lived child of the <see cref="ProcessesActor"/>,
/// so the parent never waits.
/// </summary>
public sealed class Collector<TAnswer> : ReceiveActor
{
    private readonly List<TAnswer> _answers = [];
    private readonly HashSet<IActorRef> _pending;
    private readonly Func<IReadOnlyList<TAnswer>, object> _reply;
    private readonly IActorRef _replyTo;

    public Collector(IReadOnlyCollection<IActorRef> actors, object question, Func<IReadOnlyList<TAnswer>, object> reply,
        IActorRef replyTo, TimeSpan timeout)
    {
        _reply = reply;
        _replyTo = replyTo;
        _pending = [.. actors];
        foreach (var actor in _pending)
        {
            Context.Watch(actor);
            actor.Tell(question);
        }
        Receive<TAnswer>(answer =>
        {
            _answers.Add(answer);
            Answered(Sender);
        });
        Receive<Terminated>(terminated => Answered(terminated.ActorRef));
        Receive<ReceiveTimeout>(_ =>
        {
            Context.GetLogger().Warning("{0}: {1} process actors did not answer in time", question.GetType().Name, _pending.Count);
            Finish();
        });
        if (_pending.Count == 0)
            Finish();
        else
            Context.SetReceiveTimeout(timeout);
    }

    public static Props Props(IReadOnlyCollection<IActorRef> actors, object question, Func<IReadOnlyList<TAnswer>, object> reply,
        IActorRef replyTo, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new Collector<TAnswer>(actors, question, reply, replyTo, timeout));

    private void Answered(IActorRef actor)
    {
        Context.Unwatch(actor);
        if (_pending.Remove(actor) && _pending.Count == 0)
            Finish();
    }

    private void Finish()
    {
        _replyTo.Tell(_reply(_answers));
        Context.Stop(Self);
    }
}
