using System.Net;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;

namespace IoSnoop.Specs.Web;

/// <summary>History on the hub (the dashboard's GetHistory and GetTopProcesses) and the API, from a real database.</summary>
public sealed class HistorySpecs : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-history-").FullName;
    private RunningDaemon _daemon = null!;
    private HubConnection _hub = null!;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "h.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\ncc|1|40|/src/a.c\nld|0|7|/bin/app\nld|0|1000|/bin/app2\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions
        {
            Source = "replay", ReplayFile = trace, Database = Path.Combine(_dir, "iosnoopng.db"), FlushIntervalSeconds = 0.1,
        });
        _hub = new HubConnectionBuilder().WithUrl(new Uri(_daemon.Address, "/hub/stats")).Build();
        await _hub.StartAsync(TestContext.Current.CancellationToken);
        // Written once the flush after the replay ran.
        await Poll.Until(() => Top(_started.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1)), top => top.GetArrayLength() >= 2,
            TimeSpan.FromSeconds(60), "history of both processes");
    }

    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _daemon.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private static string Iso(DateTimeOffset t) => t.ToString("O");

    private Task<JsonElement> Top(DateTimeOffset from, DateTimeOffset to, int limit = 5) =>
        _hub.InvokeAsync<JsonElement>("GetTopProcesses", Iso(from), Iso(to), limit, TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_hub_answers_the_dashboards_history_calls()
    {
        var from = _started.AddMinutes(-5);
        var to = DateTimeOffset.UtcNow.AddSeconds(1);
        var machine = await _hub.InvokeAsync<JsonElement>("GetHistory", Iso(from), Iso(to), null, TestContext.Current.CancellationToken);
        Assert.Equal(10, machine.GetProperty("bucketSeconds").GetInt32());
        var points = machine.GetProperty("points").EnumerateArray().ToList();
        Assert.True(points.Count >= 30);
        Assert.Equal(40, points.Sum(p => p.GetProperty("reads").GetInt64()));
        Assert.Equal(1107, points.Sum(p => p.GetProperty("writes").GetInt64()));
        Assert.All(points, p => p.GetProperty("time").GetDateTimeOffset());
        // The disk figures beside them: a replayed trace measures no disk layer.
        Assert.All(points, p => Assert.Equal((0L, 0L), (p.GetProperty("diskReads").GetInt64(), p.GetProperty("diskWrites").GetInt64())));

        var cc = await _hub.InvokeAsync<JsonElement>("GetHistory", Iso(from), Iso(to), "cc", TestContext.Current.CancellationToken);
        Assert.Equal(100, cc.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("writes").GetInt64()));

        var top = (await Top(from, to)).EnumerateArray().ToList();
        Assert.Equal(["ld", "cc"], top.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal((0L, 1007L), (top[0].GetProperty("reads").GetInt64(), top[0].GetProperty("writes").GetInt64()));
        Assert.Single((await Top(from, to, limit: 1)).EnumerateArray());
        // Nothing happened an hour before the daemon started.
        Assert.Equal(0, (await Top(_started.AddHours(-2), _started.AddHours(-1))).GetArrayLength());
    }

    [Fact]
    public async Task The_api_answers_history_and_top_with_time_ranges()
    {
        var from = Uri.EscapeDataString(Iso(_started.AddMinutes(-5)));
        var to = Uri.EscapeDataString(Iso(DateTimeOffset.UtcNow.AddSeconds(1)));
        var history = JsonDocument.Parse(await _daemon.Http.GetStringAsync($"/api/history?from={from}&to={to}&process=ld")).RootElement;
        Assert.Equal(1007, history.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("writes").GetInt64()));
        var top = JsonDocument.Parse(await _daemon.Http.GetStringAsync($"/api/top?from={from}&to={to}&by=reads&limit=1")).RootElement;
        Assert.Equal("cc", top[0].GetProperty("name").GetString());
        // Without from and to: the last hour.
        var lastHour = JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/top")).RootElement;
        Assert.Equal(2, lastHour.GetArrayLength());

        foreach (var bad in new[] { "/api/history?from=yesterday", $"/api/history?from={to}&to={from}", "/api/top?by=size", "/api/top?limit=0" })
        {
            using var response = await _daemon.Http.GetAsync(bad, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Without_a_database_history_is_unavailable_and_the_dashboard_falls_back()
    {
        await using var memoryOnly = await RunningDaemon.Start(new DaemonOptions { NoTracer = true });
        using var response = await memoryOnly.Http.GetAsync("/api/history", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("--db none", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(memoryOnly.Address, "/hub/stats")).Build();
        await hub.StartAsync(TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<JsonElement>("GetHistory", Iso(_started.AddHours(-1)), Iso(_started), null, TestContext.Current.CancellationToken));
        Assert.Contains("--db none", e.Message);
    }
}
