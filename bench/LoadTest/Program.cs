using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;

// Load test of a running iosnoopng (see ../load-test.sh): writes trace lines at a fixed rate into the
// named pipe the daemon replays, keeps fast and stuck dashboard clients connected to the hub, samples the
// daemon's ingestion and memory, and checks that ingestion holds, memory stays flat and every fast client
// keeps getting updates.

var options = LoadOptions.Parse(args);
using var http = new HttpClient { BaseAddress = new Uri(options.Url), Timeout = TimeSpan.FromSeconds(10) };
if (options.Token is not null)
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
var hubUri = new Uri(new Uri(options.Url), "/hub/stats");
var stop = new CancellationTokenSource();

// Dashboard clients: fast ones read every push; stuck ones never read (tiny receive buffer) but ping.
var fast = new List<FastClient>();
for (var i = 0; i < options.Clients - options.SlowClients; i++)
    fast.Add(await FastClient.Connect(hubUri, options.Token, stop.Token));
var stuck = new StuckClients(hubUri, options.Token);
await stuck.Connect(options.SlowClients, stop.Token);
var pinging = stuck.KeepAlive(stop.Token);
Console.WriteLine($"{fast.Count} fast and {options.SlowClients} stuck dashboard clients connected");

// The feed: lines written into the pipe at the target rate.
var feed = new Feed(options);
await using var pipe = new FileStream(options.Pipe, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
var writing = Task.Run(() => feed.Run(pipe, TimeSpan.FromSeconds(options.Seconds)));

// Samples once a second: events ingested, the daemon's RSS.
var samples = new List<Sample>();
var clock = Stopwatch.StartNew();
var firstEvents = await Events(http);
using var everySecond = new PeriodicTimer(TimeSpan.FromSeconds(1));
while (!writing.IsCompleted)
{
    await Task.WhenAny(writing, everySecond.WaitForNextTickAsync().AsTask());
    var sample = new Sample(clock.Elapsed.TotalSeconds, feed.Written, await Events(http) - firstEvents, Rss(options.Pid));
    samples.Add(sample);
    Console.WriteLine($"t={sample.Seconds,5:0.0}s written={sample.Written,11:N0} ingested={sample.Ingested,11:N0} " +
                      $"rss={sample.Rss / 1048576.0,6:0.0} MiB fast-updates(min)={fast.Select(c => c.Updates).DefaultIfEmpty(0).Min()} stuck-reconnects={stuck.Reconnects}");
}
await writing;

// Drain: everything written must be counted.
var drainDeadline = DateTime.UtcNow.AddSeconds(30);
long ingested;
while ((ingested = await Events(http) - firstEvents) < feed.Written && DateTime.UtcNow < drainDeadline)
    await Task.Delay(200);
var metrics = await http.GetStringAsync("/metrics");
var coalesced = Metric(metrics, "iosnoopng_dashboard_updates_coalesced_total");
var connections = Metric(metrics, "iosnoopng_dashboard_connections");
stop.Cancel();
try
{
    await pinging;
}
catch (OperationCanceledException)
{
}

// Figures.
var steady = samples.Where(s => s.Seconds >= options.WarmUpSeconds).ToList();
var rateWindow = steady.Count >= 2 ? (steady[^1].Ingested - steady[0].Ingested) / (steady[^1].Seconds - steady[0].Seconds) : 0;
var worstFive = Enumerable.Range(0, Math.Max(0, steady.Count - 5))
    .Select(i => (steady[i + 5].Ingested - steady[i].Ingested) / (steady[i + 5].Seconds - steady[i].Seconds))
    .DefaultIfEmpty(rateWindow).Min();
var maxBacklog = steady.Select(s => s.Written - s.Ingested).DefaultIfEmpty(0).Max();
var warmUpBacklog = samples.Where(s => s.Seconds < options.WarmUpSeconds).Select(s => s.Written - s.Ingested).DefaultIfEmpty(0).Max();
var rssStart = steady.Count > 0 ? steady[0].Rss : 0;
var rssEnd = samples.Count > 0 ? samples[^1].Rss : 0;
var rssMax = samples.Count > 0 ? samples.Max(s => s.Rss) : 0;
var updates = fast.Select(c => c.Updates).Order().DefaultIfEmpty(0).ToList();
var maxGap = fast.Select(c => c.MaxGap.TotalSeconds).DefaultIfEmpty(0).Max();
static double MiB(long bytes) => bytes / 1048576.0;

Console.WriteLine();
Console.WriteLine($"feed:       {feed.Written:N0} events written in {options.Seconds} s (target {options.Rate:N0}/s, " +
                  $"{feed.Written / (double)options.Seconds:N0}/s achieved), {ingested:N0} ingested");
Console.WriteLine($"warm-up:    until t={options.WarmUpSeconds}s at most {warmUpBacklog:N0} events written but not yet counted");
Console.WriteLine($"ingestion:  {rateWindow:N0} events/s from t={options.WarmUpSeconds}s to the end; worst 5-s window {worstFive:N0} events/s; " +
                  $"at most {maxBacklog:N0} events written but not yet counted");
Console.WriteLine($"memory:     RSS {MiB(rssStart):0.0} MiB at t={options.WarmUpSeconds}s, {MiB(rssEnd):0.0} MiB at the end, {MiB(rssMax):0.0} MiB at most");
Console.WriteLine($"fast:       {fast.Count} clients, updates per client min {updates[0]}, median {updates[updates.Count / 2]}, max {updates[^1]}; longest gap {maxGap:0.0} s");
Console.WriteLine($"stuck:      {options.SlowClients} clients; {coalesced:N0} pushes merged for slow connections; the daemon dropped " +
                  $"stuck connections {stuck.Reconnects} times (each was replaced at once); {connections} connections open at the end");

var failures = new List<string>();
if (ingested != feed.Written)
    failures.Add($"ingested {ingested:N0} of {feed.Written:N0} events");
if (rateWindow < 0.95 * options.Rate)
    failures.Add($"ingestion averaged {rateWindow:N0} events/s");
// A hiccup of a shared machine is tolerated; a stall is not.
if (worstFive < 0.8 * options.Rate)
    failures.Add($"ingestion fell to {worstFive:N0} events/s in a 5-s window");
// Under load iosnoopng gathers up to a million events into one batch: in flight at most about that
// plus a second of feed; a backlog that grows beyond it means ingestion does not keep up.
if (maxBacklog > options.MaxBacklog)
    failures.Add($"ingestion fell {maxBacklog:N0} events behind the feed");
if (rssEnd - rssStart > options.MaxRssGrowthMiB * 1048576L)
    failures.Add($"RSS grew by {MiB(rssEnd - rssStart):0.0} MiB");
var expectedUpdates = (int)(options.Seconds / options.PushInterval * 0.9);
if (fast.Count > 0 && updates[0] < expectedUpdates)
    failures.Add($"a fast client got only {updates[0]} updates (expected at least {expectedUpdates})");
if (maxGap > 4 * options.PushInterval + 1)
    failures.Add($"a fast client waited {maxGap:0.0} s for an update");
if (options.SlowClients > 0 && coalesced == 0)
    failures.Add("no push was merged: the stuck clients never filled their buffers");
foreach (var failure in failures)
    Console.WriteLine($"FAIL: {failure}");
Console.WriteLine(failures.Count == 0 ? "PASS" : "FAILED");
foreach (var c in fast)
    await c.DisposeAsync();
stuck.Abort();
return failures.Count == 0 ? 0 : 1;

static async Task<long> Events(HttpClient http) =>
    (await http.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("totals").GetProperty("events").GetInt64();

static long Rss(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return 0;
}

static long Metric(string text, string name)
{
    var match = Regex.Match(text, $"^{name} ([0-9.e+]+)$", RegexOptions.Multiline);
    return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
}

internal sealed record Sample(double Seconds, long Written, long Ingested, long Rss);

internal sealed record LoadOptions(string Url, string Pipe, int Pid, string? Token, int Rate, int Seconds, int Clients,
    int SlowClients, int Processes, int Paths, double PushInterval, int WarmUpSeconds, int MaxRssGrowthMiB, long MaxBacklog)
{
    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        string Get(string name, string? fallback = null) =>
            values.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");
        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var tokenFile = values.GetValueOrDefault("token-file");
        return new LoadOptions(Get("url"), Get("pipe"), int.Parse(Get("pid"), CultureInfo.InvariantCulture),
            tokenFile is null ? null : File.ReadAllText(tokenFile).Trim(),
            Int("rate", 200_000), Int("seconds", 60), Int("clients", 50), Int("slow", 10), Int("procs", 1000), Int("paths", 20_000),
            double.Parse(Get("push-interval", "1"), CultureInfo.InvariantCulture), Int("warm-up", 20), Int("max-rss-growth", 64),
            long.Parse(Get("max-backlog", "1200000"), CultureInfo.InvariantCulture));
    }
}

/// <summary>Writes original-format lines into the pipe at a fixed rate, in 10-ms slices.</summary>
internal sealed class Feed(LoadOptions options)
{
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public void Run(Stream pipe, TimeSpan duration)
    {
        // A pool of distinct lines (every process busy every second) written round-robin.
        var random = new Random(42);
        var pool = new List<byte[]>(100_000);
        for (var i = 0; i < 100_000; i++)
            pool.Add(Encoding.ASCII.GetBytes(
                $"load-process-{i % options.Processes:D5}|{random.Next(2)}|{random.Next(1, 65_536)}|/load/dir-{random.Next(200)}/file-{random.Next(options.Paths)}.dat\n"));
        var buffer = new MemoryStream();
        var clock = Stopwatch.StartNew();
        var next = 0;
        // Paced in 5 ms steps: each tick writes what the rate says is due by then.
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * options.Rate) - _written;
            if (due <= 0)
            {
                pace.WaitForNextTickAsync().AsTask().GetAwaiter().GetResult();
                continue;
            }
            buffer.SetLength(0);
            for (var i = 0; i < Math.Min(due, options.Rate / 20); i++)
            {
                buffer.Write(pool[next]);
                next = (next + 1) % pool.Count;
            }
            pipe.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            Interlocked.Add(ref _written, Math.Min(due, options.Rate / 20));
        }
        pipe.Flush();
    }
}

/// <summary>A dashboard client that reads every push and notes the longest wait between two.</summary>
internal sealed class FastClient : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private int _updates;

    private FastClient(HubConnection hub)
    {
        _hub = hub;
        hub.On<JsonElement>("changes", _ =>
        {
            lock (_gate)
            {
                _updates++;
                if (_sinceLast.Elapsed > MaxGap)
                    MaxGap = _sinceLast.Elapsed;
                _sinceLast.Restart();
            }
        });
    }

    public int Updates => Volatile.Read(ref _updates);

    public TimeSpan MaxGap { get; private set; }

    public static async Task<FastClient> Connect(Uri hub, string? token, CancellationToken cancel)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hub, o => o.AccessTokenProvider = () => Task.FromResult(token))
            .Build();
        var client = new FastClient(connection);
        await connection.StartAsync(cancel);
        client._sinceLast.Restart();
        return client;
    }

    public ValueTask DisposeAsync() => _hub.DisposeAsync();
}

/// <summary>
/// Dashboard clients that connect, shake hands and then never read (a 4 KiB receive buffer), pinging so
/// they count as alive. The daemon drops one whose sends stay stuck (SignalR's transport send timeout);
/// it is replaced at once, so there are always as many stuck.
/// </summary>
internal sealed class StuckClients(Uri hub, string? token)
{
    private const char Separator = '\u001e';
    private readonly List<ClientWebSocket> _sockets = [];
    private int _reconnects;

    public int Reconnects => Volatile.Read(ref _reconnects);

    public async Task Connect(int count, CancellationToken cancel)
    {
        for (var i = 0; i < count; i++)
            _sockets.Add(await Open(cancel));
    }

    /// <summary>Every second: pings each socket (a send fails once the daemon dropped it) and replaces dropped ones.</summary>
    public async Task KeepAlive(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancel);
            for (var i = 0; i < _sockets.Count; i++)
            {
                var alive = _sockets[i].State == WebSocketState.Open;
                if (alive)
                {
                    try
                    {
                        await Send(_sockets[i], "{\"type\":6}" + Separator, cancel);
                    }
                    catch (Exception e) when (e is WebSocketException or IOException)
                    {
                        alive = false;
                    }
                }
                if (alive)
                    continue;
                _sockets[i].Abort();
                _sockets[i] = await Open(cancel);
                Interlocked.Increment(ref _reconnects);
            }
        }
    }

    public void Abort()
    {
        foreach (var socket in _sockets)
            socket.Abort();
    }

    private async Task<ClientWebSocket> Open(CancellationToken cancel)
    {
        var uri = new UriBuilder(hub) { Scheme = "ws" };
        if (token is not null)
            uri.Query = "access_token=" + Uri.EscapeDataString(token);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                await s.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        await socket.ConnectAsync(uri.Uri, new HttpMessageInvoker(handler), cancel);
        await Send(socket, "{\"protocol\":\"json\",\"version\":1}" + Separator, cancel);
        var answer = new byte[256];
        await socket.ReceiveAsync(answer, cancel);
        return socket;
    }

    private static Task Send(ClientWebSocket socket, string text, CancellationToken cancel) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancel);
}
