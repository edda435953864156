using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Security;

/// <summary><c>--read-only</c>: figures can be read but not deleted or reset, over REST or the hub.</summary>
public sealed class ReadOnlySpecs : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-readonly-").FullName;
    private RunningDaemon _daemon = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace, ReadOnly = true });
        await _daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<int> Processes() =>
        (await _daemon.Http.GetFromJsonAsync<JsonElement>("/api/status", Cancel)).GetProperty("processes").GetInt32();

    [Fact]
    public async Task Status_and_the_hub_say_the_daemon_is_read_only_so_the_dashboard_hides_deleting()
    {
        var status = await _daemon.Http.GetFromJsonAsync<JsonElement>("/api/status", Cancel);
        Assert.True(status.GetProperty("readOnly").GetBoolean());
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_daemon.Address, "/hub/stats")).Build();
        await hub.StartAsync(Cancel);
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
        Assert.True(overview.GetProperty("readOnly").GetBoolean());
    }

    [Theory]
    [InlineData("/api/stats")]
    [InlineData("/api/stats/cc")]
    public async Task Rest_deletes_are_refused_with_403(string path)
    {
        using var response = await _daemon.Http.DeleteAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("read-only", await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(2, await Processes());
    }

    [Fact]
    public async Task Other_state_changing_methods_are_refused_too()
    {
        using var response = await _daemon.Http.PostAsync("/api/stats", new StringContent(""), Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Reads_keep_working()
    {
        var stats = await _daemon.Http.GetFromJsonAsync<JsonElement>("/api/stats", Cancel);
        Assert.Equal(2, stats.GetProperty("events").GetInt64());
        using var metrics = await _daemon.Http.GetAsync("/metrics", Cancel);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task Hub_delete_and_reset_throw_a_clear_hub_exception_and_queries_work()
    {
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_daemon.Address, "/hub/stats")).Build();
        await hub.StartAsync(Cancel);
        var delete = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<bool>("DeleteProcess", "cc", Cancel));
        Assert.Contains("iosnoopng runs read-only (--read-only)", delete.Message);
        var reset = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("Reset", Cancel));
        Assert.Contains("read-only", reset.Message);
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
        Assert.Equal(2, overview.GetProperty("processes").GetArrayLength());
        Assert.Equal(2, await Processes());
    }
}
