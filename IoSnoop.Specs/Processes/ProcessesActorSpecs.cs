using Akka.Actor;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Processes;

public sealed class ProcessesActorSpecs : ProcessesActorSpec
{

    private static readonly TimeSpan PushInterval = TimeSpan.FromSeconds(1);

    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2024-05-01T10:00:00Z"));

    private IActorRef NewStats() =>
        Sys.ActorOf(ProcessesActor.Props(new ProcessesSettings(PushInterval, TimeSpan.FromSeconds(3)), Paths, _clock));

    /// <summary>One push interval passes, on the actor's clock and its timers.</summary>
    private void NextPush()
    {
        _clock.Advance(PushInterval);
        Pass(PushInterval);
    }

    [Fact]
    public void Transient_processes_with_the_same_name_are_summed()
    {
        var stats = NewStats();
        // A build runs clang many times; each run is its own batch here.
        for (var run = 0; run < 50; run++)
            Ingest(stats, $"clang|1|100|/src/f{run % 5}.c", $"clang|0|10|/obj/f{run % 5}.o");
        var clang = Assert.Single(OverviewOf(stats).Processes);
        Assert.Equal("clang", clang.Name);
        Assert.Equal(5000, clang.Reads);
        Assert.Equal(500, clang.Writes);
        Assert.Equal(100, clang.Events);
        var files = FilesOf(stats, "clang");
        Assert.True(files.Found);
        Assert.Equal(10, files.Files.Count);
        Assert.All(files.Files.Where(f => f.Path.StartsWith("/src/")), f => Assert.Equal(1000, f.Reads));
        Assert.All(files.Files.Where(f => f.Path.StartsWith("/obj/")), f => Assert.Equal(100, f.Writes));
        AwaitAssert(() => Assert.Equal(10, Assert.Single(OverviewOf(stats).Processes).Files), Wait);
    }

    [Fact]
    public void Totals_count_events_malformed_lines_and_bytes()
    {
        var stats = NewStats();
        Ingest(stats, "a|1|100|/x", "b|0|7|/y", "garbage", "a|1|1|");
        var o = OverviewOf(stats);
        Assert.Equal(new Totals(2, 2, 0, 100, 7), o.Totals);
    }

    [Fact]
    public void Deleting_a_process_forgets_it_and_its_files()
    {
        var stats = NewStats();
        Ingest(stats, "a|1|100|/x", "b|0|7|/y");
        stats.Tell(new ProcessesProtocol.DeleteProcess("a"), TestActor);
        Assert.True(ExpectMsg<ProcessesProtocol.ProcessDeleted>(Wait).Existed);
        var o = OverviewOf(stats);
        Assert.Equal(["b"], o.Processes.Select(p => p.Name));
        Assert.Equal(0, o.Totals.Reads);
        Assert.False(FilesOf(stats, "a").Found);
        stats.Tell(new ProcessesProtocol.DeleteProcess("a"), TestActor);
        Assert.False(ExpectMsg<ProcessesProtocol.ProcessDeleted>(Wait).Existed);
        // A process seen again after deletion starts from zero.
        Ingest(stats, "a|1|5|/x");
        Assert.Equal(5, FilesOf(stats, "a").Summary!.Reads);
    }

    [Fact]
    public void Reset_forgets_everything()
    {
        var stats = NewStats();
        Ingest(stats, "a|1|100|/x", "b|0|7|/y", "bad");
        stats.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        var o = OverviewOf(stats);
        Assert.Empty(o.Processes);
        Assert.Equal(new Totals(0, 0, 0, 0, 0), o.Totals);
    }

    [Fact]
    public void The_full_dump_holds_every_file_of_every_process()
    {
        var stats = NewStats();
        Ingest(stats, "a|1|100|/x", "a|0|3|/z", "b|0|7|/y", "c d|1|1|/w w");
        stats.Tell(ProcessesProtocol.GetFullDump.Instance, TestActor);
        var dump = ExpectMsg<FullDump>(Wait);
        Assert.Equal(4, dump.Events);
        Assert.Equal(["a", "b", "c d"], dump.Processes.Keys.Order());
        Assert.Equal(["/x", "/z"], dump.Processes["a"].Select(f => f.Path).Order());
        Assert.Equal(1, Assert.Single(dump.Processes["c d"]).Reads);
    }

    [Fact]
    public void Queries_are_answered_while_batches_pour_in()
    {
        var stats = NewStats();
        var lines = Enumerable.Range(0, 200).Select(i => $"p{i % 20}|{i % 2}|10|/f{i}").ToArray();
        for (var i = 0; i < 500; i++)
        {
            // A new batch each time: a batch is added once (its path references pass to the file tables).
            stats.Tell(new ProcessesProtocol.Ingest(Batch(lines)), TestActor);
            if (i % 50 == 0)
                stats.Tell(ProcessesProtocol.GetOverview.Instance, TestActor);
        }
        var acks = 0;
        var overviews = new List<Overview>();
        while (acks < 500 || overviews.Count < 10)
        {
            var msg = ReceiveOne(Wait);
            if (msg is ProcessesProtocol.Ack)
                acks++;
            else if (msg is Overview o)
                overviews.Add(o);
            else
                Assert.Fail($"unexpected {msg}");
        }
        // Each overview is consistent: it reflects a whole number of batches.
        Assert.All(overviews, o => Assert.Equal(0, o.Totals.Events % 200));
        Assert.Equal(500 * 200, OverviewOf(stats).Totals.Events);
        Assert.Equal(500 * 200 * 10, OverviewOf(stats).Totals.Reads + OverviewOf(stats).Totals.Writes);
    }

    [Fact]
    public void The_same_batches_through_two_processes_actors_at_once_give_each_the_whole_figures()
    {
        // Two processes actors share nothing but the path pool, the one component that interns paths for
        // every actor of a pipeline and is safe to use from many at once. A batch hands one reference per
        // entry to its receiver, so the second receiver is given references of its own.
        var first = NewStats();
        var second = NewStats();
        var lines = Enumerable.Range(0, 300)
            .Select(b => Enumerable.Range(0, 60).Select(i => $"p{(b * 7 + i) % 40}|{i % 2}|{b + i + 1}|/data/{(b * 13 + i * 31) % 900}").ToArray())
            .ToArray();
        var firstStream = CreateTestProbe();
        var secondStream = CreateTestProbe();
        foreach (var batchLines in lines)
        {
            var batch = Batch(batchLines);
            foreach (var process in batch.Processes)
                foreach (var file in process.Files)
                    Paths.AddRef(file.Key);
            first.Tell(new ProcessesProtocol.Ingest(batch), firstStream.Ref);
            second.Tell(new ProcessesProtocol.Ingest(batch), secondStream.Ref);
        }
        for (var i = 0; i < lines.Length; i++)
        {
            firstStream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
            secondStream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
        }

        var expected = lines.SelectMany(l => l).Select(l => l.Split('|'))
            .GroupBy(f => (Process: f[0], Path: f[3]))
            .ToDictionary(g => g.Key, g => (Reads: g.Where(f => f[1] == "1").Sum(f => long.Parse(f[2])),
                                             Writes: g.Where(f => f[1] == "0").Sum(f => long.Parse(f[2])), Events: g.LongCount()));
        foreach (var stats in new[] { first, second })
        {
            stats.Tell(ProcessesProtocol.GetFullDump.Instance, TestActor);
            var dump = ExpectMsg<FullDump>(Wait);
            Assert.Equal(300 * 60, dump.Events);
            var held = dump.Processes.SelectMany(p => p.Value.Select(f => (Key: (p.Key, f.Path), Figures: (f.Reads, f.Writes, f.Events))))
                .ToDictionary(e => e.Key, e => e.Figures);
            Assert.Equal(expected.OrderBy(e => e.Key).ToList(), held.OrderBy(e => e.Key).ToList());
        }
        Assert.Equal(OverviewOf(first).Totals, OverviewOf(second).Totals);

        // Each gave back exactly the references it held: forgetting one leaves the other's paths held.
        first.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        var paths = expected.Keys.Select(k => k.Path).Distinct().Count();
        AwaitAssert(() => Assert.Equal(paths, Paths.Count), Wait);
        Assert.Equal(expected.Count, FullDumpOf(second).Processes.Sum(p => p.Value.Count));
        second.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        AwaitAssert(() => Assert.Equal(0, Paths.Count), Wait);
    }

    private FullDump FullDumpOf(IActorRef stats)
    {
        stats.Tell(ProcessesProtocol.GetFullDump.Instance, TestActor);
        return ExpectMsg<FullDump>(Wait);
    }

    [Fact]
    public void Subscribers_get_what_changed_with_the_interval_deltas()
    {
        var stats = NewStats();
        stats.Tell(new ProcessesProtocol.Subscribe(TestActor));
        Ingest(stats, "a|1|100|/x", "b|0|7|/y");
        NextPush();
        var changes = ExpectMsg<StatsChanges>(Wait);
        Assert.Equal(["a", "b"], changes.Processes.Select(p => p.Name).Order());
        Assert.Equal(100, changes.Processes.Single(p => p.Name == "a").ReadDelta);
        Assert.Equal((1.0, _clock.Now), (changes.IntervalSeconds, changes.Time));
        Ingest(stats, "a|1|50|/x");
        NextPush();
        var next = ExpectMsg<StatsChanges>(Wait);
        var a = Assert.Single(next.Processes);
        Assert.Equal((150, 50), (a.Reads, a.ReadDelta));
        Assert.Equal(1.0, next.IntervalSeconds);
        stats.Tell(new ProcessesProtocol.DeleteProcess("b"), TestActor);
        ExpectMsg<ProcessesProtocol.ProcessDeleted>(Wait);
        NextPush();
        var removed = ExpectMsg<StatsChanges>(Wait);
        Assert.Equal(["b"], removed.Removed);
        Assert.Empty(removed.Processes);
        stats.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        NextPush();
        Assert.True(ExpectMsg<StatsChanges>(Wait).Reset);
    }

    [Fact]
    public void Device_totals_add_up_and_go_out_with_the_overview_and_every_push_until_a_reset()
    {
        var stats = NewStats();
        stats.Tell(new ProcessesProtocol.Subscribe(TestActor));
        IngestDevices(stats, new DeviceIo("8:0", 4096, 8192, 1, 2, 0, 512), new DeviceIo("254:0", 10, 0, 1, 0, 0, 0));
        IngestDevices(stats, new DeviceIo("8:0", 1000, 0, 3, 0, 24, 0));
        NextPush();
        var expected = new[] { new DeviceIo("254:0", 10, 0, 1, 0, 0, 0), new DeviceIo("8:0", 5096, 8192, 4, 2, 24, 512) };
        Assert.Equal(expected, ExpectMsg<StatsChanges>(Wait).Devices);
        Assert.Equal(expected, OverviewOf(stats).Devices);

        // A push for other reasons still carries every disk's totals (the dashboard shows the latest).
        Ingest(stats, "a|1|1|/x");
        NextPush();
        Assert.Equal(expected, ExpectMsg<StatsChanges>(Wait).Devices);

        stats.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        NextPush();
        var reset = ExpectMsg<StatsChanges>(Wait);
        Assert.True(reset.Reset);
        Assert.Empty(reset.Devices);
        Assert.Empty(OverviewOf(stats).Devices);
    }

    private void IngestDevices(IActorRef stats, params DeviceIo[] devices)
    {
        var stream = CreateTestProbe();
        stats.Tell(new ProcessesProtocol.Ingest(Batch() with { Devices = devices }), stream.Ref);
        stream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
    }

    [Fact]
    public void A_batch_is_acknowledged_only_after_every_process_actor_added_it()
    {
        var stats = NewStats();
        var stream = CreateTestProbe();
        stats.Tell(new ProcessesProtocol.Ingest(Batch("a|1|1|/x", "b|1|1|/y", "c|1|1|/z")), stream.Ref);
        stream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
        // Once acknowledged, every process actor has the batch: their files answer with it at once.
        foreach (var name in new[] { "a", "b", "c" })
            Assert.Equal(1, FilesOf(stats, name).Summary!.Reads);
        // The file counts came back with the acknowledgements.
        Assert.All(OverviewOf(stats).Processes, p => Assert.Equal(1, p.Files));
    }

    [Fact]
    public void Nothing_is_pushed_when_nothing_changed()
    {
        var stats = NewStats();
        stats.Tell(new ProcessesProtocol.Subscribe(TestActor));
        // Answered once the actor has started its timers and taken the subscription.
        OverviewOf(stats);
        for (var i = 0; i < 5; i++)
            NextPush();
        // The answer comes after whatever those five intervals pushed: nothing.
        OverviewOf(stats);

        // What changes is pushed at the next interval, and only then.
        Ingest(stats, "a|1|1|/x");
        OverviewOf(stats);
        NextPush();
        Assert.Equal("a", Assert.Single(ExpectMsg<StatsChanges>(Wait).Processes).Name);
        NextPush();
        OverviewOf(stats);
    }

    [Fact]
    public void Loaded_figures_are_the_starting_point()
    {
        var stats = NewStats();
        var at = DateTimeOffset.Parse("2024-05-01T10:00:00Z");
        var dump = new FullDump(9, new Dictionary<string, IReadOnlyList<FileSummary>>
        {
            ["mds"] = [new FileSummary("/a", 10, 20, at, 0, false), new FileSummary("<Smaller Files of mds>", 1, 2, at, 0, true)],
        });
        stats.Tell(new ProcessesProtocol.Load(dump), TestActor);
        Assert.Equal(new ProcessesProtocol.Loaded(1, 2), ExpectMsg<ProcessesProtocol.Loaded>(Wait));
        Ingest(stats, "mds|1|5|/a");
        var files = FilesOf(stats, "mds");
        Assert.Equal(15, files.Files.Single(f => f.Path == "/a").Reads);
        Assert.True(files.Files.Single(f => f.Path.StartsWith('<')).Merged);
        var o = OverviewOf(stats);
        Assert.Equal(10, o.Totals.Events);
        Assert.Equal((16, 22), (o.Processes[0].Reads, o.Processes[0].Writes));
    }

    [Fact]
    public void A_process_actor_that_fails_is_stopped_and_its_figures_leave_the_totals_with_it()
    {
        var stats = NewStats();
        Ingest(stats, "good|1|100|/a", "bad|0|7|/b");
        // A file without a path cannot come from outside (the edges refuse it); here it makes the actor throw.
        var broken = new FileSummary(null!, 5, 5, DateTimeOffset.UnixEpoch, 1, false);
        stats.Tell(new ProcessesProtocol.Load(new FullDump(0,
            new Dictionary<string, IReadOnlyList<FileSummary>> { ["bad"] = [broken] })), TestActor);
        ExpectMsg<ProcessesProtocol.Loaded>(Wait);

        AwaitAssert(() => Assert.Equal(["good"], OverviewOf(stats).Processes.Select(p => p.Name)), Wait);
        var overview = OverviewOf(stats);
        Assert.Equal((100L, 0L), (overview.Totals.Reads, overview.Totals.Writes));
        Assert.Equal(overview.Processes.Sum(p => p.Reads), overview.Totals.Reads);
        Assert.False(FilesOf(stats, "bad").Found);
        Assert.Equal(100, Assert.Single(FilesOf(stats, "good").Files).Reads);

        // The name's next events start a new actor; nothing of the failed one comes back.
        Ingest(stats, "bad|0|3|/c");
        var bad = FilesOf(stats, "bad");
        Assert.Equal(["/c"], bad.Files.Select(f => f.Path));
        Assert.Equal(3, OverviewOf(stats).Totals.Writes);
    }

    [Fact]
    public void The_processes_actor_keeps_its_figures_when_a_message_makes_it_fail()
    {
        var stats = NewStats();
        Ingest(stats, "good|1|100|/a", "other|0|7|/b");
        // A load without a dump cannot come from outside (the edges refuse it); here it makes the actor throw.
        // The failure is logged (as a warning: the actor goes on).
        EventFilter.Warning(contains: "Object reference not set").ExpectOne(() =>
            stats.Tell(new ProcessesProtocol.Load(null!), TestActor));

        var overview = OverviewOf(stats);
        Assert.Equal(["good", "other"], overview.Processes.Select(p => p.Name).Order());
        Assert.Equal((100L, 7L, 2L), (overview.Totals.Reads, overview.Totals.Writes, overview.Totals.Events));
        Assert.Equal(100, Assert.Single(FilesOf(stats, "good").Files).Reads);
        Ingest(stats, "good|1|1|/a");
        Assert.Equal(101, OverviewOf(stats).Totals.Reads);
    }

    [Fact]
    public void Sums_of_huge_events_stop_at_the_largest_figure_instead_of_turning_negative()
    {
        var stats = NewStats();
        // 2^48 bytes is the most one event may carry; 40,000 of them pass 2^63.
        var huge = Enumerable.Repeat($"dd|0|{1L << 48}|/huge", 40_000).ToArray();
        Ingest(stats, huge);
        Ingest(stats, huge);
        Ingest(stats, "dd|0|9223372036854775807|/huge", "dd|1|-5|/huge");
        var overview = OverviewOf(stats);
        Assert.Equal(long.MaxValue, overview.Totals.Writes);
        Assert.Equal(long.MaxValue, Assert.Single(overview.Processes).Writes);
        Assert.Equal(long.MaxValue, Assert.Single(FilesOf(stats, "dd").Files).Writes);
        Assert.Equal(80_000, overview.Totals.Events);
        Assert.Equal(2, overview.Totals.MalformedLines);
    }
}
