using System.Net;
using System.Text;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Security;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Hubs;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// Dashboard clients that stop reading, on real Kestrel with a tracer that keeps thousands of processes
/// busy (large pushes ten times a second): they get merged pushes, hold up neither ingestion nor the
/// other clients, and are closed once they have taken nothing for <see cref="DashboardConnections.StuckClientTimeout"/>.
/// </summary>
public sealed class SlowClientSpecs : IAsyncLifetime
{
    private const int Processes = 3000;
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-slow-").FullName;
    private RunningDaemon _daemon = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < Processes; i++)
            lines.Append($"a-process-with-a-long-name-number-{i:D5}|0|{i + 1}|/data/dir/file-{i}.bin\n");
        var trace = Path.Combine(_dir, "many.trace");
        await File.WriteAllTextAsync(trace, lines.ToString());
        _daemon = await RunningDaemon.Start(new DaemonOptions { PushIntervalSeconds = 0.1 }, new FakeTracerSource("repeat", trace));
        await _daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == Processes, TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<long> Events() =>
        (await _daemon.WaitForStatus(_ => true, TimeSpan.FromSeconds(30))).GetProperty("totals").GetProperty("events").GetInt64();

    [Fact]
    public async Task Clients_that_stop_reading_hold_up_neither_ingestion_nor_the_other_clients_and_are_closed_in_the_end()
    {
        var connections = _daemon.Services.GetRequiredService<DashboardConnections>();
        var hub = new Uri(_daemon.Address, "/hub/stats");
        var stuck = new List<System.Net.WebSockets.ClientWebSocket>();
        for (var i = 0; i < 3; i++)
        {
            // A tiny receive buffer that is never read: the daemon's sends to it soon stop completing.
            var (socket, status) = await HubSockets.Connect(hub, receiveBuffer: 4096, cancel: Cancel);
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            Assert.True(await HubSockets.Handshake(socket!, Cancel));
            stuck.Add(socket!);
        }

        var pushes = 0;
        await using var fast = new HubConnectionBuilder().WithUrl(hub).Build();
        fast.On<JsonElement>("changes", _ => Interlocked.Increment(ref pushes));
        await fast.StartAsync(Cancel);
        // The server registers a connection just after the handshake it answered: wait for the fourth.
        await Poll.Until(() => connections.Count >= 4, TimeSpan.FromSeconds(30), "four connections registered",
            () => $"{connections.Count} connections registered");
        Assert.Equal(4, connections.Count);

        // Wait until the stuck clients' sends no longer complete and pushes to them are being merged.
        await Poll.Until(() => connections.Coalesced >= 30, TimeSpan.FromSeconds(60), "pushes to stuck clients coalesced",
            () => $"only {connections.Coalesced} pushes coalesced");

        // From now on pushes keep reaching the fast client, events keep being ingested and each stuck client's
        // pushes are merged rather than queued: all three go on, however slow the machine (bounded generously).
        var pushesBefore = Volatile.Read(ref pushes);
        var eventsBefore = await Events();
        var coalescedBefore = connections.Coalesced;
        long events = 0;
        await Poll.Until(async () => events = await Events() - eventsBefore,
            _ => Volatile.Read(ref pushes) - pushesBefore >= 5 && events >= Processes * 3 && connections.Coalesced - coalescedBefore >= 3 * 5,
            TimeSpan.FromSeconds(60), "pushes to the fast client, ingestion and coalescing for the stuck ones",
            _ => $"{Volatile.Read(ref pushes) - pushesBefore} pushes, {events} events, {connections.Coalesced - coalescedBefore} coalesced");

        // A client that takes nothing at all is closed after a while, and what it held with it.
        await Poll.Until(() => connections.Count == 1, DashboardConnections.StuckClientTimeout + TimeSpan.FromSeconds(30),
            "stuck clients dropped", () => $"{connections.Count - 1} stuck clients still connected");
        Assert.Equal(HubConnectionState.Connected, fast.State);

        foreach (var socket in stuck)
            socket.Abort();
    }
}
