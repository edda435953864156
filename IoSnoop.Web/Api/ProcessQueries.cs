using Akka.Actor;
using Akka.Hosting;
using IoSnoop.Actors.Processes;

namespace IoSnoop.Web.Api;

/// <summary>The queries the API, the hub and the metrics make of the processes actor, each an Ask with a finite timeout.</summary>
public sealed class ProcessQueries(IRequiredActor<ProcessesActor> stats, WebSettings settings)
{
    private IActorRef Stats => stats.ActorRef;

    public Task<Overview> Overview(CancellationToken cancel = default) =>
        Stats.Ask<Overview>(ProcessesProtocol.GetOverview.Instance, settings.AskTimeout, cancel);

    public Task<ProcessFiles> Files(string name, CancellationToken cancel = default) =>
        Stats.Ask<ProcessFiles>(new ProcessesProtocol.GetProcessFiles(name), settings.AskTimeout, cancel);

    public Task<FullDump> FullDump(CancellationToken cancel = default) =>
        Stats.Ask<FullDump>(ProcessesProtocol.GetFullDump.Instance, settings.AskTimeout + settings.AskTimeout, cancel);

    public async Task<bool> Delete(string name, CancellationToken cancel = default) =>
        (await Stats.Ask<ProcessesProtocol.ProcessDeleted>(new ProcessesProtocol.DeleteProcess(name), settings.AskTimeout, cancel)
            .ConfigureAwait(false)).Existed;

    public Task Reset(CancellationToken cancel = default) =>
        Stats.Ask<ProcessesProtocol.ResetDone>(ProcessesProtocol.ResetAll.Instance, settings.AskTimeout, cancel);
}

/// <summary>Settings of the web side.</summary>
/// <param name="AskTimeout">How long a query of the actors may take before the request fails.</param>
public sealed record WebSettings(TimeSpan AskTimeout)
{
    public static WebSettings Default { get; } = new(TimeSpan.FromSeconds(5));

    /// <summary>Heavy queries (every process, every file, history) answered at once (<see cref="HeavyQueries"/>).</summary>
    public int MaxHeavyQueries { get; init; } = 2;

    /// <summary>Heavy queries that wait for a turn; beyond them a query is answered 503 at once.</summary>
    public int MaxQueuedQueries { get; init; } = 8;

    /// <summary>How long a heavy query waits for its turn before it is answered 503.</summary>
    public TimeSpan QueueWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A client that takes nothing of an answer for this long has its connection closed.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
