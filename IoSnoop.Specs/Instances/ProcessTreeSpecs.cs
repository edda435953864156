using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Specs.Instances;

public sealed class ProcessTreeSpecs
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

    // Start times in nanoseconds since boot, as the kernel gives them (not multiples of a tick).
    private const long S = 1_000_000_000;

    private static InstanceStarted Started(int pid, long start, int ppid, long pstart, string name = "sh") =>
        new(pid, start, ppid, pstart, name);

    private static InstanceInfo Get(ProcessTree tree, int pid) => tree.Latest(pid, Boot)!.Instance;

    private static (long, long, long, long) Figures(ProcessTree tree, int pid)
    {
        var i = Get(tree, pid);
        return (i.Reads, i.Writes, i.TreeReads, i.TreeWrites);
    }

    /// <summary>sh (10) → make (11) → cc (12), cc (13); all of it within a few intervals.</summary>
    private static ProcessTree Build()
    {
        var tree = new ProcessTree(maxExited: 100);
        tree.Apply(Started(10, 1 * S + 1, 1, 7));
        tree.Apply(Started(11, 2 * S + 3, 10, 1 * S + 1));
        tree.Apply(new InstanceExecuted(11, 2 * S + 3, "make", "/usr/bin/make"));
        tree.Apply(Started(12, 3 * S + 5, 11, 2 * S + 3, "make"));
        tree.Apply(new InstanceExecuted(12, 3 * S + 5, "cc", "/usr/bin/cc"));
        tree.Apply(Started(13, 3 * S + 9, 11, 2 * S + 3, "make"));
        tree.Apply(new InstanceExecuted(13, 3 * S + 9, "cc", "/usr/bin/cc"));
        tree.Apply(new InstanceIo(10, "sh", 1, 2));
        tree.Apply(new InstanceIo(11, "make", 10, 20));
        tree.Apply(new InstanceIo(12, "cc", 100, 200));
        tree.Apply(new InstanceIo(13, "cc", 1000, 2000));
        return tree;
    }

    [Fact]
    public void The_parent_the_kernel_noted_at_the_fork_wins_over_the_one_proc_gave_later()
    {
        // A background child whose bytes come before its start: /proc, read then, names the process it was
        // handed to after its parent exited (here sh); the kernel's start record names the parent (make).
        var tree = new ProcessTree(maxExited: 100, lookup: pid => pid == 20 ? new ProcessSeed(20, 10, 4 * S, "dd", "/bin/dd") : null);
        tree.Apply(Started(10, 1 * S + 1, 1, 7));
        tree.Apply(Started(11, 2 * S + 3, 10, 1 * S + 1, "make"));
        tree.Apply(new InstanceIo(11, "make", 0, 10));
        tree.Apply(new InstanceIo(20, "dd", 0, 4000));
        Assert.Equal(10, Get(tree, 20).Ppid);
        Assert.Equal((0L, 0L, 0L, 4010L), Figures(tree, 10));

        tree.Apply(Started(20, 4 * S, 11, 2 * S + 3, "dd"));
        Assert.Equal(11, Get(tree, 20).Ppid);
        Assert.Equal((0L, 10L, 0L, 4010L), Figures(tree, 11));
        Assert.Equal((0L, 0L, 0L, 4010L), Figures(tree, 10));   // still below sh, once
        Assert.Equal([11], tree.Latest(10, Boot)!.Children.Select(c => c.Pid));
    }

    [Fact]
    public void Tree_totals_are_own_bytes_plus_all_descendants()
    {
        var tree = Build();

        Assert.Equal((100L, 200L, 100L, 200L), Figures(tree, 12));
        Assert.Equal((10L, 20L, 1110L, 2220L), Figures(tree, 11));
        Assert.Equal((1L, 2L, 1111L, 2222L), Figures(tree, 10));
        var make = tree.Latest(11, Boot)!;
        Assert.Equal(("make", "/usr/bin/make", 10), (make.Instance.Name, make.Instance.Exe, make.Instance.Ppid));
        Assert.Equal([13, 12], make.Children.Select(c => c.Pid)); // newest first
        Assert.Equal(Boot.AddTicks((2 * S + 3) / 100), make.Instance.Started);
        Assert.Null(make.Instance.Ended);
    }

    [Fact]
    public void Exited_children_stay_in_their_parents_tree_and_their_end_is_their_start_plus_lifetime()
    {
        var tree = Build();
        tree.Apply(new InstanceEnded(12, 3 * S + 5, 2 * S, "cc"));
        tree.Apply(new InstanceEnded(13, 3 * S + 9, 1 * S, "cc"));
        tree.Apply(new InstanceIo(11, "make", 5, 5));

        Assert.Equal((15L, 25L, 1115L, 2225L), Figures(tree, 11));
        Assert.Equal(Boot.AddTicks((5 * S + 5) / 100), Get(tree, 12).Ended);
        Assert.Equal(2, tree.Latest(11, Boot)!.Children.Count);
        Assert.Equal(2, tree.Exited);
        // Bytes after the end belong to no one known: a new instance of that pid, not the ended one.
        tree.Apply(new InstanceIo(12, "cc", 7, 7));
        Assert.Equal((15L, 25L, 1115L, 2225L), Figures(tree, 11));
        Assert.Null(Get(tree, 12).Ended);
    }

    [Fact]
    public void An_orphan_keeps_its_original_ancestry()
    {
        var tree = Build();
        // make exits before its child: the kernel re-parents cc to init; the tree keeps it under make and sh.
        tree.Apply(new InstanceEnded(11, 2 * S + 3, S, "make"));
        tree.Apply(new InstanceIo(13, "cc", 1, 1));

        Assert.Equal(11, Get(tree, 13).Ppid);
        Assert.Equal((10L, 20L, 1111L, 2221L), Figures(tree, 11));
        Assert.Equal((1L, 2L, 1112L, 2223L), Figures(tree, 10));
    }

    [Fact]
    public void A_reused_pid_is_another_instance()
    {
        var tree = Build();
        tree.Apply(new InstanceEnded(12, 3 * S + 5, S, "cc"));
        tree.Apply(Started(12, 90 * S + 1, 10, 1 * S + 1, "sh"));
        tree.Apply(new InstanceExecuted(12, 90 * S + 1, "ld", "/usr/bin/ld"));
        tree.Apply(new InstanceIo(12, "ld", 4, 4));

        var latest = Get(tree, 12);
        Assert.Equal(("ld", 10, 4L, 4L), (latest.Name, latest.Ppid, latest.Reads, latest.Writes));
        Assert.Equal(2, tree.List(false, "cc", 10, Boot).Count(i => i.Pid is 12 or 13));
        Assert.Equal((1L, 2L, 1115L, 2226L), Figures(tree, 10));
        Assert.Equal((10L, 20L, 1110L, 2220L), Figures(tree, 11)); // the old 12 stays make's
        Assert.Equal(Boot.AddTicks((90 * S + 1) / 100), tree.List(false, null, 1, Boot).Single().Started); // newest first
    }

    [Fact]
    public void A_pid_started_again_without_an_end_seen_ends_the_earlier_instance()
    {
        var tree = Build();
        tree.Apply(Started(13, 50 * S, 10, 1 * S + 1));

        var instances = tree.List(false, null, 100, Boot).Where(i => i.Pid == 13).ToArray();
        Assert.Equal(2, instances.Length);
        Assert.Null(instances[0].Ended);
        Assert.Equal(Boot.AddTicks(50 * S / 100), instances[1].Ended);
    }

    [Fact]
    public void Dropping_an_exited_instance_for_the_cap_changes_no_roll_up()
    {
        var tree = new ProcessTree(maxExited: 1);
        tree.Apply(Started(10, 1 * S, 1, 7));
        tree.Apply(Started(11, 2 * S, 10, 1 * S));
        tree.Apply(Started(12, 3 * S, 11, 2 * S));
        tree.Apply(new InstanceIo(11, "sh", 10, 10));
        tree.Apply(new InstanceIo(12, "sh", 100, 100));
        tree.Apply(new InstanceEnded(11, 2 * S, S, "sh"));
        tree.Apply(Started(13, 4 * S, 10, 1 * S));
        tree.Apply(new InstanceIo(13, "sh", 1000, 1000));
        tree.Apply(new InstanceEnded(13, 4 * S, S, "sh"));

        // 11 ended first and went over the cap of one exited instance: its bytes stay in 10's tree,
        // its running child 12 moves up to 10 and keeps rolling up into it.
        Assert.Equal(1, tree.Exited);
        Assert.Equal(1, tree.Dropped);
        Assert.Null(tree.Latest(11, Boot));
        Assert.Equal((0L, 0L, 1110L, 1110L), Figures(tree, 10));
        Assert.Equal([13, 12], tree.Latest(10, Boot)!.Children.Select(c => c.Pid));
        Assert.Equal(11, Get(tree, 12).Ppid);
        tree.Apply(new InstanceIo(12, "sh", 1, 1));
        Assert.Equal((0L, 0L, 1111L, 1111L), Figures(tree, 10));
    }

    [Fact]
    public void Exited_instances_stay_within_the_cap_while_running_ones_are_all_kept()
    {
        var tree = new ProcessTree(maxExited: 100);
        tree.Apply(Started(10, 1 * S, 1, 7));
        for (var i = 0; i < 10_000; i++)
        {
            var pid = 100 + i % 3000;
            var start = 2 * S + i * 1_000_000_000L;
            tree.Apply(Started(pid, start, 10, 1 * S));
            tree.Apply(new InstanceIo(pid, "true", 1, 2));
            if (i % 10 != 0)
                tree.Apply(new InstanceEnded(pid, start, 1, "true"));
        }

        Assert.Equal(100, tree.Exited);
        Assert.True(tree.Count <= 100 + 1 + 1000, $"{tree.Count} instances held");
        Assert.Equal((0L, 0L, 10_000L, 20_000L), Figures(tree, 10));
    }

    [Fact]
    public void Processes_read_from_proc_meet_the_same_ones_the_kernel_reports()
    {
        var tree = new ProcessTree(maxExited: 100);
        // /proc gives start times in ticks of 10 ms; the kernel in nanoseconds.
        tree.Reconcile([new ProcessSeed(10, 1, 120_000_000, "bash", "/usr/bin/bash"), new ProcessSeed(1, 0, 0, "init", null)], now: 5 * S);
        tree.Apply(Started(20, 4 * S, 10, 123_456_789, "bash"));
        tree.Apply(new InstanceIo(20, "bash", 5, 6));
        tree.Apply(new InstanceEnded(10, 123_456_789, S, "bash"));

        var bash = tree.Latest(10, Boot)!;
        Assert.Equal((1, "/usr/bin/bash", 5L, 6L), (bash.Instance.Ppid, bash.Instance.Exe, bash.Instance.TreeReads, bash.Instance.TreeWrites));
        Assert.Equal([20], bash.Children.Select(c => c.Pid));
        Assert.Equal(Boot.AddTicks(123_456_789 / 100), bash.Instance.Started);
        Assert.Equal((5L, 6L), (Get(tree, 1).TreeReads, Get(tree, 1).TreeWrites));
    }

    [Fact]
    public void A_reconcile_ends_the_instances_that_are_gone()
    {
        var tree = Build();
        tree.Reconcile([new ProcessSeed(10, 1, 1 * S, "sh", null)], now: 9 * S);

        Assert.Null(Get(tree, 10).Ended);
        Assert.Equal(Boot.AddTicks(9 * S / 100), Get(tree, 11).Ended);
        Assert.Single(tree.List(true, null, 100, Boot));
    }

    [Fact]
    public void Unknown_pids_use_what_proc_says_and_bad_parents_make_no_cycle()
    {
        var tree = new ProcessTree(maxExited: 100, pid => pid == 30 ? new ProcessSeed(30, 10, 7 * S, "vim", "/usr/bin/vim") : null);
        tree.Apply(Started(10, 1 * S, 1, 7));
        tree.Apply(new InstanceIo(30, "vim", 3, 4));
        Assert.Equal((10, "/usr/bin/vim"), (Get(tree, 30).Ppid, Get(tree, 30).Exe));
        Assert.Equal((3L, 4L), (Get(tree, 10).TreeReads, Get(tree, 10).TreeWrites));

        // A start that names its own child as parent (bad input) is not linked.
        tree.Apply(Started(40, 9 * S, 41, 10 * S));
        tree.Apply(Started(41, 10 * S, 40, 9 * S));
        tree.Apply(Started(40, 9 * S, 41, 10 * S));
        tree.Apply(new InstanceIo(41, "x", 1, 1));
        Assert.Equal((1L, 1L), (Get(tree, 41).TreeReads, Get(tree, 41).TreeWrites));
        Assert.Equal((1L, 1L), (Get(tree, 40).TreeReads, Get(tree, 40).TreeWrites));
    }

    [Fact]
    public void The_list_filters_by_name_and_running_and_keeps_to_its_limit()
    {
        var tree = Build();
        tree.Apply(new InstanceEnded(12, 3 * S + 5, S, "cc"));

        Assert.Equal([13, 12], tree.List(false, "cc", 10, Boot).Select(i => i.Pid));
        Assert.Equal([13], tree.List(true, "cc", 10, Boot).Select(i => i.Pid));
        Assert.Equal([13], tree.List(false, null, 1, Boot).Select(i => i.Pid));
        Assert.Empty(tree.List(false, "nothing", 10, Boot));
    }

    [Fact]
    public void Stat_lines_are_read_with_odd_names_and_kernel_threads_left_out()
    {
        var stat = "4242 (a) b (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 100 18446744073709551615";
        Assert.Equal(new ProcessSeed(4242, 17, 98765 * 10_000_000L, "a) b (c", null), ProcFileSystem.ParseStat(stat));
        var kernel = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 18446744073709551615";
        Assert.Null(ProcFileSystem.ParseStat(kernel));
        Assert.Null(ProcFileSystem.ParseStat("garbage"));
        Assert.Null(ProcFileSystem.ParseStat("12 (x) S"));
    }

    [Fact]
    public void This_process_is_found_in_proc_with_its_parent_and_executable()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var proc = new ProcFileSystem();
        var self = proc.Read(Environment.ProcessId);
        Assert.NotNull(self);
        Assert.Equal(Environment.ProcessId, self.Pid);
        Assert.True(self.ParentPid > 0);
        Assert.False(string.IsNullOrEmpty(self.Exe));
        Assert.Contains(proc.Running(), s => s.Pid == Environment.ProcessId);
        Assert.True(proc.SinceBoot() > self.Start);
    }
}
