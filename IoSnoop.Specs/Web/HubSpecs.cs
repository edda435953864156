using System.Text.Json;
using System.Threading.Channels;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Web;

/// <summary>The SignalR hub with a real client: queries and the live push.</summary>
public sealed class HubSpecs : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-hub-").FullName;
    private RunningDaemon _daemon = null!;
    private HubConnection _hub = null!;
    private readonly Channel<JsonElement> _changes = Channel.CreateUnbounded<JsonElement>();

    public async ValueTask InitializeAsync()
    {
        var trace = Path.Combine(_dir, "hub.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\ncc|1|40|/src/a.c\nld|0|7|/bin/app\n");
        // The stand-in prints the trace and exits; the daemon restarts it, so events keep coming.
        _daemon = await RunningDaemon.Start(new DaemonOptions { PushIntervalSeconds = 0.2 }, new FakeTracerSource("print", trace));
        _hub = new HubConnectionBuilder().WithUrl(new Uri(_daemon.Address, "/hub/stats")).Build();
        _hub.On<JsonElement>("changes", c => _changes.Writer.TryWrite(c));
        await _hub.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task The_overview_and_the_files_come_from_the_actors()
    {
        await _daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30));
        var overview = await _hub.InvokeAsync<JsonElement>("GetOverview", TestContext.Current.CancellationToken);
        foreach (var key in new[] { "totals", "source", "processes", "readOnly" })
            Assert.True(overview.TryGetProperty(key, out _), key);
        // The stand-in measures no disk: the device list is there, and empty.
        Assert.Empty(overview.GetProperty("devices").EnumerateArray());
        foreach (var key in new[] { "events", "malformedLines", "droppedEvents", "reads", "writes" })
            Assert.True(overview.GetProperty("totals").TryGetProperty(key, out _), key);
        var cc = overview.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "cc");
        Assert.Equal(0, cc.GetProperty("writes").GetInt64() % 100);
        Assert.Equal(0, cc.GetProperty("reads").GetInt64() % 40);
        Assert.True(cc.GetProperty("reads").GetInt64() > 0);
        Assert.Equal("fake", overview.GetProperty("source").GetProperty("name").GetString());

        var files = await _hub.InvokeAsync<JsonElement>("GetProcessFiles", "cc", TestContext.Current.CancellationToken);
        Assert.True(files.GetProperty("found").GetBoolean());
        Assert.Equal(0, files.GetProperty("diskReads").GetInt64());
        var paths = files.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order();
        Assert.Equal(["/o/a.o", "/src/a.c"], paths);
        Assert.All(files.GetProperty("files").EnumerateArray(), f => Assert.False(f.GetProperty("merged").GetBoolean()));

        var unknown = await _hub.InvokeAsync<JsonElement>("GetProcessFiles", "nope", TestContext.Current.CancellationToken);
        Assert.False(unknown.GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task Changes_are_pushed_with_the_bytes_of_the_interval()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var change = await _changes.Reader.ReadAsync(timeout.Token);
            var cc = change.GetProperty("processes").EnumerateArray()
                .FirstOrDefault(p => p.GetProperty("name").GetString() == "cc");
            if (cc.ValueKind != JsonValueKind.Object || cc.GetProperty("writeDelta").GetInt64() == 0)
                continue;
            Assert.Equal(0, cc.GetProperty("writeDelta").GetInt64() % 100);
            Assert.True(change.GetProperty("intervalSeconds").GetDouble() > 0);
            Assert.True(change.GetProperty("totals").GetProperty("writes").GetInt64() >= 107);
            break;
        }
    }

    [Fact]
    public async Task Delete_and_reset_through_the_hub_are_pushed_to_clients()
    {
        // A replayed trace: nothing comes back after a delete.
        var trace = Path.Combine(_dir, "once.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n", TestContext.Current.CancellationToken);
        await using var daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace, PushIntervalSeconds = 0.2 });
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
        var changes = Channel.CreateUnbounded<JsonElement>();
        hub.On<JsonElement>("changes", c => changes.Writer.TryWrite(c));
        await hub.StartAsync(TestContext.Current.CancellationToken);
        await daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30));

        Assert.True(await hub.InvokeAsync<bool>("DeleteProcess", "ld", TestContext.Current.CancellationToken));
        Assert.False(await hub.InvokeAsync<bool>("DeleteProcess", "ld", TestContext.Current.CancellationToken));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await changes.Reader.ReadAsync(timeout.Token)).GetProperty("removed").EnumerateArray()
                   .Any(n => n.GetString() == "ld"))
        {
        }
        await hub.InvokeAsync("Reset", TestContext.Current.CancellationToken);
        while (!(await changes.Reader.ReadAsync(timeout.Token)).GetProperty("reset").GetBoolean())
        {
        }
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", TestContext.Current.CancellationToken);
        Assert.Empty(overview.GetProperty("processes").EnumerateArray());
        Assert.Equal(0, overview.GetProperty("totals").GetProperty("events").GetInt64());
    }
}
