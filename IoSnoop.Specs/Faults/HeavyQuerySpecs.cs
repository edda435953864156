using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Api;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// The real executable holding 50,000 (process, file) entries (a 5-MB <c>/api/stats-full</c>), against
/// clients that ask for everything at once or never read: no 500, every client answered or dropped, and
/// the daemon's peak resident memory (VmHWM) under <see cref="PeakBoundMiB"/>. (Without the limits 200
/// such clients took it past 3 GB.)
/// </summary>
public sealed class HeavyQuerySpecs : IDisposable
{
    private const int Processes = 100;
    private const int FilesEach = 500;
    /// <summary>The bound README states for a daemon holding this many entries (README, Limits; measured 178 and 208 MiB).</summary>
    private const long PeakBoundMiB = 320;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-heavy-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, true);

    private async Task<DaemonProcess> StartWithFigures()
    {
        var stats = new StringBuilder("{\"processStats\":{");
        for (var p = 0; p < Processes; p++)
        {
            stats.Append(p == 0 ? "" : ",").Append($"\"process-{p:D3}\":{{");
            for (var f = 0; f < FilesEach; f++)
                stats.Append(f == 0 ? "" : ",")
                    .Append($"\"/srv/data/project-{p:D3}/build/output/file-{f:D5}.bin\":{{\"writes\":{f + 1},\"reads\":{p + 1},\"lastUpdated\":\"2024-05-01T10:00:00Z\"}}");
            stats.Append('}');
        }
        stats.Append("},\"events\":50000}");
        var file = Path.Combine(_dir, "stats.json");
        await File.WriteAllTextAsync(file, stats.ToString(), Cancel);
        // -t 0: no merging, the answer keeps every file however long the spec runs.
        var daemon = DaemonProcess.Start("-n", "-f", file, "-t", "0");
        await daemon.WaitFor("/api/status", s => s.GetProperty("processes").GetInt32() == Processes, Within);
        // Once through, so that what is measured is the load, not the first compilation.
        Assert.Equal(Processes * FilesEach, CountFiles(await daemon.Http.GetStringAsync("/api/stats-full", Cancel)));
        return daemon;
    }

    private static int CountFiles(string full) =>
        JsonDocument.Parse(full).RootElement.GetProperty("processStats").EnumerateObject().Sum(p => p.Value.EnumerateObject().Count());

    /// <summary>VmRSS and VmHWM (the peak) of a process, in MiB.</summary>
    private static (long Rss, long Peak) Memory(int pid)
    {
        long Field(string name) => long.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            [(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return (Field("VmRSS"), Field("VmHWM"));
    }

    /// <summary>The daemon's established connections (local port <paramref name="port"/>) to the given client ports.</summary>
    private static int ServerConnections(int port, HashSet<string> clientPorts)
    {
        var local = $":{port:X4}";
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f.Length > 3 && f[1].EndsWith(local, StringComparison.Ordinal) && f[3] == "01"
                        && clientPorts.Contains(f[2][(f[2].IndexOf(':') + 1)..]));
    }

    [Fact]
    public async Task Two_hundred_clients_that_never_read_are_answered_or_dropped_and_memory_stays_bounded()
    {
        await using var daemon = await StartWithFigures();
        var before = Memory(daemon.Pid);
        var request = Encoding.ASCII.GetBytes($"GET /api/stats-full HTTP/1.1\r\nHost: 127.0.0.1:{daemon.Port}\r\nConnection: close\r\n\r\n");
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                // A small receive buffer that is never read: the daemon's writes to it stop completing.
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(IPAddress.Loopback, daemon.Port, Cancel);
                await socket.SendAsync(request, Cancel);
                sockets.Add(socket);
            }
            var clientPorts = sockets.Select(c => $"{((IPEndPoint)c.LocalEndPoint!).Port:X4}").ToHashSet();
            // The daemon closes every one of them: after answering 503, or after its write timeout.
            await Poll.Until(() => ServerConnections(daemon.Port, clientPorts) == 0 || daemon.HasExited, Within,
                "every connection closed by the daemon", () => $"{ServerConnections(daemon.Port, clientPorts)} connections still open");
            Assert.False(daemon.HasExited, daemon.Output);
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
        var after = Memory(daemon.Pid);
        TestContext.Current.TestOutputHelper?.WriteLine($"200 non-reading: RSS before {before.Rss} MiB, peak {after.Peak} MiB, after {after.Rss} MiB");
        Assert.True(after.Peak < PeakBoundMiB, $"peak RSS {after.Peak} MiB (before {before.Rss} MiB)");
        // And it still answers in full.
        Assert.Equal(Processes * FilesEach, CountFiles(await daemon.Http.GetStringAsync("/api/stats-full", Cancel)));
        Assert.DoesNotContain("   at ", daemon.Output);
    }

    [Fact]
    public async Task A_thousand_concurrent_heavy_queries_get_no_500_and_memory_stays_bounded()
    {
        await using var daemon = await StartWithFigures();
        var before = Memory(daemon.Pid);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{daemon.Port}"),
            Timeout = Within,
        };
        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async _ =>
        {
            using var response = await http.GetAsync("/api/stats-full", Cancel);
            var body = await response.Content.ReadAsStringAsync(Cancel);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta, Body: response.StatusCode == HttpStatusCode.OK ? body : "");
        }));
        var after = Memory(daemon.Pid);
        var ok = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
        TestContext.Current.TestOutputHelper?.WriteLine($"1000 concurrent: RSS before {before.Rss} MiB, peak {after.Peak} MiB, after {after.Rss} MiB; {ok} answered 200");

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.True(ok >= 2, $"only {ok} answered");
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.ServiceUnavailable),
            a => Assert.Equal(TimeSpan.FromSeconds(ApiErrors.RetryAfterSeconds), a.RetryAfter));
        Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.OK).Take(5), a => Assert.Equal(Processes * FilesEach, CountFiles(a.Body)));
        Assert.True(after.Peak < PeakBoundMiB, $"peak RSS {after.Peak} MiB (before {before.Rss} MiB)");
    }
}
