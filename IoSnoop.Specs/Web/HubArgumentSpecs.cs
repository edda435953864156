using IoSnoop.Web.Api;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Security;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using IoSnoop.Actors.Events;

namespace IoSnoop.Specs.Web;

/// <summary>
/// Hub calls with null, empty, wrong-typed and absurd arguments, read-only on and off: each is answered
/// with a message that names the argument, nothing reaches the actors, the figures stay as they were and
/// nothing is logged above debug.
/// </summary>
public sealed class HubArgumentSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-hubargs-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<(RunningDaemon Daemon, CapturedLog Log)> Start(bool readOnly, string? database = null)
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n", Cancel);
        var log = new CapturedLog();
        var daemon = await RunningDaemon.Start(
            new DaemonOptions { Source = "replay", ReplayFile = trace, ReadOnly = readOnly, Database = database }, logger: log.Logger);
        await daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 2, TimeSpan.FromSeconds(30));
        return (daemon, log);
    }

    /// <summary>Every process and file with its figures, in a fixed order.</summary>
    internal static async Task<List<string>> Figures(RunningDaemon daemon)
    {
        var full = await daemon.Http.GetFromJsonAsync<JsonElement>("/api/stats-full", Cancel);
        var rows = new List<string> { $"events {full.GetProperty("events").GetInt64()}" };
        foreach (var p in full.GetProperty("processStats").EnumerateObject())
            foreach (var f in p.Value.EnumerateObject())
                rows.Add($"{p.Name}|{f.Name}|{f.Value}");
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static readonly (string Method, object?[] Args, string Message)[] BadCalls =
    [
        ( "GetProcessFiles", [null], "name: the process name is empty"),
        ("GetProcessFiles", [""], "name: the process name is empty"),
        ("GetProcessFiles", [42], "name: expected a process name (a string), got a number"),
        ("GetProcessFiles", [new { name = "cc" }], "name: expected a process name (a string), got an object"),
        ("GetProcessFiles", [new[] { "cc" }], "name: expected a process name (a string), got an array"),
        ("GetProcessFiles", [new string('x', 20_000)], "name: the process name is longer than 1024 characters"),
        ("GetHistory", [42, null, null], "from: expected an ISO 8601 time (a string), got a number"),
        ("GetHistory", [null, "0001-01-01", null], "to: 0001-01-01 is out of range"),
        ("GetHistory", [null, "yesterday", null], "to: not an ISO 8601 time: yesterday"),
        ("GetHistory", ["2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", null], "from must be before to"),
        ("GetHistory", [null, null, true], "process: expected a process name (a string), got a boolean"),
        ("GetTopProcesses", [null, null, null], "limit: use a whole number from 1 to 1000"),
        ("GetTopProcesses", [null, null, "ten"], "limit: use a whole number from 1 to 1000"),
        ("GetTopProcesses", [null, null, 0], "limit: use a whole number from 1 to 1000"),
        ("GetTopProcesses", [null, null, 2.5], "limit: use a whole number from 1 to 1000"),
        ("SearchFiles", [null, 10], "query: give a path or part of one"),
        ("SearchFiles", [7, 10], "query: expected a text (a string), got a number"),
        ("SearchFiles", [new string('/', 5000), 10], "query: at most 4096 characters"),
        ("SearchFiles", ["/tmp", 0], "limit: use a whole number from 1 to 1000"),
    ];

    private static readonly (string Method, object?[] Args, string Message)[] BadDeletes =
    [
        ("DeleteProcess", [null], "name: the process name is empty"),
        ("DeleteProcess", [""], "name: the process name is empty"),
        ("DeleteProcess", [7], "name: expected a process name (a string), got a number"),
        ("DeleteProcess", [new { }], "name: expected a process name (a string), got an object"),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bad_arguments_are_answered_with_a_reason_and_the_figures_stay(bool readOnly)
    {
        var db = Path.Combine(_dir, "db", "iosnoopng.db");
        var (daemon, log) = await Start(readOnly, db);
        await using (daemon)
        {
            var before = await Figures(daemon);
            await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
            await hub.StartAsync(Cancel);

            var calls = BadCalls.ToList();
            foreach (var (method, args, message) in BadDeletes)
                calls.Add((method, args, readOnly ? "iosnoopng runs read-only (--read-only)" : message));
            foreach (var (method, args, message) in calls)
            {
                var e = await Assert.ThrowsAsync<HubException>(() => hub.InvokeCoreAsync<JsonElement>(method, args, Cancel));
                Assert.Contains(message, e.Message);
            }

            // The processes actor never saw them: same figures, no restart, the connection still answers.
            Assert.Equal(before, await Figures(daemon));
            var overview = await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
            Assert.Equal(2, overview.GetProperty("processes").GetArrayLength());
            var files = await hub.InvokeAsync<JsonElement>("GetProcessFiles", "cc", Cancel);
            Assert.True(files.GetProperty("found").GetBoolean());
            Assert.DoesNotContain(log.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Fatal", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Heavy_hub_calls_take_a_turn_among_the_heavy_queries()
    {
        var (daemon, _) = await Start(readOnly: false);
        await using (daemon)
        {
            await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
            await hub.StartAsync(Cancel);
            // Every turn taken (as by slow REST clients), nobody else waiting: a search waits its time, then is refused.
            var gate = daemon.Services.GetRequiredService<HeavyQueries>();
            var settings = daemon.Services.GetRequiredService<WebSettings>();
            for (var i = 0; i < settings.MaxHeavyQueries; i++)
                Assert.True(await gate.Enter(Cancel));
            var busy = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("SearchFiles", "/o", 10, Cancel));
            Assert.Contains(HeavyQueryFilter.BusyReason, busy.Message);
            // Light calls do not wait for a turn.
            Assert.Equal(2, (await hub.InvokeAsync<JsonElement>("GetOverview", Cancel)).GetProperty("processes").GetArrayLength());

            // A turn given back: the search is answered, and it gives its own turn back after.
            gate.Leave();
            var found = await hub.InvokeAsync<JsonElement>("SearchFiles", "/o", 10, Cancel);
            Assert.Equal("cc", found.GetProperty("processes")[0].GetProperty("name").GetString());
            Assert.True(await gate.Enter(Cancel));
            for (var i = 0; i < settings.MaxHeavyQueries; i++)
                gate.Leave();
        }
    }

    [Fact]
    public async Task Without_a_database_history_is_answered_no_history_kept_and_nothing_is_logged_above_debug()
    {
        var (daemon, log) = await Start(readOnly: false);
        await using (daemon)
        {
            await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
            await hub.StartAsync(Cancel);
            var history = await Assert.ThrowsAsync<HubException>(() =>
                hub.InvokeAsync<JsonElement>("GetHistory", "2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", null, Cancel));
            Assert.Contains("no history kept", history.Message);
            var top = await Assert.ThrowsAsync<HubException>(() =>
                hub.InvokeAsync<JsonElement>("GetTopProcesses", null, null, 5, Cancel));
            Assert.Contains("no history kept", top.Message);
            using var rest = await daemon.Http.GetAsync("/api/history", Cancel);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, rest.StatusCode);
            Assert.Contains("no history kept", (await rest.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("error").GetString());

            // A page closed while its query runs: the call is cancelled, not an error.
            var closing = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
            await closing.StartAsync(Cancel);
            _ = closing.InvokeAsync<JsonElement>("GetOverview", Cancel);
            await closing.DisposeAsync();

            await hub.InvokeAsync<JsonElement>("GetOverview", Cancel);
            Assert.DoesNotContain(log.Lines, l => !(l.StartsWith("Debug", StringComparison.Ordinal)
                                                    || l.StartsWith("Verbose", StringComparison.Ordinal)
                                                    || l.StartsWith("Information", StringComparison.Ordinal)));
            Assert.Contains(log.Lines, l => l.StartsWith("Debug Answered hub GetHistory", StringComparison.Ordinal) && l.Contains("no history kept"));
        }
    }
}
