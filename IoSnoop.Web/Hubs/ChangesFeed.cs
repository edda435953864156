using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Metrics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace IoSnoop.Web.Hubs;

/// <summary>
/// Subscribes to the processes actor's pushes and hands each to every dashboard connection's own
/// <see cref="ConnectionFeed"/>. Handing over never waits for a client, so a slow or stuck client
/// cannot hold up the processes actor, the other clients, or this feed.
/// </summary>
public sealed class ChangesFeed(ActorRegistry registry, ActorSystem system, DashboardConnections connections) : IHostedService
{
    private IActorRef? _forwarder;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stats = await registry.GetAsync<ProcessesActor>(cancellationToken);
        _forwarder = system.ActorOf(Props.Create(() => new Forwarder(stats, connections)), "hub-feed");
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _forwarder?.Tell(PoisonPill.Instance);
        return Task.CompletedTask;
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef stats, DashboardConnections connections)
        {
            stats.Tell(new ProcessesProtocol.Subscribe(Self));
            Receive<StatsChanges>(connections.Publish);
        }
    }
}

/// <summary>
/// The open dashboard connections, each with its feed; the hub adds and removes them as clients come
/// and go. Counts them and the coalesced pushes for <c>/metrics</c>.
/// </summary>
public sealed class DashboardConnections
{
    /// <summary>
    /// A connection whose socket takes nothing for this long is closed (SignalR's transport send timeout),
    /// which frees what it held; the dashboard reconnects by itself.
    /// </summary>
    public static readonly TimeSpan StuckClientTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ConnectionFeed> _feeds = new(StringComparer.Ordinal);
    private readonly IHubContext<DashboardHub> _hub;
    private readonly ILogger<DashboardConnections> _log;
    private readonly Gauge _connections;
    private readonly Counter _coalesced;

    public DashboardConnections(IHubContext<DashboardHub> hub, ProcessMetrics metrics, ILogger<DashboardConnections> log)
    {
        _hub = hub;
        _log = log;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _connections = factory.CreateGauge("iosnoopng_dashboard_connections", "Open dashboard (hub) connections");
        _coalesced = factory.CreateCounter("iosnoopng_dashboard_updates_coalesced_total",
            "Pushes merged into the next one because a dashboard connection had not taken the previous one yet");
    }

    public int Count => _feeds.Count;

    /// <summary>Pushes merged for slow connections since the daemon started.</summary>
    public long Coalesced => (long)_coalesced.Value;

    public void Connected(string connectionId)
    {
        _feeds[connectionId] = new ConnectionFeed(connectionId, Send, OnSendFailed, () => _coalesced.Inc());
        _connections.Set(_feeds.Count);
    }

    public void Disconnected(string connectionId)
    {
        if (_feeds.TryRemove(connectionId, out var feed))
            feed.Close();
        _connections.Set(_feeds.Count);
    }

    /// <summary>Offers one push to every connection; returns at once.</summary>
    public void Publish(StatsChanges changes)
    {
        var push = new SerializedChanges(changes);
        foreach (var feed in _feeds.Values)
            feed.Offer(push);
    }

    private Task Send(string connectionId, SerializedChanges changes) =>
        _hub.Clients.Client(connectionId).SendAsync(DashboardHub.ChangesMethod, changes);

    private void OnSendFailed(Exception e) =>
        _log.LogDebug("Pushing changes to a dashboard connection failed: {Message}", e.Message);
}
