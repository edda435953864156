using System.Net.Http.Json;
using System.Text.Json;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IoSnoop.Specs.Support;

/// <summary>The whole daemon, in this process, on real Kestrel on a random loopback port.</summary>
public sealed class RunningDaemon : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningDaemon(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<RunningDaemon> Start(DaemonOptions options, ITraceSource? live = null, Serilog.ILogger? logger = null)
    {
        var app = DaemonApp.Build(options with { Listen = "127.0.0.1:0" }, live, logger ?? DaemonApp.CreateLogger("warn"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningDaemon(app, new Uri(address));
    }

    /// <summary>Polls <c>/api/status</c> until the condition holds, or fails after the deadline.</summary>
    public async Task<JsonElement> WaitForStatus(Func<JsonElement, bool> condition, TimeSpan within)
        => await Poll.Until(() => Http.GetFromJsonAsync<JsonElement>("/api/status"), condition, within, "/api/status");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
