namespace IoSnoop.Actors.Events;

/// <summary>
/// Whether the parsing flow reports each process's bytes file by file (<see cref="InstanceFileIo"/>): the process
/// tree turns it on while it follows a tree (<c>iosnoopng run</c>, <c>POST /api/follow</c>) and off when the last
/// follow ends, so that a daemon nobody asks for a followed tree pays nothing for it. Shared by the parsing flow
/// (which reads it) and the process tree (which sets it); nothing else.
/// </summary>
public sealed class FileFollowing
{
    private volatile bool _active;

    public bool Active
    {
        get => _active;
        set => _active = value;
    }
}
