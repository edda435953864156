namespace IoSnoop.Web.Hubs;

/// <summary>
/// The pushes to one dashboard connection. At most one send is in flight; pushes that arrive meanwhile
/// are merged into one pending push (<see cref="ChangesMerge"/>), sent when the connection has taken
/// the previous one. A client that cannot keep up so gets fewer, coarser updates, and holds at most
/// one send and one merged push, whatever its speed; nobody waits for it.
/// </summary>
public sealed class ConnectionFeed(string connectionId, Func<string, SerializedChanges, Task> send,
    Action<Exception>? onSendFailed = null, Action? onCoalesced = null)
{
    private readonly Lock _gate = new();
    private SerializedChanges? _pending;
    private bool _sending;
    private bool _closed;

    public string ConnectionId { get; } = connectionId;

    /// <summary>Pushes folded into a pending one because a send was still in flight.</summary>
    public long Coalesced { get; private set; }

    /// <summary>True while a push is pending behind the one in flight.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
                return _pending is not null;
        }
    }

    /// <summary>Sends <paramref name="changes"/> now, or merges it into the pending push. Never waits.</summary>
    public void Offer(SerializedChanges changes)
    {
        lock (_gate)
        {
            if (_closed)
                return;
            if (_sending)
            {
                _pending = _pending is null ? changes : new SerializedChanges(ChangesMerge.Merge(_pending.Changes, changes.Changes));
                Coalesced++;
                onCoalesced?.Invoke();
                return;
            }
            _sending = true;
        }
        _ = SendAll(changes);
    }

    /// <summary>The connection is gone: drop what is pending, send nothing more.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _pending = null;
        }
    }

    private async Task SendAll(SerializedChanges first)
    {
        var next = first;
        while (true)
        {
            try
            {
                await send(ConnectionId, next).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                onSendFailed?.Invoke(e);
            }
            lock (_gate)
            {
                if (_pending is null || _closed)
                {
                    _sending = false;
                    _pending = null;
                    return;
                }
                next = _pending;
                _pending = null;
            }
        }
    }
}
