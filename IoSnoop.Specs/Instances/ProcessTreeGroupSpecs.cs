using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Specs.Instances;

/// <summary>Groups (cgroups) in the process tree: each instance's group, and the bytes summed per group.</summary>
public sealed class ProcessTreeGroupSpecs
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
    private const long S = 1_000_000_000;

    // Cgroup ids (inode numbers) of a machine and their paths.
    private const ulong Root = 1, Nginx = 2001, Docker = 2002, Made = 2003;
    private const string DockerPath = "/system.slice/docker-4f1c9a2b7d3e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a.scope";

    private readonly Dictionary<ulong, string> _paths = new()
    {
        [Root] = "/",
        [Nginx] = "/system.slice/nginx.service",
        [Docker] = DockerPath,
    };

    private ProcessTree NewTree(int maxExited = 100, int maxGroups = ProcessTree.DefaultMaxGroups) =>
        new(maxExited, cgroupPath: id => _paths.GetValueOrDefault(id), maxGroups: maxGroups);

    private static Dictionary<string, (long, long, long)> Sums(ProcessTree tree) =>
        tree.Groups().ToDictionary(g => g.Name, g => (g.Reads, g.Writes, g.Processes));

    private static string? GroupOf(ProcessTree tree, int pid) => tree.Latest(pid, Boot)!.Instance.Group;

    [Fact]
    public void Each_instance_carries_the_readable_name_of_its_cgroup_and_bytes_are_summed_per_group()
    {
        var tree = NewTree();
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 0, "nginx", Nginx));
        tree.Apply(new InstanceStarted(11, 2 * S, 10, 1 * S, "nginx", Nginx));
        tree.Apply(new InstanceStarted(20, 3 * S, 1, 0, "containerd-shim", Docker));
        tree.Apply(new InstanceIo(10, "nginx", 100, 1));
        tree.Apply(new InstanceIo(11, "nginx", 200, 2));
        tree.Apply(new InstanceIo(20, "postgres", 5, 5000));
        tree.Apply(new InstanceIo(11, "nginx", 300, 3));

        Assert.Equal(("nginx.service", "nginx.service", "docker:4f1c9a2b7d3e"), (GroupOf(tree, 10), GroupOf(tree, 11), GroupOf(tree, 20)));
        Assert.Equal(new Dictionary<string, (long, long, long)>
        {
            ["nginx.service"] = (600, 6, 2),
            ["docker:4f1c9a2b7d3e"] = (5, 5000, 1),
        }, Sums(tree));
        // Most bytes first.
        Assert.Equal(["docker:4f1c9a2b7d3e", "nginx.service"], tree.Groups().Select(g => g.Name));
        Assert.Equal([11, 10], tree.List(false, null, 10, Boot, group: "nginx.service").Select(i => i.Pid));
        Assert.Empty(tree.List(false, null, 10, Boot, group: "nothing.service"));
    }

    [Fact]
    public void An_exec_in_another_cgroup_moves_the_instance_and_its_later_bytes()
    {
        var tree = NewTree();
        tree.Apply(new InstanceStarted(30, 1 * S, 1, 0, "sh", Root));
        tree.Apply(new InstanceIo(30, "sh", 7, 0));
        // sh -c 'echo $$ > …/cgroup.procs; exec dd …'
        tree.Apply(new InstanceExecuted(30, 1 * S, "dd", "/usr/bin/dd", Nginx));
        tree.Apply(new InstanceIo(30, "dd", 0, 4000));
        // The same cgroup again at a second exec: not counted twice.
        tree.Apply(new InstanceExecuted(30, 1 * S, "cat", "/usr/bin/cat", Nginx));

        Assert.Equal("nginx.service", GroupOf(tree, 30));
        Assert.Equal(new Dictionary<string, (long, long, long)> { ["/"] = (7, 0, 1), ["nginx.service"] = (0, 4000, 1) }, Sums(tree));
    }

    [Fact]
    public void A_start_reported_after_the_exec_or_after_proc_was_read_does_not_move_the_instance_back()
    {
        // The start record can come an interval late (written on another CPU while its set was handed out); an
        // instance first met through its exec takes the exec's cgroup, not what /proc says a moment later.
        var proc = new Dictionary<int, ProcessSeed> { [50] = new(50, 1, 1 * S, "dd", null, "/system.slice/nginx.service") };
        var tree = new ProcessTree(100, pid => proc.GetValueOrDefault(pid), cgroupPath: id => _paths.GetValueOrDefault(id));
        proc[51] = new ProcessSeed(51, 1, 2 * S, "dd", null, "/system.slice/nginx.service");

        tree.Apply(new InstanceExecuted(50, 1 * S, "sh", "/bin/sh", Root));
        tree.Apply(new InstanceExecuted(50, 1 * S, "dd", "/bin/dd", Docker));
        tree.Apply(new InstanceStarted(50, 1 * S, 1, 0, "sh", Root));
        tree.Apply(new InstanceIo(50, "dd", 0, 100));
        // Met first through its bytes: /proc's path; its late start changes nothing.
        tree.Apply(new InstanceIo(51, "dd", 0, 10));
        tree.Apply(new InstanceStarted(51, 2 * S, 1, 0, "sh", Root));
        tree.Apply(new InstanceIo(51, "dd", 0, 10));

        Assert.Equal(("docker:4f1c9a2b7d3e", "nginx.service"), (GroupOf(tree, 50), GroupOf(tree, 51)));
        Assert.Equal(new Dictionary<string, (long, long, long)>
        {
            ["docker:4f1c9a2b7d3e"] = (0, 100, 1),
            ["/"] = (0, 0, 1),
            ["nginx.service"] = (0, 20, 1),
        }, Sums(tree));
    }

    [Fact]
    public void An_instance_that_moves_back_to_a_group_is_counted_there_once()
    {
        var tree = NewTree();
        tree.Apply(new InstanceStarted(60, 1 * S, 1, 0, "sh", Nginx));
        tree.Apply(new InstanceExecuted(60, 1 * S, "a", null, Docker));
        tree.Apply(new InstanceExecuted(60, 1 * S, "b", null, Made)); // not resolved
        tree.Apply(new InstanceExecuted(60, 1 * S, "c", null, Nginx));
        tree.Apply(new InstanceExecuted(60, 1 * S, "d", null, Docker));

        Assert.Equal([1L, 1L], tree.Groups().Select(g => g.Processes));
    }

    [Fact]
    public void Bytes_of_a_cgroup_not_resolved_yet_wait_and_join_it_once_it_is()
    {
        var tree = NewTree();
        tree.Apply(new InstanceStarted(40, 1 * S, 1, 0, "dd", Made));
        tree.Apply(new InstanceIo(40, "dd", 0, 1000));
        Assert.Null(GroupOf(tree, 40));
        Assert.Empty(Sums(tree));

        // The hierarchy is walked again: the new cgroup is found; the next bytes, or a query, bring it in.
        _paths[Made] = "/iosnoopng-spec-1";
        tree.Apply(new InstanceIo(40, "dd", 0, 500));
        Assert.Equal("/iosnoopng-spec-1", GroupOf(tree, 40));
        Assert.Equal(new Dictionary<string, (long, long, long)> { ["/iosnoopng-spec-1"] = (0, 1500, 1) }, Sums(tree));

        // Resolved at the query, with no bytes after.
        tree.Apply(new InstanceStarted(41, 2 * S, 1, 0, "dd", Made + 1));
        tree.Apply(new InstanceIo(41, "dd", 9, 0));
        _paths[Made + 1] = "/iosnoopng-spec-2";
        Assert.Equal((9L, 0L, 1L), Sums(tree)["/iosnoopng-spec-2"]);
        Assert.Equal("/iosnoopng-spec-2", GroupOf(tree, 41));
    }

    [Fact]
    public void Exited_instances_dropped_for_the_cap_stay_in_their_groups_sums()
    {
        var tree = NewTree(maxExited: 2);
        for (var pid = 100; pid < 110; pid++)
        {
            tree.Apply(new InstanceStarted(pid, pid * S, 1, 0, "dd", Nginx));
            tree.Apply(new InstanceIo(pid, "dd", 1, 10));
            tree.Apply(new InstanceEnded(pid, pid * S, S / 2, "dd"));
        }

        Assert.Equal(2, tree.Exited);
        Assert.Equal((10L, 100L, 10L), Sums(tree)["nginx.service"]);
        Assert.Equal(2, tree.List(false, null, 100, Boot, group: "nginx.service").Count);
    }

    [Fact]
    public void Processes_read_from_proc_take_their_group_from_their_cgroup_path()
    {
        var tree = NewTree();
        tree.Reconcile([
            new ProcessSeed(1, 0, 0, "systemd", "/usr/lib/systemd/systemd", "/init.scope"),
            new ProcessSeed(700, 1, 5 * ProcessTree.StartStep, "sshd", null, "/system.slice/ssh.service"),
            new ProcessSeed(800, 1, 6 * ProcessTree.StartStep, "old", null, null),
        ], now: 10 * S);
        tree.Apply(new InstanceIo(700, "sshd", 3, 4));
        tree.Apply(new InstanceIo(800, "old", 3, 4));

        Assert.Equal(("init.scope", "ssh.service", null), (GroupOf(tree, 1), GroupOf(tree, 700), GroupOf(tree, 800)));
        Assert.Equal(new Dictionary<string, (long, long, long)> { ["ssh.service"] = (3, 4, 1), ["init.scope"] = (0, 0, 1) }, Sums(tree));
        // The kernel's id of the same cgroup later (an exec) names the same group: the instance is not counted twice.
        _paths[Made] = "/system.slice/ssh.service";
        tree.Apply(new InstanceExecuted(700, 5 * ProcessTree.StartStep, "sshd", null, Made));
        Assert.Equal((3L, 4L, 1L), Sums(tree)["ssh.service"]);
    }

    [Fact]
    public void Groups_beyond_the_cap_are_summed_under_one_group_of_the_others()
    {
        var tree = NewTree(maxGroups: 3);
        for (var pid = 1; pid <= 5; pid++)
        {
            _paths[(ulong)(5000 + pid)] = $"/unit{pid}.service";
            tree.Apply(new InstanceStarted(pid, pid * S, 0, 0, "x", (ulong)(5000 + pid)));
            tree.Apply(new InstanceIo(pid, "x", pid, 0));
        }

        Assert.Equal(3, tree.GroupCount);
        Assert.Equal(new Dictionary<string, (long, long, long)>
        {
            ["unit1.service"] = (1, 0, 1),
            ["unit2.service"] = (2, 0, 1),
            [ProcessTree.OtherGroups] = (3 + 4 + 5, 0, 3),
        }, Sums(tree));
        Assert.Equal(ProcessTree.OtherGroups, GroupOf(tree, 5));
    }

    [Fact]
    public void Without_a_way_to_resolve_ids_a_trace_makes_no_groups()
    {
        var tree = new ProcessTree(100);
        tree.Apply(new InstanceStarted(10, 1 * S, 1, 0, "sh", Nginx));
        tree.Apply(new InstanceIo(10, "sh", 1, 1));

        Assert.Null(GroupOf(tree, 10));
        Assert.Empty(tree.Groups());
    }
}
