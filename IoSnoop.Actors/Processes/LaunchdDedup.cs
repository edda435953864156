using Akka.Actor;
using Akka.Event;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// The <c>-d</c> pass: launchd writes on behalf of other processes, so a path that another process also
/// touched is not counted for launchd. Asks launchd for its paths, asks every other process actor which of
/// them it has, and tells launchd to forget those. The merge pass of every process runs after that: the
/// others' right after they were asked (so a path is found before it is merged), launchd's after the
/// removal (so a shared path is removed rather than merged). The process actors answer the processes actor
/// (this actor's parent). A short-lived child of the processes actor.
/// </summary>
public sealed class LaunchdDedup : ReceiveActor
{
    /// <summary>The process name the original de-duplicates.</summary>
    public const string Launchd = "launchd";

    private readonly IActorRef _launchd;
    private readonly IReadOnlyCollection<IActorRef> _others;
    private readonly object? _mergeAfter;
    private bool _othersMerged;
    private readonly HashSet<string> _shared = new(StringComparer.Ordinal);
    private int _pending;

    public LaunchdDedup(IActorRef launchd, IReadOnlyCollection<IActorRef> others, object? mergeAfter, TimeSpan timeout)
    {
        _launchd = launchd;
        _others = others;
        _mergeAfter = mergeAfter;
        Context.SetReceiveTimeout(timeout);
        launchd.Tell(ProcessProtocol.GetPaths.Instance);
        Receive<ProcessProtocol.PathList>(list =>
        {
            _pending = others.Count;
            if (list.Paths.Count == 0 || _pending == 0)
            {
                Finish();
                return;
            }
            var find = new ProcessProtocol.FindPaths(list.Paths);
            foreach (var other in others)
            {
                other.Tell(find);
                if (mergeAfter is not null)
                    other.Tell(mergeAfter, Context.Parent);
            }
            _othersMerged = true;
        });
        Receive<ProcessProtocol.PathsFound>(found =>
        {
            _shared.UnionWith(found.Found);
            if (--_pending == 0)
                Finish();
        });
        Receive<ReceiveTimeout>(_ =>
        {
            Context.GetLogger().Warning("launchd de-duplication: {0} process actors did not answer in time", _pending);
            Finish();
        });
    }

    public static Props Props(IActorRef launchd, IReadOnlyCollection<IActorRef> others, object? mergeAfter, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new LaunchdDedup(launchd, others, mergeAfter, timeout));

    private void Finish()
    {
        if (!_othersMerged && _mergeAfter is not null)
            foreach (var other in _others)
                other.Tell(_mergeAfter, Context.Parent);
        if (_shared.Count > 0)
            _launchd.Tell(new ProcessProtocol.RemovePaths(_shared), Context.Parent);
        if (_mergeAfter is not null)
            _launchd.Tell(_mergeAfter, Context.Parent);
        Context.Parent.Tell(ProcessesProtocol.LaunchdDedupDone.Instance);
        Context.Stop(Self);
    }
}
