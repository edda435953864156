using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Specs.Instances;

/// <summary>Disk bytes in the process tree: own and tree figures beside the file bytes, and the groups' disk sums.</summary>
public sealed class ProcessTreeDiskSpecs
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
    private const long S = 1_000_000_000;
    private const ulong Root = 1, Nginx = 2001, Late = 2003;

    private readonly Dictionary<ulong, string> _paths = new()
    {
        [Root] = "/",
        [Nginx] = "/system.slice/nginx.service",
    };

    private static InstanceInfo Get(ProcessTree tree, int pid) => tree.Latest(pid, Boot)!.Instance;

    /// <summary>Own and tree disk bytes: (diskReads, diskWrites, treeDiskReads, treeDiskWrites).</summary>
    private static (long, long, long, long) Disk(ProcessTree tree, int pid)
    {
        var i = Get(tree, pid);
        return (i.DiskReads, i.DiskWrites, i.TreeDiskReads, i.TreeDiskWrites);
    }

    private static (long, long, long, long) Files(ProcessTree tree, int pid)
    {
        var i = Get(tree, pid);
        return (i.Reads, i.Writes, i.TreeReads, i.TreeWrites);
    }

    [Fact]
    public void Disk_bytes_roll_up_like_file_bytes_and_a_dropped_instance_folds_into_its_parent()
    {
        // sh (10) → make (11) → cc (12) → as (13); one exited instance is kept.
        var tree = new ProcessTree(maxExited: 1);
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 0, "sh"));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S, "make"));
        tree.Apply(new InstanceStarted(12, 3 * S, 11, 2 * S, "cc"));
        tree.Apply(new InstanceStarted(13, 4 * S, 12, 3 * S, "as"));
        tree.Apply(new InstanceIo(10, "sh", 1, 0, 4096, 0));
        tree.Apply(new InstanceIo(12, "cc", 100, 200, 0, 8192));
        // Disk bytes alone (a process that only faulted pages in) count too.
        tree.Apply(new InstanceIo(13, "as", 0, 0, 65536, 0));
        tree.Apply(new InstanceIo(13, "as", 10, 20, 0, 4096));

        Assert.Equal((65536L, 4096L, 65536L, 4096L), Disk(tree, 13));
        Assert.Equal((0L, 8192L, 65536L, 12288L), Disk(tree, 12));
        Assert.Equal((0L, 0L, 65536L, 12288L), Disk(tree, 11));
        Assert.Equal((4096L, 0L, 69632L, 12288L), Disk(tree, 10));
        Assert.Equal((1L, 0L, 111L, 220L), Files(tree, 10));

        // as ends, then cc: beyond the cap of one exited instance, as (ended first) is dropped, then cc.
        tree.Apply(new InstanceEnded(13, 4 * S, S, "as"));
        tree.Apply(new InstanceEnded(12, 3 * S, 3 * S, "cc"));
        Assert.Equal(1, tree.Dropped);
        Assert.Equal((0L, 8192L, 65536L, 12288L), Disk(tree, 12));   // as's disk bytes stay in cc's tree
        tree.Apply(new InstanceStarted(14, 9 * S, 11, 2 * S, "cc"));
        tree.Apply(new InstanceIo(14, "cc", 0, 0, 0, 512));
        tree.Apply(new InstanceEnded(14, 9 * S, S, "cc"));
        Assert.Equal(2, tree.Dropped);
        Assert.Null(tree.Latest(12, Boot));
        // make's and sh's trees still hold the bytes of the dropped cc and as.
        Assert.Equal((0L, 0L, 65536L, 12800L), Disk(tree, 11));
        Assert.Equal((4096L, 0L, 69632L, 12800L), Disk(tree, 10));
        Assert.Equal((0L, 0L, 110L, 220L), Files(tree, 11));
    }

    [Fact]
    public void A_child_the_kernel_puts_under_another_parent_moves_its_disk_bytes_with_it()
    {
        // 20 is met first through its bytes: /proc says init is its parent (its own parent had exited by then).
        var proc = new Dictionary<int, ProcessSeed> { [20] = new(20, 1, 5 * S, "dd", null) };
        var tree = new ProcessTree(100, pid => proc.GetValueOrDefault(pid));
        tree.Apply(new InstanceStarted(1, 0, 0, 0, "init"));
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 0, "sh"));
        tree.Apply(new InstanceIo(20, "dd", 5, 6, 4096, 8192));
        Assert.Equal((0L, 0L, 4096L, 8192L), Disk(tree, 1));

        // The kernel's record of the fork names sh.
        tree.Apply(new InstanceStarted(20, 5 * S, 10, 1 * S, "sh"));
        Assert.Equal((0L, 0L, 4096L, 8192L), Disk(tree, 10));
        Assert.Equal((0L, 0L, 4096L, 8192L), Disk(tree, 1));   // sh is init's child: counted once
        Assert.Equal((0L, 0L, 5L, 6L), Files(tree, 1));
    }

    [Fact]
    public void Groups_sum_the_disk_bytes_of_their_instances_including_those_that_waited_for_their_cgroup()
    {
        var tree = new ProcessTree(maxExited: 0, cgroupPath: id => _paths.GetValueOrDefault(id));
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 0, "nginx", Nginx));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S, "nginx", Nginx));
        tree.Apply(new InstanceStarted(30, 3 * S, 1, 0, "sh", Root));
        tree.Apply(new InstanceStarted(40, 4 * S, 1, 0, "dd", Late));
        tree.Apply(new InstanceIo(10, "nginx", 100, 1, 4096, 0));
        tree.Apply(new InstanceIo(11, "nginx", 200, 2, 8192, 12288));
        tree.Apply(new InstanceIo(30, "sh", 7, 0, 0, 0));
        // Its cgroup is not found yet: the bytes wait with it.
        tree.Apply(new InstanceIo(40, "dd", 0, 1000, 0, 4096));
        // An exited instance dropped at once (no exited one is kept): its bytes stay in its group.
        tree.Apply(new InstanceEnded(11, 2 * S, S, "nginx"));
        Assert.Null(tree.Latest(11, Boot));

        _paths[Late] = "/system.slice/backup.service";
        var groups = tree.Groups().ToDictionary(g => g.Name, g => (g.Reads, g.Writes, g.DiskReads, g.DiskWrites, g.Processes));
        Assert.Equal(new Dictionary<string, (long, long, long, long, long)>
        {
            ["nginx.service"] = (300, 3, 12288, 12288, 2),
            ["/"] = (7, 0, 0, 0, 1),
            ["backup.service"] = (0, 1000, 0, 4096, 1),
        }, groups);
        // Most file bytes first, as before.
        Assert.Equal(["backup.service", "nginx.service", "/"], tree.Groups().Select(g => g.Name));
    }
}
