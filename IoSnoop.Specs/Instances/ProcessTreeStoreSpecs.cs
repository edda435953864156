using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Instances;

/// <summary>The process tree kept in a real SQLite file and taken back; retention and the bounds of the tree.</summary>
public sealed class ProcessTreeStoreSpecs : IDisposable
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
    private const string BootId = "boot-a";
    private const long S = 1_000_000_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-tree-store-").FullName;
    private readonly List<FiguresDatabase> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
            store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private FiguresDatabase Open()
    {
        var store = FiguresDatabase.Open(Path.Combine(_dir, "iosnoopng.db"), Defaults.History);
        _stores.Add(store);
        return store;
    }

    private void Close()
    {
        foreach (var store in _stores)
            store.Dispose();
        _stores.Clear();
    }

    private static StoreChanges NoFigures() => new(false, false, [], [], new StoredCounters(0, 0, 0), []);

    private static void Save(FiguresDatabase store, ProcessTree tree, DateTimeOffset at, bool all = false) =>
        store.Write(NoFigures(), at, tree.TakeChanges(all, BootId, Boot));

    private static InstanceInfo Get(ProcessTree tree, int pid) => tree.Latest(pid, Boot)!.Instance;

    private static (long, long, long, long) Figures(ProcessTree tree, int pid)
    {
        var i = Get(tree, pid);
        return (i.Reads, i.Writes, i.TreeReads, i.TreeWrites);
    }

    /// <summary>sh (10) → make (11) → cc (12, exited with 1), cc (13); sh also runs a daemon (14) still running.</summary>
    private static ProcessTree Build()
    {
        var tree = new ProcessTree(maxExited: 100);
        tree.Apply(new InstanceStarted(10, 1 * S + 1, 1, 7, "sh"));
        tree.Apply(new InstanceStarted(11, 2 * S + 3, 10, 1 * S + 1, "sh"));
        tree.Apply(new InstanceExecuted(11, 2 * S + 3, "make", "/usr/bin/make"));
        tree.Apply(new InstanceStarted(12, 3 * S + 5, 11, 2 * S + 3, "make"));
        tree.Apply(new InstanceExecuted(12, 3 * S + 5, "cc", "/usr/bin/cc"));
        tree.Apply(new InstanceStarted(13, 3 * S + 9, 11, 2 * S + 3, "make"));
        tree.Apply(new InstanceStarted(14, 4 * S, 10, 1 * S + 1, "sh"));
        tree.Apply(new InstanceIo(10, "sh", 1, 2));
        tree.Apply(new InstanceIo(11, "make", 10, 20));
        tree.Apply(new InstanceIo(12, "cc", 100, 200));
        tree.Apply(new InstanceIo(13, "sh", 1000, 2000));
        tree.Apply(new InstanceIo(14, "sh", 5, 5));
        tree.Apply(new InstanceEnded(12, 3 * S + 5, 2 * S, "cc") { ExitCode = 1 });
        return tree;
    }

    [Fact]
    public void A_tree_written_to_the_database_is_taken_back_with_its_figures_parents_ends_and_exit_codes()
    {
        var store = Open();
        var tree = Build();
        var stoppedAt = Boot.AddSeconds(60);
        Save(store, tree, stoppedAt);
        Close();

        // Restarted in the same boot: 10 and 11 still run (same start), 13 is gone, 14's pid runs another process.
        var running = new Dictionary<int, ProcessSeed>
        {
            [10] = new(10, 1, 1 * S, "sh", "/bin/sh"),
            [11] = new(11, 10, 2 * S, "make", "/usr/bin/make"),
            [14] = new(14, 1, 50 * S, "other", "/bin/other"),
        };
        var restored = new ProcessTree(maxExited: 100);
        restored.Restore(Open().LoadInstances(), BootId, Boot, pid => running.GetValueOrDefault(pid), Boot.AddSeconds(90));

        Assert.Equal(5, restored.Count);
        Assert.Equal((1L, 2L, 1116L, 2227L), Figures(restored, 10));
        Assert.Equal((10L, 20L, 1110L, 2220L), Figures(restored, 11));
        Assert.Equal((100L, 200L, 100L, 200L), Figures(restored, 12));
        var make = restored.Latest(11, Boot)!;
        Assert.Equal(("make", "/usr/bin/make", 10), (make.Instance.Name, make.Instance.Exe, make.Instance.Ppid));
        Assert.Equal([13, 12], make.Children.Select(c => c.Pid));
        Assert.Null(make.Instance.Ended);
        var cc = Get(restored, 12);
        Assert.Equal((Boot.AddTicks((3 * S + 5) / 100), Boot.AddTicks((5 * S + 5) / 100), (int?)1), (cc.Started, cc.Ended, cc.ExitCode));
        // Gone while the daemon was stopped: ended at the stop (the database's last write), exit code not known.
        Assert.Equal((stoppedAt, (int?)null), (Get(restored, 13).Ended, Get(restored, 13).ExitCode));
        Assert.Equal(stoppedAt, Get(restored, 14).Ended);
        Assert.Null(Get(restored, 10).Ended);

        // The kernel's events meet the restored instances: more bytes of 13's sibling roll up as before.
        restored.Apply(new InstanceStarted(20, 70 * S, 11, 2 * S + 3, "make"));
        restored.Apply(new InstanceIo(20, "make", 0, 7));
        Assert.Equal((10L, 20L, 1110L, 2227L), Figures(restored, 11));
        Assert.Equal((1L, 2L, 1116L, 2234L), Figures(restored, 10));
        // A new process with the reused pid 14 is another instance.
        restored.Apply(new InstanceStarted(14, 50 * S, 1, 7, "other"));
        Assert.Null(Get(restored, 14).Ended);
        Assert.Equal(7, restored.Count);
    }

    [Fact]
    public void Groups_and_disk_figures_are_taken_back_and_the_groups_go_on_counting_where_they_were()
    {
        var paths = new Dictionary<ulong, string> { [1] = "/", [2001] = "/system.slice/nginx.service" };
        var store = Open();
        var tree = new ProcessTree(maxExited: 1, cgroupPath: id => paths.GetValueOrDefault(id));
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 7, "nginx", 2001));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S, "nginx", 2001));
        tree.Apply(new InstanceStarted(12, 3 * S, 10, 1 * S, "nginx", 2001));
        tree.Apply(new InstanceStarted(20, 4 * S, 1, 7, "sh", 1));
        tree.Apply(new InstanceIo(10, "nginx", 1, 2, 4096, 0));
        tree.Apply(new InstanceIo(11, "nginx", 10, 20, 0, 8192));
        tree.Apply(new InstanceIo(12, "nginx", 100, 200, 65536, 12288));
        tree.Apply(new InstanceIo(20, "sh", 5, 0, 0, 0));
        // 11 ends, then 12: beyond the cap, 11 is dropped; its bytes stay in the group and in 10's tree.
        tree.Apply(new InstanceEnded(11, 2 * S, S, "nginx"));
        tree.Apply(new InstanceEnded(12, 3 * S, S, "nginx"));
        Assert.Null(tree.Latest(11, Boot));
        Save(store, tree, Boot.AddSeconds(10));
        // A later flush writes only what changed: the group whose sums grew.
        tree.Apply(new InstanceIo(10, "nginx", 0, 0, 0, 4096));
        var changes = tree.TakeChanges(false, BootId, Boot);
        Assert.Equal(["nginx.service"], changes.Groups.Select(g => g.Name));
        store.Write(NoFigures(), Boot.AddSeconds(15), changes);
        var before = tree.Groups();
        Close();

        // Restarted in the same boot: 10 and 20 still run.
        var running = new Dictionary<int, ProcessSeed>
        {
            [10] = new(10, 1, 1 * S, "nginx", null),
            [20] = new(20, 1, 4 * S, "sh", null),
        };
        var restored = new ProcessTree(maxExited: 1, cgroupPath: id => paths.GetValueOrDefault(id));
        restored.Restore(Open().LoadInstances(), BootId, Boot, pid => running.GetValueOrDefault(pid), Boot.AddSeconds(20));

        Assert.Equal(before, restored.Groups());
        Assert.Equal(new GroupInfo("nginx.service", 111, 222, 3, 69632, 24576), restored.Groups().Single(g => g.Name == "nginx.service"));
        Assert.Equal(("nginx.service", "nginx.service", "/"), (Get(restored, 10).Group, Get(restored, 12).Group, Get(restored, 20).Group));
        var nginx = Get(restored, 10);
        Assert.Equal((4096L, 4096L, 69632L, 24576L), (nginx.DiskReads, nginx.DiskWrites, nginx.TreeDiskReads, nginx.TreeDiskWrites));
        var child = Get(restored, 12);
        Assert.Equal((65536L, 12288L, 65536L, 12288L), (child.DiskReads, child.DiskWrites, child.TreeDiskReads, child.TreeDiskWrites));

        // The kernel's events go on from there: the restored instance's group grows, a new child counts once.
        restored.Apply(new InstanceExecuted(10, 1 * S, "nginx", "/usr/sbin/nginx", 2001));
        restored.Apply(new InstanceIo(10, "nginx", 1, 0, 512, 0));
        restored.Apply(new InstanceStarted(13, 30 * S, 10, 1 * S, "nginx", 2001));
        restored.Apply(new InstanceIo(13, "nginx", 0, 0, 0, 1024));
        Assert.Equal(new GroupInfo("nginx.service", 112, 222, 4, 70144, 25600), restored.Groups().Single(g => g.Name == "nginx.service"));
        Assert.Equal((70144L, 25600L), (Get(restored, 10).TreeDiskReads, Get(restored, 10).TreeDiskWrites));
    }

    [Fact]
    public void Only_what_changed_is_written_and_dropped_instances_leave_the_database()
    {
        var store = Open();
        var tree = new ProcessTree(maxExited: 1);
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 7, "sh"));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S, "sh"));
        tree.Apply(new InstanceIo(11, "sh", 0, 40));
        tree.Apply(new InstanceEnded(11, 2 * S, S, "sh"));
        Save(store, tree, Boot.AddSeconds(10));
        Assert.Equal(2, store.LoadInstances().Instances.Count);
        Assert.True(tree.TakeChanges(false, BootId, Boot).IsEmpty);

        tree.Apply(new InstanceStarted(12, 5 * S, 10, 1 * S, "sh"));
        tree.Apply(new InstanceEnded(12, 5 * S, S, "sh"));   // beyond the cap of 1: 11 is dropped
        var changes = tree.TakeChanges(false, BootId, Boot);
        // 12 is new; sh's tree totals did not change (11's bytes were in them already).
        Assert.Equal([12], changes.Changed.Select(c => c.Pid));
        Assert.Single(changes.Removed);
        store.Write(NoFigures(), Boot.AddSeconds(20), changes);

        var saved = store.LoadInstances();
        Assert.Equal([10, 12], saved.Instances.Select(i => i.Pid).Order());
        Assert.Equal(40, saved.Instances.Single(i => i.Pid == 10).TreeWrites);   // 11's bytes stay in sh's tree
        Assert.Equal(Boot.AddSeconds(20), saved.WrittenAt);
    }

    [Fact]
    public void Instances_of_an_earlier_boot_come_back_ended_with_their_own_times_and_no_pid_clash()
    {
        var store = Open();
        var earlierBoot = Boot.AddDays(-1);
        var tree = Build();
        store.Write(NoFigures(), earlierBoot.AddSeconds(60), tree.TakeChanges(true, "boot-0", earlierBoot));
        Close();

        var restored = new ProcessTree(maxExited: 100);
        restored.Restore(Open().LoadInstances(), BootId, Boot, _ => new ProcessSeed(10, 1, 1 * S, "sh", null), Boot.AddSeconds(5));
        Assert.Equal(5, restored.Count);
        Assert.Equal(0, restored.Running);
        Assert.Equal((earlierBoot.AddTicks((1 * S + 1) / 100), earlierBoot.AddSeconds(60)), (Get(restored, 10).Started, Get(restored, 10).Ended));
        Assert.Equal((1L, 2L, 1116L, 2227L), Figures(restored, 10));

        // This boot's pid 10, started at the same time after boot, is another instance.
        restored.Apply(new InstanceStarted(10, 1 * S + 1, 1, 7, "sh"));
        restored.Apply(new InstanceIo(10, "sh", 3, 3));
        Assert.Equal(6, restored.Count);
        Assert.Equal((3L, 3L, 3L, 3L), Figures(restored, 10));
        Assert.Equal(Boot.AddTicks((1 * S + 1) / 100), Get(restored, 10).Started);
    }

    [Fact]
    public void Exited_instances_older_than_the_retention_are_dropped_and_no_roll_up_changes()
    {
        var tree = Build();
        tree.Apply(new InstanceEnded(13, 3 * S + 9, 100 * S, "sh"));
        tree.Apply(new InstanceEnded(11, 2 * S + 3, 200 * S, "make"));
        var before = Figures(tree, 10);

        // 12 ended at 5 s, 13 at about 103 s, 11 at about 202 s after boot.
        Assert.Equal(1, tree.Expire(Boot.AddSeconds(50), Boot));
        Assert.Equal(2, tree.Expire(Boot.AddSeconds(250), Boot));
        Assert.Equal(0, tree.Expire(Boot.AddSeconds(250), Boot));
        Assert.Equal(before, Figures(tree, 10));
        Assert.Equal([10, 14], tree.All(Boot).Select(i => i.Pid).Order());
        Assert.Equal([14], tree.Latest(10, Boot)!.Children.Select(c => c.Pid));
        Assert.Equal(3, tree.Dropped);
        Assert.Empty(tree.ExitedInstances(Boot));
    }

    [Fact]
    public void Two_hundred_thousand_short_lived_processes_keep_the_count_within_the_cap_and_the_tree_totals_exact()
    {
        const int Cap = 50_000;
        const int Processes = 200_000;
        var tree = new ProcessTree(maxExited: Cap);
        // A build: sh → make, make starts 200,000 short-lived children (some of them starting a grandchild),
        // each writing a few bytes before it exits.
        tree.Apply(new InstanceStarted(100, 1 * S, 1, 7, "sh"));
        tree.Apply(new InstanceStarted(101, 2 * S, 100, 1 * S, "make"));
        long expectedReads = 0, expectedWrites = 0, maxCount = 0;
        var pid = 1000;
        var time = 3 * S;
        for (var n = 0; n < Processes; n++)
        {
            pid = pid >= 4_000_000 ? 1000 : pid + 1;   // pids wrap, as the kernel's do: a reused pid is a new instance
            time += 1_000_003;
            var child = pid;
            var childStart = time;
            tree.Apply(new InstanceStarted(child, childStart, 101, 2 * S, "make"));
            tree.Apply(new InstanceExecuted(child, childStart, "cc", "/usr/bin/cc"));
            var reads = n % 7 + 1L;
            var writes = n % 13 + 2L;
            tree.Apply(new InstanceIo(child, "cc", reads, writes));
            expectedReads += reads;
            expectedWrites += writes;
            if (n % 10 == 0)
            {
                pid++;
                time += 1_000;
                tree.Apply(new InstanceStarted(pid, time, child, childStart, "cc"));
                tree.Apply(new InstanceIo(pid, "as", 1, 100));
                expectedReads += 1;
                expectedWrites += 100;
                tree.Apply(new InstanceEnded(pid, time, 500_000, "as"));
            }
            tree.Apply(new InstanceEnded(child, childStart, 900_000, "cc"));
            maxCount = Math.Max(maxCount, tree.Count);
        }

        Assert.Equal(2, tree.Running);
        Assert.Equal(Cap, tree.Exited);
        Assert.True(maxCount <= Cap + 3, $"at most {Cap} exited and the running ones are held, held {maxCount}");
        Assert.Equal(Processes + Processes / 10 - Cap, tree.Dropped);
        Assert.Equal((0L, 0L, expectedReads, expectedWrites), Figures(tree, 101));
        Assert.Equal((0L, 0L, expectedReads, expectedWrites), Figures(tree, 100));
        // What is held, summed, and what was dropped into make's tree: make's tree is the sum of all it started.
        var held = tree.All(Boot).Where(i => i.Pid is not (100 or 101)).ToList();
        Assert.True(held.Sum(i => i.Reads) < expectedReads);
    }
}
