using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Security;

/// <summary>A daemon with a token, on real Kestrel: everything but the dashboard's files needs it.</summary>
public sealed class TokenSpecs : IAsyncLifetime
{
    private const string Token = "the-right-token-0123456789abcdef";
    private const string WrongToken = "a-wrong-token-0123456789abcdef";
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-token-").FullName;
    private readonly CapturedLog _log = new();
    private RunningDaemon _daemon = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;
    private Uri Hub => new(_daemon.Address, "/hub/stats");

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n");
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace, TokenFile = tokenFile },
            logger: _log.Logger);
        await WaitForReplay();
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private Task WaitForReplay() => Poll.Until(async () =>
        {
            using var response = await Send(HttpMethod.Get, "/api/status", Token);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        }, status => status.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30), "the replay read");

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? token = null, string? scheme = "Bearer")
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme!, token);
        return await _daemon.Http.SendAsync(request, Cancel);
    }

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "GET", "/api/stats" },
        { "GET", "/api/stats/cc" },
        { "GET", "/api/stats-full" },
        { "GET", "/api/status" },
        { "GET", "/metrics" },
        { "GET", "/api/history" },
        { "GET", "/api/top" },
        { "GET", "/api/processes" },
        { "GET", "/api/processes/1" },
        { "DELETE", "/api/stats/cc" },
        { "DELETE", "/api/stats" },
        { "POST", "/hub/stats/negotiate?negotiateVersion=1" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Without_the_token_every_route_is_refused(string method, string path)
    {
        using var response = await Send(new HttpMethod(method), path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("a token is required", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task With_a_wrong_token_every_route_is_refused(string method, string path)
    {
        using var response = await Send(new HttpMethod(method), path, WrongToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("wrong token\n", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task With_the_token_every_route_answers(string method, string path)
    {
        using var response = await Send(new HttpMethod(method), path, Token);
        // The history routes answer an error of their own without a store (no --db), and a replay of the
        // original's lines has no process instances: not a refusal.
        var expectSuccess = !path.StartsWith("/api/history", StringComparison.Ordinal) && !path.StartsWith("/api/top", StringComparison.Ordinal)
                            && !path.StartsWith("/api/processes/", StringComparison.Ordinal);
        Assert.True(expectSuccess ? response.IsSuccessStatusCode
                : response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
            $"{method} {path}: {response.StatusCode}");
    }

    [Fact]
    public async Task A_token_in_another_scheme_or_in_the_query_of_an_api_route_is_not_accepted()
    {
        using var basic = await Send(HttpMethod.Get, "/api/stats", Token, scheme: "Basic");
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        using var query = await Send(HttpMethod.Get, "/api/stats?access_token=" + Token);
        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/cc")]
    public async Task The_dashboard_files_need_no_token(string path)
    {
        var built = File.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html"));
        Assert.SkipWhen(!built && path.EndsWith(".html"), "the dashboard was not built (SkipDashboard)");
        using var response = await Send(HttpMethod.Get, path);
        // Without a built dashboard the page routes answer 404; never a refusal.
        Assert.Equal(built ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_dotnet_client_connects_with_the_token_as_bearer()
    {
        await using var hub = new HubConnectionBuilder()
            .WithUrl(Hub, o => o.AccessTokenProvider = () => Task.FromResult<string?>(Token))
            .Build();
        await hub.StartAsync(Cancel);
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
        Assert.Equal(2, overview.GetProperty("totals").GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task The_dotnet_client_without_the_token_is_refused_with_401()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(Hub).Build();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync(Cancel));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task A_websocket_with_the_token_as_access_token_connects()
    {
        var (socket, status) = await HubSockets.Connect(Hub, origin: _daemon.Address.GetLeftPart(UriPartial.Authority),
            accessToken: Token, cancel: Cancel);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        using (socket)
        {
            Assert.True(await HubSockets.Handshake(socket!, Cancel));
            Assert.Contains("\"events\":2", await HubSockets.Invoke(socket!, "GetOverview", Cancel));
        }
    }

    [Fact]
    public async Task A_websocket_without_or_with_a_wrong_access_token_is_refused()
    {
        var (none, noneStatus) = await HubSockets.Connect(Hub, cancel: Cancel);
        Assert.Null(none);
        Assert.Equal(HttpStatusCode.Unauthorized, noneStatus);
        var (wrong, wrongStatus) = await HubSockets.Connect(Hub, accessToken: WrongToken, cancel: Cancel);
        Assert.Null(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
    }

    [Fact]
    public async Task The_token_is_never_logged()
    {
        using (await Send(HttpMethod.Get, "/api/stats", WrongToken))
        using (await Send(HttpMethod.Get, "/api/stats", Token))
        using (await Send(HttpMethod.Get, "/api/stats?access_token=" + WrongToken))
        {
        }
        await HubSockets.Connect(Hub, accessToken: WrongToken, cancel: Cancel);
        var (socket, _) = await HubSockets.Connect(Hub, accessToken: Token, cancel: Cancel);
        socket?.Dispose();

        Assert.Contains(_log.Lines, l => l.Contains("Refused GET /api/stats from") && l.Contains("wrong token"));
        Assert.Contains(_log.Lines, l => l.Contains("Refused GET /hub/stats from"));
        Assert.DoesNotContain(Token, _log.All);
        Assert.DoesNotContain(WrongToken, _log.All);
    }
}
