using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Security;

/// <summary>
/// DNS rebinding and cross-site requests on real Kestrel, on a daemon without a token (the default on
/// loopback): foreign <c>Host</c>s are refused everywhere, foreign <c>Origin</c>s on the hub and on
/// deletes; scripts (no Origin) and the dashboard's own page keep working.
/// </summary>
public sealed class RefusalSpecs : IAsyncLifetime
{
    private const string Foreign = "http://evil.example";
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-refusal-").FullName;
    private readonly CapturedLog _log = new();
    private RunningDaemon _daemon = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;
    private int Port => _daemon.Address.Port;
    private string SameOrigin => $"http://127.0.0.1:{Port}";
    private Uri Hub => new(_daemon.Address, "/hub/stats");

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace, AllowedHosts = ["box.lan"] },
            logger: _log.Logger);
        await _daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? host = null, string? origin = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (host is not null)
            request.Headers.Host = host;
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return await _daemon.Http.SendAsync(request, Cancel);
    }

    private async Task<int> Processes() =>
        (await _daemon.Http.GetFromJsonAsync<JsonElement>("/api/status", Cancel)).GetProperty("processes").GetInt32();

    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/api/stats-full")]
    [InlineData("/metrics")]
    [InlineData("/")]
    [InlineData("/cc")]
    [InlineData("/hub/stats/negotiate?negotiateVersion=1")]
    public async Task A_foreign_host_is_refused_on_every_route(string path)
    {
        var method = path.Contains("negotiate") ? HttpMethod.Post : HttpMethod.Get;
        using var response = await Send(method, path, host: $"evil.example:{Port}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("is not allowed", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task A_rebound_name_is_refused_even_on_the_right_port_and_a_loopback_name_on_another()
    {
        using var rebound = await Send(HttpMethod.Get, "/api/stats", host: $"127.0.0.1.evil.example:{Port}");
        Assert.Equal(HttpStatusCode.Forbidden, rebound.StatusCode);
        using var otherPort = await Send(HttpMethod.Get, "/api/stats", host: $"localhost:{Port + 1}");
        Assert.Equal(HttpStatusCode.Forbidden, otherPort.StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("[::1]")]
    public async Task The_loopback_names_with_the_port_are_answered(string name)
    {
        using var response = await Send(HttpMethod.Get, "/api/stats", host: $"{name}:{Port}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_configured_name_is_answered()
    {
        using var response = await Send(HttpMethod.Get, "/api/stats", host: "box.lan");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/api/stats/cc")]
    [InlineData("/api/stats-full")]
    [InlineData("/api/status")]
    [InlineData("/metrics")]
    public async Task Scripts_without_an_origin_read_every_route(string path)
    {
        using var response = await Send(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_delete_from_a_foreign_origin_is_refused_and_deletes_nothing()
    {
        using var one = await Send(HttpMethod.Delete, "/api/stats/cc", origin: Foreign);
        Assert.Equal(HttpStatusCode.Forbidden, one.StatusCode);
        Assert.Contains("cross-site request refused", await one.Content.ReadAsStringAsync(Cancel));
        using var all = await Send(HttpMethod.Delete, "/api/stats", origin: "null");
        Assert.Equal(HttpStatusCode.Forbidden, all.StatusCode);
        Assert.Equal(2, await Processes());
    }

    [Fact]
    public async Task A_delete_from_a_script_or_the_dashboard_page_works()
    {
        using var fromPage = await Send(HttpMethod.Delete, "/api/stats/cc", origin: SameOrigin);
        Assert.Equal(HttpStatusCode.NoContent, fromPage.StatusCode);
        using var fromScript = await Send(HttpMethod.Delete, "/api/stats");
        Assert.Equal(HttpStatusCode.NoContent, fromScript.StatusCode);
        Assert.Equal(0, await Processes());
    }

    [Theory]
    [InlineData(Foreign)]
    [InlineData("null")]
    [InlineData("http://localhost:5173")]
    public async Task Negotiate_from_a_foreign_origin_is_refused(string origin)
    {
        using var response = await Send(HttpMethod.Post, "/hub/stats/negotiate?negotiateVersion=1", origin: origin);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Negotiate_from_the_dashboard_page_or_without_origin_works()
    {
        using var fromPage = await Send(HttpMethod.Post, "/hub/stats/negotiate?negotiateVersion=1", origin: SameOrigin);
        Assert.Equal(HttpStatusCode.OK, fromPage.StatusCode);
        using var viaLocalhost = await Send(HttpMethod.Post, "/hub/stats/negotiate?negotiateVersion=1",
            host: $"localhost:{Port}", origin: $"http://localhost:{Port}");
        Assert.Equal(HttpStatusCode.OK, viaLocalhost.StatusCode);
        using var fromScript = await Send(HttpMethod.Post, "/hub/stats/negotiate?negotiateVersion=1");
        Assert.Equal(HttpStatusCode.OK, fromScript.StatusCode);
    }

    [Fact]
    public async Task A_websocket_from_a_foreign_origin_is_refused()
    {
        var (socket, status) = await HubSockets.Connect(Hub, origin: Foreign, cancel: Cancel);
        Assert.Null(socket);
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task A_websocket_from_the_dashboard_page_connects_and_reads()
    {
        var (socket, status) = await HubSockets.Connect(Hub, origin: SameOrigin, cancel: Cancel);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        using (socket)
        {
            Assert.True(await HubSockets.Handshake(socket!, Cancel));
            Assert.Contains("\"events\":2", await HubSockets.Invoke(socket!, "GetOverview", Cancel));
        }
    }

    [Fact]
    public async Task The_dotnet_client_without_origin_connects()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(Hub).Build();
        await hub.StartAsync(Cancel);
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
        Assert.Equal(2, overview.GetProperty("totals").GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task Refusals_are_logged_with_the_path_and_the_reason()
    {
        using var _ = await Send(HttpMethod.Delete, "/api/stats/cc?x=1", origin: Foreign);
        Assert.Contains(_log.Lines, l => l.Contains("Refused DELETE /api/stats/cc from") && l.Contains("cross-site request refused"));
        Assert.DoesNotContain(_log.Lines, l => l.Contains("x=1"));
    }
}
