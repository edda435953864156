using Akka.Actor;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.MacOs;

/// <summary>
/// The macOS sources through the real pipeline (tracer process → parsing flow → actors) with the stand-in
/// fs_usage and dtrace executables: totals, drops and the status the dashboard shows.
/// </summary>
public sealed class StandInPipelineSpecs() : TracerSpecBase("iosnoop-standin-")
{
    private static string StandIn(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "macos", "bin", name);

    /// <summary>The source as it is, with a scenario for the stand-in in the child's environment.</summary>
    private sealed class WithScenario(ITraceSource inner, string variable, string scenario) : ITraceSource
    {
        public string Name => inner.Name;
        public string Measures => inner.Measures;
        public bool SignalsReady => inner.SignalsReady;
        public TimeSpan ReadyTimeout => inner.ReadyTimeout;
        public TimeSpan StopGracePeriod => inner.StopGracePeriod;
        public IReadOnlyList<string> Preflight() => [];
        public TracerCommand Prepare() => inner.Prepare() with { Environment = new Dictionary<string, string> { [variable] = scenario } };
        public ITraceParser CreateParser() => inner.CreateParser();
        public StderrLine ClassifyStderr(string line) => inner.ClassifyStderr(line);
    }

    [Fact]
    public void Fs_usage_output_ends_as_the_recorded_totals_per_run()
    {
        var tracer = StartTracer(new FsUsageSource(StandIn("fs_usage")));
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 1), Wait);
        Stop(tracer);
        var o = Overview();
        // One run of the recorded lines: 20 events, 962,560 bytes read, 12,288 written.
        var runs = o.Totals.Events / 20;
        Assert.True(runs >= 1);
        Assert.Equal(20 * runs, o.Totals.Events);
        Assert.Equal(962_560 * runs, o.Totals.Reads);
        Assert.Equal(12_288 * runs, o.Totals.Writes);
        Assert.Equal("fs_usage", o.Source.Name);
        Assert.Equal("physical disk I/O", o.Source.Measures);
        // Disk-only: its reads and writes are disk bytes, said as a structured field beside the text.
        Assert.Equal(["disk"], o.Source.Layers);
        Assert.Contains("reads and writes are disk I/O", o.Source.LayersNote);
        Assert.Equal((0L, 0L), (o.Totals.DiskReads, o.Totals.DiskWrites));
        Assert.Contains(o.Processes, p => p.Name == "Telegram");
    }

    [Fact]
    public void Fs_usage_buffer_overruns_are_counted_as_drops()
    {
        var tracer = StartTracer(new WithScenario(new FsUsageSource(StandIn("fs_usage")), "IOSNOOP_FS_USAGE_SCENARIO", "overrun"));
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 1), Wait);
        Stop(tracer);
        var o = Overview();
        Assert.True(o.Totals.DroppedEvents >= 2);
        Assert.Equal(0, o.Totals.DroppedEvents % 2);
    }

    [Fact]
    public void A_busy_ktrace_session_shows_in_the_status_and_is_retried()
    {
        var tracer = StartTracer(new WithScenario(new FsUsageSource(StandIn("fs_usage")), "IOSNOOP_FS_USAGE_SCENARIO", "busy"));
        AwaitAssert(() =>
        {
            var status = Overview().Source;
            Assert.True(status.Restarts >= 2);
            Assert.Equal("restarting", status.State);
            Assert.Contains("ktrace", status.Message);
        }, Wait);
        Stop(tracer);
        Assert.Equal(0, Overview().Totals.Events);
    }

    [Fact]
    public void Dtrace_output_and_its_drops_reach_the_totals()
    {
        var tracer = StartTracer(new DtraceSource(forceAfterSleep: false, executablePath: StandIn("dtrace")));
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 1), Wait);
        Stop(tracer);
        var o = Overview();
        var runs = o.Totals.Events / 7;
        Assert.True(runs >= 1);
        Assert.Equal(7 * runs, o.Totals.Events);
        Assert.True(o.Totals.DroppedEvents >= 11 * runs);
        Assert.Equal("dtrace", o.Source.Name);
    }

    [Fact]
    public void Dtrace_blocked_by_sip_tells_the_user_what_to_do()
    {
        var tracer = StartTracer(new WithScenario(new DtraceSource(false, StandIn("dtrace")), "IOSNOOP_DTRACE_SCENARIO", "sip"));
        AwaitAssert(() => Assert.Contains("csrutil enable --without dtrace", Overview().Source.Message), Wait);
        Stop(tracer);
    }
}
