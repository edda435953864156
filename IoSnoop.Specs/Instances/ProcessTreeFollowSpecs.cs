using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Specs.Instances;

/// <summary>Followed trees: per name and per file figures of one tree, from the follow on, beside its tree totals.</summary>
public sealed class ProcessTreeFollowSpecs
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
    private const long S = 1_000_000_000;

    private static InstanceFileIo File(int pid, string name, string path, IoDirection direction, long bytes, IoLayer layer = IoLayer.File) =>
        new(pid, name, path, direction, layer, bytes);

    [Fact]
    public void A_followed_tree_sums_its_descendants_per_name_and_per_file_and_nothing_else()
    {
        var following = new FileFollowing();
        var tree = new ProcessTree(maxExited: 100, following: following);
        tree.Apply(new InstanceStarted(10, 1 * S + 1, 1, 7, "sh"));
        tree.Apply(new InstanceIo(10, "sh", 832, 0));        // the loader, before the follow
        tree.Apply(new InstanceStarted(99, 1 * S + 2, 1, 7, "other"));
        Assert.False(following.Active);

        Assert.Null(tree.Follow(10));
        Assert.True(following.Active);
        tree.Apply(new InstanceExecuted(10, 1 * S + 1, "job.sh", "/bin/sh"));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S + 1, "job.sh"));
        tree.Apply(new InstanceExecuted(11, 2 * S, "dd", "/bin/dd"));
        tree.Apply(new InstanceStarted(12, 3 * S, 10, 1 * S + 1, "job.sh"));
        tree.Apply(new InstanceExecuted(12, 3 * S, "dd", "/bin/dd"));
        tree.Apply(File(11, "dd", "/data/a.bin", IoDirection.Write, 3000));
        tree.Apply(File(11, "dd", "/data/a.bin", IoDirection.Write, 4096, IoLayer.Disk));
        tree.Apply(File(12, "dd", "/data/b.bin", IoDirection.Write, 4000));
        tree.Apply(File(12, "dd", "/data/a.bin", IoDirection.Read, 3000));
        tree.Apply(File(99, "other", "/data/a.bin", IoDirection.Write, 1));
        tree.Apply(new InstanceIo(11, "dd", 0, 3000));
        tree.Apply(new InstanceIo(12, "dd", 3000, 4000));
        tree.Apply(new InstanceIo(99, "other", 0, 1));
        tree.Apply(new InstanceEnded(11, 2 * S, S, "dd"));

        var report = tree.Followed(10, Boot)!;
        Assert.Equal((832L + 3000, 7000L, 0L, 4096L), (report.TreeReads, report.TreeWrites, report.DiskReads, report.DiskWrites));
        Assert.Equal(tree.Latest(10, Boot)!.Instance.TreeWrites, report.TreeWrites);
        Assert.Equal(2, report.Running);
        // Instances by their latest name, bytes by the name they were recorded under (sh before its exec).
        Assert.Equal(
            [new FollowedName("dd", 2, 3000, 7000), new FollowedName("sh", 0, 832, 0), new FollowedName("job.sh", 1, 0, 0)],
            report.Processes);
        Assert.Equal(
            [new FollowedFile("/data/a.bin", 3000, 3000, 0, 4096), new FollowedFile("/data/b.bin", 0, 4000, 0, 0)],
            report.Files);
    }

    [Fact]
    public void Following_a_pid_the_tree_does_not_know_looks_it_up_and_unknown_pids_are_refused()
    {
        var tree = new ProcessTree(maxExited: 100, lookup: pid => pid == 20 ? new ProcessSeed(20, 1, 4 * S, "sh", "/bin/sh") : null);
        Assert.Equal("no process with pid 21 runs", tree.Follow(21));
        Assert.Null(tree.Follow(20));
        // The kernel's start record of the same process meets the instance read from /proc.
        tree.Apply(new InstanceStarted(20, 4 * S + 5, 1, 7, "sh"));
        tree.Apply(new InstanceStarted(21, 5 * S, 20, 4 * S + 5, "sh"));
        tree.Apply(new InstanceIo(21, "sh", 0, 5));
        Assert.Equal(5, tree.Followed(20, Boot)!.TreeWrites);
        Assert.Equal(20, tree.Followed(20, Boot)!.Pid);
    }

    [Fact]
    public void Unfollowing_the_last_tree_turns_the_per_file_figures_off_and_the_figures_stop()
    {
        var following = new FileFollowing();
        var tree = new ProcessTree(maxExited: 100, following: following);
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 7, "sh"));
        tree.Apply(new InstanceStarted(30, 1 * S, 1, 7, "sh"));
        Assert.Null(tree.Follow(10));
        Assert.Null(tree.Follow(30));
        Assert.True(tree.Unfollow(10));
        Assert.True(following.Active);
        Assert.False(tree.Unfollow(10));
        Assert.Null(tree.Followed(10, Boot));
        Assert.True(tree.Unfollow(30));
        Assert.False(following.Active);
        Assert.Equal(0, tree.Follows);
    }

    [Fact]
    public void Beyond_the_cap_the_oldest_ended_follow_goes_and_with_all_running_a_follow_is_refused()
    {
        var tree = new ProcessTree(maxExited: 1000);
        for (var pid = 100; pid < 100 + ProcessTree.MaxFollows; pid++)
        {
            tree.Apply(new InstanceStarted(pid, 1 * S, 1, 7, "sh"));
            Assert.Null(tree.Follow(pid));
        }
        tree.Apply(new InstanceStarted(500, 2 * S, 1, 7, "sh"));
        Assert.Equal($"{ProcessTree.MaxFollows} trees are followed already, all running", tree.Follow(500));
        tree.Apply(new InstanceEnded(101, 1 * S, S, "sh"));
        tree.Apply(new InstanceEnded(102, 1 * S, S, "sh"));
        Assert.Null(tree.Follow(500));
        Assert.Null(tree.Followed(101, Boot));
        Assert.NotNull(tree.Followed(102, Boot));
    }

    [Fact]
    public void Files_beyond_the_cap_of_a_follow_are_summed_in_one_row()
    {
        var tree = new ProcessTree(maxExited: 100);
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 7, "sh"));
        Assert.Null(tree.Follow(10));
        for (var i = 0; i < ProcessTree.MaxFilesPerFollow + 5; i++)
            tree.Apply(File(10, "sh", "/f/" + i, IoDirection.Write, 1));
        var files = tree.Followed(10, Boot)!.Files;
        Assert.Equal(ProcessTree.MaxFilesPerFollow + 1, files.Count);
        Assert.Equal(5, Assert.Single(files, f => f.Path == ProcessTree.OtherFiles).Writes);
    }
}
