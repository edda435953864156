using System.Net;
using System.Text.Json;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Api;

namespace IoSnoop.Specs.MacOs;

/// <summary>
/// The whole daemon (real Kestrel) with the macOS sources run through their stand-ins: with <c>--source dtrace</c>
/// the stand-in prints the records of a small build (<c>dtrace-tree.txt</c>) and <c>/api/processes</c> shows its
/// tree; with fs_usage, which prints no pid, the API says that process trees need <c>--source dtrace</c>.
/// </summary>
public sealed class StandInTreeSpecs
{
    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>The source as it is, past the macOS-only checks, with the stand-in's scenario; the stand-in stays
    /// after its output, as the real tracer does.</summary>
    private sealed class StandIn(ITraceSource inner, IReadOnlyDictionary<string, string> environment) : ITraceSource
    {
        public string Name => inner.Name;
        public string Measures => inner.Measures;
        public IReadOnlyList<string> Layers => inner.Layers;
        public string? LayersNote => inner.LayersNote;
        public bool SignalsReady => inner.SignalsReady;
        public TimeSpan ReadyTimeout => inner.ReadyTimeout;
        public TimeSpan StopGracePeriod => inner.StopGracePeriod;
        public IReadOnlyList<string> Preflight() => [];
        public TracerCommand Prepare() => inner.Prepare() with { Environment = environment };
        public ITraceParser CreateParser() => inner.CreateParser();
        public StderrLine ClassifyStderr(string line) => inner.ClassifyStderr(line);
    }

    private static string Program(string name) => Path.Combine(MacFixtures.StandInFolder, name);

    private async Task<(HttpStatusCode Status, JsonElement Body, string? Note)> Get(RunningDaemon daemon, string path)
    {
        using var response = await daemon.Http.GetAsync(path, Cancel);
        var note = response.Headers.TryGetValues(ProcessTreeApi.NoteHeader, out var values) ? string.Join(",", values) : null;
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone(), note);
    }

    private static (long, long, long, long) Figures(JsonElement e) => (e.GetProperty("reads").GetInt64(), e.GetProperty("writes").GetInt64(),
        e.GetProperty("treeReads").GetInt64(), e.GetProperty("treeWrites").GetInt64());

    private static TimeSpan? Lifetime(JsonElement e) => e.GetProperty("ended").ValueKind == JsonValueKind.Null
        ? null
        : e.GetProperty("ended").GetDateTimeOffset() - e.GetProperty("started").GetDateTimeOffset();

    [Fact]
    public async Task With_the_dtrace_source_the_api_shows_the_build_s_tree()
    {
        var source = new StandIn(new DtraceSource(forceAfterSleep: false, executablePath: Program("dtrace")),
            new Dictionary<string, string> { ["IOSNOOP_DTRACE_SCENARIO"] = "tree", ["IOSNOOP_STANDIN_HOLD"] = "1" });
        await using var daemon = await RunningDaemon.Start(new DaemonOptions(), source);

        // make's end is the last record: once it is there, so is everything before it.
        var make = (await Poll.Until(() => Get(daemon, "/api/processes/600"),
            r => r.Status == HttpStatusCode.OK && r.Body.GetProperty("ended").ValueKind != JsonValueKind.Null,
            TimeSpan.FromSeconds(30), "/api/processes/600", r => r.Body.ToString())).Body;

        Assert.Equal((500, "make", "/usr/bin/make"), (make.GetProperty("ppid").GetInt32(), make.GetProperty("name").GetString(),
            make.GetProperty("exe").GetString()));
        Assert.Equal((0L, 512L, 6144L, 156_160L), Figures(make));
        Assert.Equal(TimeSpan.FromMilliseconds(3500), Lifetime(make));
        var children = make.GetProperty("children").EnumerateArray().ToArray();
        Assert.Equal([(601, "ld"), (603, "sh"), (601, "cc")],
            children.Select(c => (c.GetProperty("pid").GetInt32(), c.GetProperty("name").GetString())));
        Assert.Equal((4096L, 8192L, TimeSpan.FromMilliseconds(250)), (Figures(children[2]).Item1, Figures(children[2]).Item2, Lifetime(children[2])));

        var sh = (await Get(daemon, "/api/processes/603")).Body;
        Assert.Equal((2048L, 0L, 2048L, 131_072L), Figures(sh));
        var dd = Assert.Single(sh.GetProperty("children").EnumerateArray());
        Assert.Equal((604, 603, "dd", "/bin/dd"), (dd.GetProperty("pid").GetInt32(), dd.GetProperty("ppid").GetInt32(),
            dd.GetProperty("name").GetString(), dd.GetProperty("exe").GetString()));
        Assert.Equal(TimeSpan.FromSeconds(2), Lifetime(dd));

        var zsh = (await Get(daemon, "/api/processes/500")).Body;
        Assert.Equal((1024L, 0L, 7168L, 156_160L), Figures(zsh));
        Assert.Null(Lifetime(zsh));

        var (status, running, note) = await Get(daemon, "/api/processes?running=true");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([500, 412], running.EnumerateArray().Select(i => i.GetProperty("pid").GetInt32()));
        Assert.Null(note);
        var cc = Assert.Single((await Get(daemon, "/api/processes?name=cc")).Body.EnumerateArray());
        Assert.Equal((601, "/usr/bin/cc"), (cc.GetProperty("pid").GetInt32(), cc.GetProperty("exe").GetString()));
    }

    [Fact]
    public async Task With_fs_usage_the_api_says_that_process_trees_need_the_dtrace_source()
    {
        var source = new StandIn(new FsUsageSource(Program("fs_usage")), new Dictionary<string, string> { ["IOSNOOP_STANDIN_HOLD"] = "1" });
        await using var daemon = await RunningDaemon.Start(new DaemonOptions(), source);
        await daemon.WaitForStatus(s => s.GetProperty("totals").GetProperty("events").GetInt64() > 0, TimeSpan.FromSeconds(30));

        var (status, list, note) = await Get(daemon, "/api/processes");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, list.GetArrayLength());
        Assert.Equal(ProcessTreeSources.FsUsageMessage, note);
        Assert.Contains("--source dtrace", note, StringComparison.Ordinal);

        var (missing, error, _) = await Get(daemon, "/api/processes/1");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal($"no process instance with pid 1 is held: {ProcessTreeSources.FsUsageMessage}", error.GetProperty("error").GetString());
    }

    [Fact]
    public void Only_fs_usage_gets_the_note()
    {
        Assert.Equal(ProcessTreeSources.FsUsageMessage, ProcessTreeSources.WhyNone(FsUsageSource.SourceName));
        Assert.Null(ProcessTreeSources.WhyNone(DtraceSource.SourceName));
        Assert.Null(ProcessTreeSources.WhyNone("bpftrace"));
        Assert.Null(ProcessTreeSources.WhyNone("replay"));
        Assert.Null(ProcessTreeSources.WhyNone(null));
    }
}
