using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using IoSnoop.Actors.Processes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;

namespace IoSnoop.Web.Hubs;

/// <summary>Subscribes to the stats actor's pushes and sends each to every dashboard connection.</summary>
public sealed class ChangesFeed(ActorRegistry registry, ActorSystem system, IHubContext<StatsHub> hub) : IHostedService
{
    private IActorRef? _forwarder;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stats = await registry.GetAsync<StatsActor>(cancellationToken);
        _forwarder = system.ActorOf(Props.Create(() => new Forwarder(stats, hub)), "hub-feed");
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _forwarder?.Tell(PoisonPill.Instance);
        return Task.CompletedTask;
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef stats, IHubContext<StatsHub> hub)
        {
            stats.Tell(new StatsProtocol.Subscribe(Self));
            ReceiveAsync<StatsChanges>(async changes =>
            {
                try
                {
                    await hub.Clients.All.SendAsync(StatsHub.ChangesMethod, changes);
                }
                catch (Exception e)
                {
                    Context.GetLogger().Warning("Pushing changes to the dashboard failed: {0}", e.Message);
                }
            });
        }
    }
}
