using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Security;

/// <summary>
/// A flood of bad and refused requests, REST and hub, from one client: each is answered with its reason,
/// and the log takes at most <see cref="RefusalLog.PerSecond"/> lines a second of them, none with a stack
/// trace and none above warning.
/// </summary>
public sealed class LogFloodSpecs : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-flood-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await Task.CompletedTask;
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task The_log_stays_small_under_a_flood_of_bad_requests()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\n", Cancel);
        var log = new CapturedLog();
        await using var daemon = await RunningDaemon.Start(new DaemonOptions
            { Source = "replay", ReplayFile = trace, ReadOnly = true, Database = Path.Combine(_dir, "f.db") }, logger: log.Logger);
        await daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 1, TimeSpan.FromSeconds(30));
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
        await hub.StartAsync(Cancel);
        var linesBefore = log.Lines.Count;

        var clock = Stopwatch.StartNew();
        const int Rounds = 400;
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var (method, path) in new[]
                     {
                         (HttpMethod.Get, "/api/history?to=0001-01-01"), (HttpMethod.Get, "/api/top?limit=x"),
                         (HttpMethod.Delete, "/api/stats/cc"), (HttpMethod.Delete, "/api/stats/"),
                     })
            {
                using var response = await daemon.Http.SendAsync(new HttpRequestMessage(method, path), Cancel);
                answers.Add(response.StatusCode);
            }
            await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("DeleteProcess", "cc", Cancel));
            await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("GetProcessFiles", 42, Cancel));
        }
        var seconds = clock.Elapsed.TotalSeconds;

        // Bad history arguments are 400s; both deletes are refused first by read-only (403).
        Assert.Equal(Rounds * 2, answers.Count(s => s == HttpStatusCode.BadRequest));
        Assert.Equal(Rounds * 2, answers.Count(s => s == HttpStatusCode.Forbidden));
        var flood = log.Lines.Skip(linesBefore).Where(l => l.Contains("IoSnoop.Web.Security.RefusalLog")).ToList();
        // One budget for refusals and bad input: at most PerSecond lines in each second that began.
        var bound = (Math.Ceiling(seconds) + 1) * RefusalLog.PerSecond;
        Assert.True(flood.Count <= bound, $"{flood.Count} log lines for {Rounds * 6} bad requests in {seconds:0.0} s (bound {bound})");
        Assert.True(flood.Count > 0);
        // What the budget held back is said with the next line it lets through, in a later second: a flood
        // that fitted in one second needs one more bad request once the next second has begun.
        await Poll.Until(async () =>
        {
            if (log.Lines.Skip(linesBefore).Any(l => l.Contains("more not logged")))
                return true;
            using var late = await daemon.Http.GetAsync("/api/top?limit=x", Cancel);
            return false;
        }, TimeSpan.FromSeconds(30), "a refusal line saying how many were not logged");
        var all = log.Lines.Skip(linesBefore).ToList();
        Assert.DoesNotContain(all, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Fatal", StringComparison.Ordinal));
        Assert.DoesNotContain(all, l => l.Contains("   at ", StringComparison.Ordinal));
        Assert.All(all.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)), l => Assert.Contains("Refused", l));
    }
}
