using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Specs.Instances;

/// <summary>The process-tree actor: fed as the tracer actor feeds it, asked as the API asks it.</summary>
public sealed class ProcessTreeActorSpecs : Akka.TestKit.Xunit.TestKit
{
    private const long S = 1_000_000_000;
    private readonly string _proc = Directory.CreateTempSubdirectory("iosnoop-proc-").FullName;

    protected override void AfterAll()
    {
        base.AfterAll();
        Directory.Delete(_proc, true);
    }

    private void FakeProcess(int pid, int ppid, long ticks, string name)
    {
        Directory.CreateDirectory(Path.Combine(_proc, pid.ToString()));
        File.WriteAllText(Path.Combine(_proc, pid.ToString(), "stat"),
            $"{pid} ({name}) S {ppid} {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 {ticks} 0 0 0\n");
    }

    [Fact]
    public void Observed_events_are_answered_as_instances_with_their_children()
    {
        var tree = Sys.ActorOf(ProcessTreeActor.Props(ProcessTreeSettings.Default));
        tree.Tell(new ProcessTreeProtocol.Observe([
            new InstanceStarted(10, 1 * S, 1, 0, "sh"),
            new InstanceStarted(11, 2 * S, 10, 1 * S, "sh"),
            new InstanceExecuted(11, 2 * S, "dd", "/bin/dd"),
            new InstanceIo(11, "dd", 100, 200),
            new InstanceEnded(11, 2 * S, S, "dd"),
        ], TracerReady: false), TestActor);

        tree.Tell(new ProcessTreeProtocol.GetInstance(10), TestActor);
        var found = ExpectMsg<ProcessTreeProtocol.InstanceFound>().Detail!;
        Assert.Equal((100L, 200L), (found.Instance.TreeReads, found.Instance.TreeWrites));
        Assert.Equal("dd", Assert.Single(found.Children).Name);
        tree.Tell(new ProcessTreeProtocol.GetInstances(RunningOnly: true, null, 10), TestActor);
        Assert.Equal([10], ExpectMsg<ProcessTreeProtocol.InstanceList>().Instances.Select(i => i.Pid));
        tree.Tell(new ProcessTreeProtocol.GetInstance(99), TestActor);
        Assert.Null(ExpectMsg<ProcessTreeProtocol.InstanceFound>().Detail);
    }

    [Fact]
    public void When_the_tracer_is_ready_what_runs_is_read_from_proc_first()
    {
        FakeProcess(1, 0, 0, "init");
        FakeProcess(700, 1, 500, "sshd");
        File.WriteAllText(Path.Combine(_proc, "uptime"), "100.00 150.00\n");
        var tree = Sys.ActorOf(ProcessTreeActor.Props(ProcessTreeSettings.Default with { ReadProc = true }, new ProcFileSystem(_proc)));

        tree.Tell(new ProcessTreeProtocol.Observe([new InstanceIo(700, "sshd", 5, 6)], TracerReady: true), TestActor);

        tree.Tell(new ProcessTreeProtocol.GetInstance(1), TestActor);
        var init = ExpectMsg<ProcessTreeProtocol.InstanceFound>().Detail!;
        Assert.Equal((5L, 6L), (init.Instance.TreeReads, init.Instance.TreeWrites));
        Assert.Equal(("sshd", 1), (Assert.Single(init.Children).Name, init.Children[0].Ppid));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Cgroup_ids_are_resolved_through_the_hierarchy_and_answered_as_groups()
    {
        // A stand-in for the unified hierarchy: cgroup ids are the inode numbers of its directories.
        var hierarchy = Path.Combine(_proc, "cgroup2");
        var unit = Directory.CreateDirectory(Path.Combine(hierarchy, "system.slice", "nginx.service")).FullName;
        FakeProcess(1, 0, 0, "init");
        File.WriteAllText(Path.Combine(_proc, "1", "cgroup"), "0::/init.scope\n");
        File.WriteAllText(Path.Combine(_proc, "uptime"), "100.00 150.00\n");
        var tree = Sys.ActorOf(ProcessTreeActor.Props(ProcessTreeSettings.Default with { ReadProc = true }, new ProcFileSystem(_proc),
            cgroups: new CgroupDirectory(hierarchy)));

        tree.Tell(new ProcessTreeProtocol.Observe([
            new InstanceStarted(10, 1 * S, 1, 0, "nginx", Inode(unit)),
            new InstanceIo(10, "nginx", 100, 200),
            new InstanceIo(1, "init", 1, 2),
        ], TracerReady: true), TestActor);

        tree.Tell(new ProcessTreeProtocol.GetGroups(), TestActor);
        Assert.Equal(
            [new GroupInfo("nginx.service", 100, 200, 1), new GroupInfo("init.scope", 1, 2, 1)],
            ExpectMsg<ProcessTreeProtocol.GroupList>().Groups);
        tree.Tell(new ProcessTreeProtocol.GetInstances(false, null, 10, Group: "nginx.service"), TestActor);
        var only = Assert.Single(ExpectMsg<ProcessTreeProtocol.InstanceList>().Instances);
        Assert.Equal((10, "nginx.service"), (only.Pid, only.Group));
    }

    private static ulong Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return ulong.Parse(text.Trim());
    }

    [Fact]
    public void Absurd_events_are_taken_without_a_failure_and_the_tree_keeps_answering()
    {
        var tree = Sys.ActorOf(ProcessTreeActor.Props(ProcessTreeSettings.Default));
        tree.Tell(new ProcessTreeProtocol.Observe([
            new InstanceStarted(5, long.MaxValue, 5, long.MaxValue, ""),
            new InstanceEnded(5, long.MaxValue, long.MaxValue, ""),
            new InstanceIo(-3, "x", long.MaxValue, long.MaxValue),
            new InstanceIo(6, "x", long.MaxValue, 1),
            new InstanceIo(6, "x", long.MaxValue, 1),
            new InstanceExecuted(0, -5, "", null),
        ], TracerReady: false), TestActor);

        tree.Tell(new ProcessTreeProtocol.GetInstances(false, null, 100), TestActor);
        var list = ExpectMsg<ProcessTreeProtocol.InstanceList>().Instances;
        Assert.Equal([5, 6], list.Select(i => i.Pid).Order());
        Assert.Equal(long.MaxValue, Assert.Single(list, i => i.Pid == 6).Reads);
    }
}
