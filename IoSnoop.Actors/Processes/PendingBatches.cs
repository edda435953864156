using Akka.Actor;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// Batches sent to process actors and not yet added by all of them. The stream that sent a batch gets its
/// acknowledgement only once every process actor of the batch has answered, so a slow process actor slows
/// the tracer down instead of filling its mailbox.
/// </summary>
public sealed class PendingBatches
{
    private readonly Dictionary<long, (IActorRef ReplyTo, int Remaining)> _pending = [];
    private long _lastId;

    public int Count => _pending.Count;

    /// <summary>A new batch that <paramref name="answers"/> process actors will answer; returns its id.</summary>
    public long Start(IActorRef replyTo, int answers)
    {
        _pending[++_lastId] = (replyTo, answers);
        return _lastId;
    }

    /// <summary>One answer for batch <paramref name="id"/>; returns whom to acknowledge when it was the last.</summary>
    public IActorRef? Answered(long id)
    {
        if (!_pending.TryGetValue(id, out var batch))
            return null;
        if (batch.Remaining > 1)
        {
            _pending[id] = batch with { Remaining = batch.Remaining - 1 };
            return null;
        }
        _pending.Remove(id);
        return batch.ReplyTo;
    }

    /// <summary>Gives up waiting for every batch (a process actor was deleted or failed and will not answer):
    /// returns whom to acknowledge. Answers still on their way are ignored.</summary>
    public IReadOnlyList<IActorRef> TakeAll()
    {
        var replyTo = _pending.Values.Select(b => b.ReplyTo).ToList();
        _pending.Clear();
        return replyTo;
    }
}
