using Akka.Actor;
using Akka.Event;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// Misbehaving tracers not covered in <c>TracerActorSpecs</c>: binary garbage, a crash by signal, a flood
/// on stderr, a huge stderr line, and an endless stdout flood (back-pressure, not buffering).
/// </summary>
public sealed class TracerFaultSpecs() : TracerSpecBase("iosnoop-faults-", "akka.loglevel = DEBUG")
{
    /// <summary>A probe that receives every warning logged.</summary>
    private Akka.TestKit.TestProbe WatchLog()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(Warning));
        return probe;
    }

    private static List<string> Drain(Akka.TestKit.TestProbe probe, string text)
    {
        var lines = new List<string>();
        while (probe.HasMessages)
            if (probe.ReceiveOne(TimeSpan.Zero) is Warning w && w.Message.ToString()!.Contains(text, StringComparison.Ordinal))
                lines.Add(w.Message.ToString()!);
        return lines;
    }

    [Fact]
    public void Binary_garbage_on_stdout_is_counted_as_malformed_and_the_good_lines_still_count()
    {
        var tracer = StartTracer(new FakeTracerSource("garbage", "512"));
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.True(o.Source.Restarts >= 2);
            var garbage = o.Processes.Single(p => p.Name == "garbage");
            Assert.Equal(0, garbage.Writes % 9);
            Assert.True(garbage.Writes >= 18);
            Assert.True(o.Totals.MalformedLines > o.Source.Restarts);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_tracer_killed_by_a_signal_is_restarted_and_its_totals_kept()
    {
        var tracer = StartTracer(new FakeTracerSource("crash"));
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.True(o.Source.Restarts >= 3, $"restarts {o.Source.Restarts}");
            Assert.Contains("exited with code", o.Source.Message);
            // What each run printed before it was killed counts.
            Assert.True(o.Totals.Events >= o.Source.Restarts, $"{o.Totals.Events} events in {o.Source.Restarts} runs");
            Assert.Equal(2 * o.Totals.Events, o.Totals.Writes);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_flood_on_stderr_is_logged_a_few_lines_a_second_and_does_not_stop_anything()
    {
        var log = WatchLog();
        // The budget counts from the first line the tracer prints: so does the bound.
        var started = DateTime.UtcNow;
        var tracer = StartTracer(new FakeTracerSource("stderr-flood"));
        AwaitAssert(() => Assert.Equal(3, Overview().Totals.Writes), Wait);
        // The flood goes on until a second after the budget ran out has begun: the line that second lets through
        // says how many the budget held back.
        var logged = new List<string>();
        AwaitCondition(() =>
        {
            logged.AddRange(Drain(log, "noise on stderr"));
            return logged.Any(l => l.Contains("more stderr lines not logged"));
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        // Nothing stopped: the tracer still runs and its line still counts.
        Assert.Equal("running", Overview().Source.State);
        Assert.Equal(3, Overview().Totals.Writes);
        Stop(tracer);
        var seconds = (DateTime.UtcNow - started).TotalSeconds + 1;
        logged.AddRange(Drain(log, "noise on stderr"));
        Assert.True(logged.Count <= (seconds + 1) * TracerRun.StderrLinesLoggedPerSecond,
            $"{logged.Count} stderr lines logged in {seconds:0.#} s");
        Assert.Contains(logged, l => l.Contains("more stderr lines not logged"));
    }

    [Fact]
    public void A_huge_stderr_line_is_cut()
    {
        var log = WatchLog();
        var tracer = StartTracer(new FakeTracerSource("stderr-huge-line", "64"));
        AwaitAssert(() => Assert.Equal(4, Overview().Totals.Writes), Wait);
        var cut = log.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("eeee", StringComparison.Ordinal), Wait)
            .Message.ToString()!;
        Assert.True(cut.Length < 5000, $"a stderr line of {cut.Length} characters was logged");
        Assert.EndsWith(Actors.Tracing.StderrLines.CutMarker, cut);
        log.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("after the huge line", StringComparison.Ordinal), Wait);
        Stop(tracer);
    }
}
