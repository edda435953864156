using Akka.Actor;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Specs.Support;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Pipeline;

/// <summary>The tracer process handling, exercised with a stand-in tracer script.</summary>
public sealed class TracerActorSpecs() : TracerSpecBase("iosnoop-tracer-")
{
    private string PidFile => Path.Combine(Dir, "pid");

    private string Trace(params string[] lines)
    {
        var path = Path.Combine(Dir, $"trace-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    [Fact]
    public void A_tracer_that_prints_and_exits_is_counted_and_restarted_with_totals_kept()
    {
        var trace = Trace("cc|0|100|/o/a.o", "cc|1|50|/src/a.c", "not a line");
        var tracer = StartTracer(new FakeTracerSource("print", trace));
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.True(o.Source.Restarts >= 2, $"restarts {o.Source.Restarts}");
            // Every run added whole: totals are multiples of one run's.
            var runs = o.Totals.Events / 2;
            Assert.True(runs >= 2);
            Assert.Equal(runs * 100, o.Totals.Writes);
            Assert.Equal(runs * 50, o.Totals.Reads);
            Assert.Equal(runs, o.Totals.MalformedLines);
            Assert.True(o.Totals.DroppedEvents >= 3);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_tracer_that_fails_shows_its_exit_code_and_stderr_in_the_status()
    {
        var trace = Trace("cc|0|100|/o/a.o");
        var tracer = StartTracer(new FakeTracerSource("print", trace, "3"));
        AwaitAssert(() =>
        {
            var status = Overview().Source;
            Assert.Contains("exited with code 3", status.Message);
            Assert.Contains("something odd happened", status.Message);
            Assert.True(status.Restarts >= 3);
            Assert.Equal("failed", status.State);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_flood_of_lines_is_counted_exactly()
    {
        var tracer = StartTracer(new FakeTracerSource("flood", "300000"));
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 1), Wait);
        Stop(tracer);
        var o = Overview();
        Assert.Equal(0, o.Totals.Events % 300_000);
        Assert.True(o.Totals.Events >= 300_000);
        Assert.Equal(o.Totals.Events, o.Totals.Writes);
    }

    [Fact]
    public async Task A_tracer_that_never_exits_is_stopped_and_leaves_no_process()
    {
        var tracer = StartTracer(new FakeTracerSource("forever", PidFile));
        var pid = await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() => Assert.Equal(10, Overview().Totals.Writes), Wait);
        Assert.True(ChildProcesses.IsAlive(pid));
        Stop(tracer);
        Assert.False(ChildProcesses.IsAlive(pid));
        Assert.Equal("stopped", Overview().Source.State);
    }

    [Fact]
    public async Task A_tracer_that_ignores_the_stop_signal_is_killed_after_the_grace_period()
    {
        var tracer = StartTracer(new FakeTracerSource("stubborn", PidFile) { StopGracePeriod = TimeSpan.FromMilliseconds(500) });
        var pid = await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() => Assert.Equal(10, Overview().Totals.Writes), Wait);
        Stop(tracer);
        Assert.False(ChildProcesses.IsAlive(pid));
    }

    [Fact]
    public async Task Shutting_down_the_actor_system_stops_the_tracer()
    {
        StartTracer(new FakeTracerSource("forever", PidFile));
        var pid = await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() => Assert.Equal(10, Overview().Totals.Writes), Wait);
        await Sys.Terminate();
        await AwaitAssertAsync(() => Assert.False(ChildProcesses.IsAlive(pid)), Wait);
    }

    [Fact]
    public async Task A_stop_lets_the_tracer_print_what_it_still_holds()
    {
        var tracer = StartTracer(new FakeTracerSource("ready", PidFile) { SignalsReady = true });
        await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() => Assert.Equal("running", Overview().Source.State), Wait);
        Stop(tracer);
        var o = Overview();
        Assert.Equal(10, o.Totals.Writes);
        Assert.Equal(5, o.Totals.Reads); // printed on SIGINT
    }

    [Fact]
    public async Task A_tracer_that_never_becomes_ready_is_restarted()
    {
        var source = new FakeTracerSource("ready-never", PidFile)
            { SignalsReady = true, ReadyTimeout = TimeSpan.FromMilliseconds(500), StopGracePeriod = TimeSpan.FromMilliseconds(500) };
        var tracer = StartTracer(source);
        var first = await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() =>
        {
            var status = Overview().Source;
            Assert.Contains("did not become ready", status.Message);
            Assert.True(status.Restarts >= 1);
        }, Wait);
        await AwaitAssertAsync(() => Assert.False(ChildProcesses.IsAlive(first)), Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_huge_line_without_newline_is_skipped_and_counted()
    {
        var tracer = StartTracer(new FakeTracerSource("huge-line", "10"));
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.True(o.Totals.Events >= 1);
            Assert.Equal(o.Totals.Events * 7, o.Totals.Writes);
            Assert.Equal(o.Totals.Events, o.Totals.MalformedLines);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public async Task A_tracer_that_closes_stdout_but_keeps_running_is_killed_and_restarted()
    {
        var tracer = StartTracer(new FakeTracerSource("close-stdout", PidFile) { StopGracePeriod = TimeSpan.FromMilliseconds(300) });
        var first = await ChildProcesses.ReadPidFile(PidFile, Wait);
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 1), Wait);
        Assert.False(ChildProcesses.IsAlive(first));
        Stop(tracer);
        Assert.Equal(0, Overview().Totals.Writes % 10);
    }

    [Fact]
    public void The_raw_log_gets_every_byte_the_tracer_printed()
    {
        var trace = Trace("cc|0|100|/o/a.o", "cc|1|50|/src/a b.c", "junk \u00e9");
        var rawLog = Path.Combine(Dir, "raw.log");
        var tracer = StartTracer(new FakeTracerSource("print", trace), rawLog: rawLog);
        AwaitAssert(() => Assert.True(Overview().Source.Restarts >= 2), Wait);
        Stop(tracer);
        var runs = Overview().Totals.Events / 2;
        var expected = string.Concat(Enumerable.Repeat(File.ReadAllText(trace), (int)runs));
        Assert.Equal(expected, File.ReadAllText(rawLog));
    }

    [Fact]
    public void A_recorded_log_is_replayed_before_the_tracer_starts()
    {
        var log = Trace("old|0|1000|/old/file", "old|1|1|/old/file");
        var tracer = StartTracer(new FakeTracerSource("forever", PidFile), replay: log);
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.Equal(1010, o.Totals.Writes);
            Assert.Equal(1, o.Totals.Reads);
            Assert.Equal(["forever", "old"], o.Processes.Select(p => p.Name).Order());
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void A_replay_without_a_live_tracer_reads_the_file_once()
    {
        var log = Trace("old|0|1000|/old/file", "bad");
        StartTracer(null, replay: log);
        AwaitAssert(() =>
        {
            var o = Overview();
            Assert.Equal("stopped", o.Source.State);
            Assert.Equal(new Totals(1, 1, 0, 0, 1000), o.Totals);
        }, Wait);
    }

    [Fact]
    public void A_problem_the_tracer_names_is_shown_and_is_a_wait_not_a_failure()
    {
        var trace = Trace("busy|0|1|/b");
        // The stand-in's trace makes it print BUSY on stderr (a Problem) and exit 1, again and again.
        File.WriteAllText(trace, "");
        var tracer = StartTracer(new FakeTracerSource("busy"));
        AwaitAssert(() =>
        {
            var status = Overview().Source;
            Assert.True(status.Restarts >= 4, $"restarts {status.Restarts}");
            Assert.Equal("restarting", status.State);
            Assert.StartsWith("the stand-in is busy; restarting in", status.Message);
        }, Wait);
        Stop(tracer);
    }

    [Fact]
    public void Batches_are_built_only_as_fast_as_the_stats_actor_takes_them()
    {
        // 20,000 lines, each a new path; batches of 100 entries from 1 KiB chunks; a processes actor that holds
        // back its acknowledgement.
        var pool = new IoSnoop.Actors.Interning.PathPool();
        var trace = Trace([.. Enumerable.Range(0, 20_000).Select(i => $"cc|0|1|/many/{i}")]);
        var stats = CreateTestProbe();
        stats.IgnoreMessages(message => message is not ProcessesProtocol.Ingest);
        var tracer = Sys.ActorOf(TracerActor.Props(new TracerSettings(null, trace, null)
        {
            ChunkSize = 1024,
            Decode = DecodeSettings.Default with { MaxBatchEntries = 100, MinBatchEvents = 100 },
        }, stats.Ref, pool));

        var first = stats.ExpectMsg<ProcessesProtocol.Ingest>(Wait);
        var asker = stats.LastSender;
        stats.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        // The batch given and at most one more being built (each up to a chunk past 100 entries): the
        // rest of the file waits unread instead of as finished batches.
        Assert.InRange(pool.Count, 100, 2 * (100 + 40));

        long events = first.Batch.Events;
        asker.Tell(ProcessesProtocol.Ack.Instance);
        while (events < 20_000)
        {
            events += stats.ExpectMsg<ProcessesProtocol.Ingest>(Wait).Batch.Events;
            stats.Reply(ProcessesProtocol.Ack.Instance);
        }
        Assert.Equal(20_000, events);
        Stop(tracer);
    }
}

