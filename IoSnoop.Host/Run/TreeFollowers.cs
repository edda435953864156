using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using IoSnoop.Actors.Hosting;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Tracing.MacOs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IoSnoop.Host.Run;

/// <summary>Who follows the command's process tree for <c>iosnoopng run</c>: the daemon, or a tracer of its own.</summary>
public interface ITreeFollower : IAsyncDisposable
{
    /// <summary><c>daemon</c> or <c>own</c>, as the report names it.</summary>
    string Tracer { get; }

    /// <exception cref="RunFailure">The pid cannot be followed.</exception>
    Task Follow(int pid, CancellationToken cancel);

    /// <summary>The followed tree's figures now, or null when it is not followed.</summary>
    Task<FollowReport?> Report(int pid, CancellationToken cancel);

    Task Unfollow(int pid, CancellationToken cancel);
}

/// <summary><c>iosnoopng run</c> cannot go on; the message says why, in one line.</summary>
public sealed class RunFailure(string message) : Exception(message);

/// <summary>Follows through the daemon's <c>/api/follow</c>.</summary>
public sealed class DaemonFollower : ITreeFollower
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    private DaemonFollower(HttpClient http) => _http = http;

    public string Tracer => "daemon";

    /// <summary>The daemon at <paramref name="address"/>, or null when none answers there.</summary>
    /// <exception cref="RunFailure">One answers but refuses (a token is needed or wrong), or the token file cannot be read.</exception>
    public static async Task<DaemonFollower?> Connect(Uri address, string? tokenFile, CancellationToken cancel)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            if (tokenFile is not null)
            {
                string token;
                try
                {
                    token = (await File.ReadAllTextAsync(tokenFile, cancel)).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new RunFailure($"cannot read the token file {tokenFile}: {e.Message}");
                }
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancel, probe.Token);
            using var status = await http.GetAsync("/api/status", both.Token);
            if (status.StatusCode == HttpStatusCode.Unauthorized)
                throw new RunFailure($"the daemon at {address} wants its token: give it with --token-file FILE ({await Reason(status)})");
            if (!status.IsSuccessStatusCode)
                throw new RunFailure($"the daemon at {address} answered {(int)status.StatusCode}: {await Reason(status)}");
            if (CannotFollow(address, await SourceName(status, both.Token)) is { } why)
                throw new RunFailure(why);
            var follower = new DaemonFollower(http);
            http = null!;
            return follower;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException)
        {
            return null;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null; // nothing answered within the probe's time
        }
        finally
        {
            http?.Dispose();
        }
    }

    /// <summary>Why the daemon at <paramref name="address"/>, whose source is <paramref name="source"/>, cannot follow a
    /// command's process tree; null when it can (bpftrace, dtrace, or a source this version does not know).</summary>
    public static string? CannotFollow(Uri address, string? source) => source switch
    {
        FsUsageSource.SourceName => $"the daemon at {address} reads fs_usage, which gives no process ids: run follows a command's process tree " +
                      "with the daemon started with --source dtrace (macOS) or bpftrace (Linux); with fs_usage the figures are per name only",
        "replay" => $"the daemon at {address} replays a recording: it cannot follow a command run now",
        _ => null,
    };

    private static async Task<string?> SourceName(HttpResponseMessage status, CancellationToken cancel)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(await status.Content.ReadAsStreamAsync(cancel), cancellationToken: cancel);
            return body.RootElement.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object
                   && source.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null; // not our daemon's status: Follow says what is wrong
        }
    }

    public async Task Follow(int pid, CancellationToken cancel)
    {
        using var response = await _http.PostAsJsonAsync("/api/follow", new { pid }, cancel);
        if (!response.IsSuccessStatusCode)
            throw new RunFailure($"the daemon at {_http.BaseAddress} cannot follow pid {pid}: {await Reason(response)}");
    }

    public async Task<FollowReport?> Report(int pid, CancellationToken cancel)
    {
        using var response = await _http.GetAsync($"/api/follow/{pid}", cancel);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        if (!response.IsSuccessStatusCode)
            throw new RunFailure($"the daemon at {_http.BaseAddress} answered {(int)response.StatusCode}: {await Reason(response)}");
        return await response.Content.ReadFromJsonAsync<FollowReport>(Json, cancel);
    }

    public async Task Unfollow(int pid, CancellationToken cancel)
    {
        using var _ = await _http.DeleteAsync($"/api/follow/{pid}", cancel);
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The daemon's error text (<c>{"error": ...}</c>), or the status.</summary>
    private static async Task<string> Reason(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
                return error.ToString();
        }
        catch (JsonException)
        {
        }
        return body.Length is > 0 and < 300 ? body.Trim() : response.StatusCode.ToString();
    }
}

/// <summary>
/// The tracer of this process, for one run: the daemon's pipeline (bpftrace source, parsing flow, process tree)
/// without the web server, the database or a port. Needs root.
/// </summary>
public sealed class OwnTracerFollower : ITreeFollower
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private readonly IHost _host;
    private readonly IActorRef _tree;

    private OwnTracerFollower(IHost host, IActorRef tree)
    {
        _host = host;
        _tree = tree;
    }

    public string Tracer => "own";

    /// <summary>Starts the tracer and waits until its probes are attached.</summary>
    /// <exception cref="RunFailure">It cannot trace here (not root, no bpftrace, ...).</exception>
    public static async Task<OwnTracerFollower> Start(CancellationToken cancel)
    {
        if (!OperatingSystem.IsLinux())
            throw new RunFailure("without a daemon, run traces with bpftrace, which needs Linux");
        var options = new DaemonOptions { Source = "bpftrace", Database = "none" };
        var source = SourceCatalog.Create("bpftrace", options, out var error)
                     ?? throw new RunFailure($"cannot trace: {error}");
        var problems = source.Preflight();
        if (problems.Count > 0)
            throw new RunFailure("cannot trace: " + string.Join("; ", problems));

        var logger = DaemonApp.CreateLogger("warn");
        Serilog.Log.Logger = logger;
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("iosnoopng-run", akka =>
        {
            akka.ConfigureLoggers(setup =>
            {
                setup.LogLevel = Akka.Event.LogLevel.WarningLevel;
                setup.ClearLoggers();
                setup.AddLogger<SerilogLogger>();
            });
            akka.WithIoSnoopPipeline(DaemonApp.ProcessesSettingsFor(options), DaemonApp.TracerSettingsFor(options, source),
                processTree: DaemonApp.ProcessTreeSettingsFor(options, source));
        });
        var host = builder.Build();
        await host.StartAsync(cancel);
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        var follower = new OwnTracerFollower(host, registry.Get<ProcessTreeActor>());
        var tracer = registry.Get<TracerActor>();
        var deadline = DateTime.UtcNow + source.ReadyTimeout + TimeSpan.FromSeconds(10);
        while (true)
        {
            var status = await tracer.Ask<SourceStatus>(TracerProtocol.GetStatus.Instance, AskTimeout, cancel);
            if (status.State == "running")
                return follower;
            if (status.State == "failed" || DateTime.UtcNow > deadline)
            {
                await follower.DisposeAsync();
                throw new RunFailure($"the tracer did not start ({status.State}: {status.Message ?? "no message"})");
            }
            await Task.Delay(100, cancel);
        }
    }

    public async Task Follow(int pid, CancellationToken cancel)
    {
        var started = await _tree.Ask<ProcessTreeProtocol.FollowStarted>(new ProcessTreeProtocol.Follow(pid), AskTimeout, cancel);
        if (started.Problem is { } problem)
            throw new RunFailure($"cannot follow pid {pid}: {problem}");
    }

    public async Task<FollowReport?> Report(int pid, CancellationToken cancel) =>
        (await _tree.Ask<ProcessTreeProtocol.FollowFound>(new ProcessTreeProtocol.GetFollow(pid), AskTimeout, cancel)).Report;

    public async Task Unfollow(int pid, CancellationToken cancel) =>
        await _tree.Ask<ProcessTreeProtocol.Unfollowed>(new ProcessTreeProtocol.Unfollow(pid), AskTimeout, cancel);

    public async ValueTask DisposeAsync()
    {
        // The coordinated shutdown stops the tracer (SIGINT, then its last figures) before the actors stop.
        await _host.StopAsync();
        _host.Dispose();
    }
}
