using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Security;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Web;

/// <summary>
/// REST arguments at the edge: a process name left out is a 400 (never "forget everything"), a name is
/// decoded once, HEAD answers headers after the access checks, bad history arguments are a 400 with the
/// reason, unknown API routes a JSON 404.
/// </summary>
public sealed class ApiHardeningSpecs : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-apihard-").FullName;
    private readonly CapturedLog _log = new();
    private RunningDaemon _daemon = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "t.trace");
        // "a/b" is sent as a%2Fb; "a%2Fb" (a name with a percent sign) as a%252Fb.
        await File.WriteAllTextAsync(trace, "a/b|0|5|/x\na%2Fb|0|7|/y\ncc|0|100|/o/a.o\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace, Database = Path.Combine(_dir, "i.db") },
            logger: _log.Logger);
        await _daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 3, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string path)
    {
        using var response = await _daemon.Http.SendAsync(new HttpRequestMessage(method, path), Cancel);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    [Fact]
    public async Task Delete_with_an_empty_name_is_a_400_and_forgets_nothing()
    {
        var before = await HubArgumentSpecs.Figures(_daemon);
        var (status, body) = await Send(HttpMethod.Delete, "/api/stats/");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("no process name after /api/stats/", Error(body));
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Get, "/api/stats/")).Status);
        Assert.Equal(before, await HubArgumentSpecs.Figures(_daemon));
    }

    [Fact]
    public async Task A_name_is_decoded_once()
    {
        var slash = JsonDocument.Parse((await Send(HttpMethod.Get, "/api/stats/a%2Fb")).Body).RootElement;
        Assert.Equal(["/x"], slash.EnumerateObject().Select(p => p.Name));
        var percent = JsonDocument.Parse((await Send(HttpMethod.Get, "/api/stats/a%252Fb")).Body).RootElement;
        Assert.Equal(["/y"], percent.EnumerateObject().Select(p => p.Name));

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/api/stats/a%252Fb")).Status);
        var names = (await _daemon.Http.GetFromJsonAsync<JsonElement>("/api/stats", Cancel)).GetProperty("processStats")
            .EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["a/b", "cc"], names);
    }

    [Fact]
    public async Task A_name_too_long_is_a_400()
    {
        var (status, body) = await Send(HttpMethod.Get, "/api/stats/" + new string('x', 2000));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("longer than 1024", Error(body));
    }

    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/api/stats/cc")]
    [InlineData("/api/stats-full")]
    [InlineData("/api/status")]
    [InlineData("/api/history")]
    [InlineData("/api/top")]
    public async Task Head_answers_json_headers_without_a_body(string path)
    {
        using var response = await _daemon.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task Head_goes_through_the_token_check()
    {
        await using var daemon = await RunningDaemon.Start(new DaemonOptions { NoTracer = true, Token = "a-long-enough-secret-token" });
        using var head = await daemon.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/stats"), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, head.StatusCode);
        using var unknown = await daemon.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/nothing"), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_json_404_not_the_dashboard()
    {
        var (status, body) = await Send(HttpMethod.Get, "/api/nothing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("no such route", Error(body));
    }

    [Theory]
    [InlineData("/api/history?to=0001-01-01", "to: 0001-01-01 is out of range")]
    [InlineData("/api/history?from=9999-12-31", "from: 9999-12-31 is out of range")]
    [InlineData("/api/history?to=soon", "to: not an ISO 8601 time: soon")]
    [InlineData("/api/history?from=2024-01-02&to=2024-01-01", "from must be before to")]
    [InlineData("/api/top?limit=ten", "limit: use a whole number from 1 to 1000")]
    [InlineData("/api/top?limit=0", "limit: use a whole number from 1 to 1000")]
    [InlineData("/api/top?by=size", "by: use total, reads or writes, not size")]
    public async Task Bad_history_arguments_are_a_400_with_the_reason_and_no_error_in_the_log(string path, string reason)
    {
        var (status, body) = await Send(HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, Error(body));
        Assert.DoesNotContain(_log.Lines, l => !(l.StartsWith("Debug", StringComparison.Ordinal)
                                                 || l.StartsWith("Verbose", StringComparison.Ordinal)
                                                 || l.StartsWith("Information", StringComparison.Ordinal)));
    }
}
