using Akka.Actor;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Processes;
using IoSnoop.Specs.Support;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Processes;

/// <summary>The original's -t, -s and -d, and the cap on tracked files, with a clock moved by hand.</summary>
public sealed class MergeSpecs : ProcessesActorSpec
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2024-05-01T10:00:00Z"));

    private IActorRef NewStats(long threshold = 1000, int idleSeconds = 3600, int maxFiles = 1_000_000, bool dedup = false) =>
        Sys.ActorOf(ProcessesActor.Props(
            new ProcessesSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3))
            {
                Merge = new MergePolicy(threshold, TimeSpan.FromSeconds(idleSeconds), maxFiles, dedup),
            },
            Paths, _clock));

    private static (long Reads, long Writes) Sum(ProcessFiles files) => (files.Files.Sum(f => f.Reads), files.Files.Sum(f => f.Writes));

    [Fact]
    public void Small_files_idle_longer_than_s_are_merged_into_smaller_files_of_the_process()
    {
        var stats = NewStats(threshold: 1000, idleSeconds: 3600);
        Ingest(stats, "mds|1|10|/a", "mds|0|20|/b", "mds|1|999|/c", "mds|1|1000|/big-read", "mds|0|5000|/big-write");
        _clock.Advance(TimeSpan.FromSeconds(3601));
        stats.Tell(ProcessesProtocol.MergeNow.Instance);

        AwaitAssert(() => Assert.Equal(3, FilesOf(stats, "mds").Files.Count), Wait);
        var files = FilesOf(stats, "mds");
        var merged = files.Files.Single(f => f.Merged);
        Assert.Equal("<Smaller Files of mds>", merged.Path);
        Assert.Equal((1009L, 20L), (merged.Reads, merged.Writes));
        Assert.Equal(["/big-read", "/big-write"], files.Files.Where(f => !f.Merged).Select(f => f.Path).Order());
        // Totals never change.
        Assert.Equal((2009L, 5020L), Sum(files));
        var mds = Assert.Single(OverviewOf(stats).Processes);
        Assert.Equal((2009L, 5020L, 3), (mds.Reads, mds.Writes, mds.Files));
    }

    [Fact]
    public void Files_not_idle_for_longer_than_s_are_not_merged()
    {
        var stats = NewStats(threshold: 1000, idleSeconds: 3600);
        Ingest(stats, "mds|1|10|/old");
        _clock.Advance(TimeSpan.FromSeconds(1800));
        Ingest(stats, "mds|1|10|/recent");
        _clock.Advance(TimeSpan.FromSeconds(1801));
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        AwaitAssert(() => Assert.Contains(FilesOf(stats, "mds").Files, f => f.Merged), Wait);
        Assert.Equal(["/recent", "<Smaller Files of mds>"], FilesOf(stats, "mds").Files.Select(f => f.Path).Order(StringComparer.Ordinal));

        // Exactly S seconds idle is not more than S.
        _clock.Advance(TimeSpan.FromSeconds(1799));
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        Ingest(stats, "other|1|1|/x");
        Assert.Contains(FilesOf(stats, "mds").Files, f => f.Path == "/recent");
    }

    [Fact]
    public void A_threshold_of_zero_merges_nothing()
    {
        var stats = NewStats(threshold: 0, idleSeconds: 1);
        Ingest(stats, "a|1|0|/empty", "a|1|1|/x");
        _clock.Advance(TimeSpan.FromHours(2));
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        Ingest(stats, "b|1|1|/y");
        Assert.Equal(2, FilesOf(stats, "a").Files.Count);
    }

    [Fact]
    public void Over_the_cap_the_least_significant_files_are_merged_and_the_totals_stay()
    {
        var stats = NewStats(threshold: 0, maxFiles: 100);
        // 3 processes, 60 files each: 180 > 100. The big files must survive.
        foreach (var p in new[] { "a", "b", "c" })
            Ingest(stats, Enumerable.Range(0, 60).Select(i => $"{p}|1|{(i < 5 ? 1_000_000 : i)}|/{p}/{i}").ToArray());
        AwaitAssert(() => Assert.True(OverviewOf(stats).Processes.Sum(p => p.Files) <= 100), Wait);
        foreach (var p in new[] { "a", "b", "c" })
        {
            var files = FilesOf(stats, p);
            Assert.Equal(5 * 1_000_000 + Enumerable.Range(5, 55).Sum(), Sum(files).Reads);
            Assert.Contains(files.Files, f => f.Merged);
            Assert.All(Enumerable.Range(0, 5), i => Assert.Contains(files.Files, f => f.Path == $"/{p}/{i}"));
        }
        var o = OverviewOf(stats);
        Assert.Equal(3 * (5 * 1_000_000 + Enumerable.Range(5, 55).Sum()), o.Totals.Reads);
    }

    [Fact]
    public void The_cap_holds_however_many_distinct_files_come()
    {
        var stats = NewStats(threshold: 0, maxFiles: 500);
        long expected = 0;
        for (var batch = 0; batch < 40; batch++)
        {
            var lines = Enumerable.Range(0, 200).Select(i => $"p{i % 4}|0|{i + 1}|/f/{batch}/{i}").ToArray();
            expected += Enumerable.Range(1, 200).Sum();
            Ingest(stats, lines);
            // Bounded at every step: the cap plus what one batch adds while a merge round runs.
            Assert.True(OverviewOf(stats).Processes.Sum(p => p.Files) <= 500 + 200 * 2);
        }
        AwaitAssert(() => Assert.True(OverviewOf(stats).Processes.Sum(p => p.Files) <= 500), Wait);
        Assert.Equal(expected, OverviewOf(stats).Totals.Writes);
        Assert.Equal(expected, Enumerable.Range(0, 4).Sum(i => Sum(FilesOf(stats, $"p{i}")).Writes));
        // The file counts the overview shows (each process actor's last answer) are the tables' own.
        var overview = OverviewOf(stats);
        Assert.All(overview.Processes, p => Assert.Equal(FilesOf(stats, p.Name).Files.Count, p.Files));
    }

    [Fact]
    public void Paths_merged_away_deleted_or_reset_go_back_to_the_pool()
    {
        var pool = new PathPool();
        var stats = Sys.ActorOf(ProcessesActor.Props(
            new ProcessesSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3))
            {
                Merge = new MergePolicy(0, TimeSpan.FromHours(1), 500, false),
            },
            pool, _clock));
        var stream = CreateTestProbe();
        for (var batch = 0; batch < 40; batch++)
        {
            stats.Tell(new ProcessesProtocol.Ingest(Batch(pool, Enumerable.Range(0, 200).Select(i => $"p{i % 4}|0|1|/f/{batch}/{i}"))), stream.Ref);
            stream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
        }
        // Every path in the pool is a file some process holds (each process's paths differ), merged rows included.
        AwaitAssert(() => Assert.Equal(OverviewOf(stats).Processes.Sum(p => p.Files), pool.Count), Wait);
        Assert.InRange(pool.Count, 4, 500);

        // Batches still on their way to a process that is deleted are added, then given back with its table.
        for (var batch = 0; batch < 5; batch++)
            stats.Tell(new ProcessesProtocol.Ingest(Batch(pool, Enumerable.Range(0, 100).Select(i => $"p0|0|1|/late/{batch}/{i}"))), stream.Ref);
        stats.Tell(new ProcessesProtocol.DeleteProcess("p0"), TestActor);
        ExpectMsg<ProcessesProtocol.ProcessDeleted>(Wait);
        AwaitAssert(() => Assert.Equal(OverviewOf(stats).Processes.Sum(p => p.Files), pool.Count), Wait);

        stats.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        AwaitAssert(() => Assert.Equal(0, pool.Count), Wait);
    }

    [Fact]
    public void Under_the_cap_nothing_is_merged_and_one_file_over_it_starts_a_round()
    {
        var stats = NewStats(threshold: 0, maxFiles: 500);
        Ingest(stats, Enumerable.Range(0, 500).Select(i => $"p|0|1|/f/{i}").ToArray());
        Assert.Equal(500, OverviewOf(stats).Processes.Sum(p => p.Files));
        Assert.Equal(500, FilesOf(stats, "p").Files.Count);
        Ingest(stats, "p|0|1|/f/500");
        AwaitAssert(() => Assert.Equal(400, OverviewOf(stats).Processes.Sum(p => p.Files)), Wait);
        Assert.Equal(400, FilesOf(stats, "p").Files.Count);
    }

    [Fact]
    public void Loaded_figures_over_the_cap_are_merged_too()
    {
        var stats = NewStats(threshold: 0, maxFiles: 10);
        var at = _clock.Now;
        var files = Enumerable.Range(0, 30).Select(i => new FileSummary($"/f{i}", i, 0, at, 1, false)).ToList();
        stats.Tell(new ProcessesProtocol.Load(new FullDump(30, new Dictionary<string, IReadOnlyList<FileSummary>> { ["a"] = files })), TestActor);
        ExpectMsg<ProcessesProtocol.Loaded>(Wait);
        AwaitAssert(() => Assert.True(FilesOf(stats, "a").Files.Count <= 10), Wait);
        Assert.Equal(Enumerable.Range(0, 30).Sum(), Sum(FilesOf(stats, "a")).Reads);
    }

    [Fact]
    public void Over_the_cap_idle_files_go_before_recent_ones()
    {
        // 16 files over a cap of 12: down to 80 % of it (9), so 8 merged (one more: the merged row is new).
        var stats = NewStats(threshold: 0, maxFiles: 12);
        Ingest(stats, Enumerable.Range(0, 8).Select(i => $"a|1|1000000|/idle/{i}").ToArray());
        _clock.Advance(TimeSpan.FromMinutes(5));
        Ingest(stats, Enumerable.Range(0, 8).Select(i => $"a|1|1|/recent/{i}").ToArray());
        AwaitAssert(() => Assert.True(FilesOf(stats, "a").Files.Count <= 9), Wait);
        var paths = FilesOf(stats, "a").Files.Select(f => f.Path).ToList();
        // The big idle files went first, although the recent ones are smaller.
        Assert.Equal(8, paths.Count(p => p.StartsWith("/recent/")));
    }

    [Fact]
    public void With_d_launchd_does_not_count_paths_another_process_touched()
    {
        var stats = NewStats(threshold: 0, dedup: true);
        Ingest(stats, "launchd|0|100|/var/log/app.log", "launchd|0|7|/var/db/launchd.plist", "app|0|5|/var/log/app.log");
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        AwaitAssert(() => Assert.Single(FilesOf(stats, "launchd").Files), Wait);
        Assert.Equal("/var/db/launchd.plist", FilesOf(stats, "launchd").Files[0].Path);
        var o = OverviewOf(stats);
        Assert.Equal(7, o.Processes.Single(p => p.Name == "launchd").Writes);
        Assert.Equal(5, o.Processes.Single(p => p.Name == "app").Writes);
        Assert.Equal(12, o.Totals.Writes);

        // A path launchd touches after another process did is removed at the next pass too.
        Ingest(stats, "app|1|1|/etc/app.conf", "launchd|1|50|/etc/app.conf");
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        AwaitAssert(() => Assert.Equal(0, OverviewOf(stats).Processes.Single(p => p.Name == "launchd").Reads), Wait);
    }

    [Fact]
    public void Without_d_launchd_keeps_the_paths_others_touched()
    {
        var stats = NewStats(threshold: 0, dedup: false);
        Ingest(stats, "launchd|0|100|/var/log/app.log", "app|0|5|/var/log/app.log");
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        Ingest(stats, "x|0|1|/x");
        Assert.Equal(100, OverviewOf(stats).Processes.Single(p => p.Name == "launchd").Writes);
    }

    [Fact]
    public void With_d_a_shared_small_idle_path_of_launchd_is_removed_not_merged()
    {
        var stats = NewStats(threshold: 1000, idleSeconds: 60, dedup: true);
        Ingest(stats, "launchd|0|10|/shared", "launchd|0|20|/own", "app|0|5|/shared");
        _clock.Advance(TimeSpan.FromSeconds(61));
        stats.Tell(ProcessesProtocol.MergeNow.Instance);
        AwaitAssert(() => Assert.Contains(FilesOf(stats, "launchd").Files, f => f.Merged), Wait);
        var merged = Assert.Single(FilesOf(stats, "launchd").Files);
        Assert.Equal(20, merged.Writes);
    }
}
