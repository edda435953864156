using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

public sealed class BpftracePreflightSpecs
{
    private static readonly BpftraceMachine Ready = new(
        IsRoot: true, BpftracePath: "/usr/bin/bpftrace", BpftraceVersion: "bpftrace v0.17.0\n", HasKernelBtf: true, TracefsMounted: true);

    [Fact]
    public void A_machine_with_everything_has_no_problems() => Assert.Empty(BpftracePreflight.Problems(Ready));

    [Fact]
    public void Not_being_root_is_a_problem() =>
        Assert.Contains("needs root", Assert.Single(BpftracePreflight.Problems(Ready with { IsRoot = false })));

    [Fact]
    public void A_missing_bpftrace_says_how_to_install_it() =>
        Assert.Contains("apt-get install bpftrace", Assert.Single(BpftracePreflight.Problems(Ready with { BpftracePath = null, BpftraceVersion = null })));

    [Theory]
    [InlineData("bpftrace v0.16.0", "bpftrace 0.16.0 is too old")]
    [InlineData("bpftrace v0.9.4", "bpftrace 0.9.4 is too old")]
    [InlineData(null, "did not print a bpftrace version")]
    [InlineData("error while loading shared libraries: libbcc.so.0", "did not print a bpftrace version")]
    public void An_old_or_broken_bpftrace_is_a_problem(string? output, string expected) =>
        Assert.Contains(expected, Assert.Single(BpftracePreflight.Problems(Ready with { BpftraceVersion = output })));

    [Theory]
    [InlineData("bpftrace v0.17.0", "0.17.0")]
    [InlineData("bpftrace v0.21.2-ubuntu", "0.21.2")]
    [InlineData("bpftrace 1.0", "1.0")]
    [InlineData("v0.17.0", null)]
    [InlineData("", null)]
    public void The_version_is_read_from_its_output(string output, string? expected) =>
        Assert.Equal(expected, BpftracePreflight.ParseVersion(output)?.ToString());

    [Fact]
    public void No_kernel_btf_is_a_problem() =>
        Assert.Contains("/sys/kernel/btf/vmlinux", Assert.Single(BpftracePreflight.Problems(Ready with { HasKernelBtf = false })));

    [Fact]
    public void Tracefs_that_could_not_be_mounted_says_why_and_what_to_run()
    {
        var problem = Assert.Single(BpftracePreflight.Problems(Ready with { TracefsMounted = false, TracefsMountError = "mount tracefs on /sys/kernel/tracing: Operation not permitted" }));

        Assert.Contains("Operation not permitted", problem);
        Assert.Contains("mount -t tracefs nodev /sys/kernel/tracing", problem);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = BpftracePreflight.Problems(new BpftraceMachine(false, null, null, false, false));

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.EndsWith(".", p));
    }

    [Fact]
    public void Executables_are_found_on_the_path_or_taken_as_given()
    {
        Assert.Equal("/bin/sh", BpftracePreflight.FindExecutable("/bin/sh"));
        Assert.NotNull(BpftracePreflight.FindExecutable("sh"));
        Assert.Null(BpftracePreflight.FindExecutable("no-such-tool-for-iosnoop"));
        Assert.Null(BpftracePreflight.FindExecutable("/no/such/bpftrace"));
    }

    [Fact]
    public void The_program_relies_on_where_struct_mount_keeps_its_vfsmount()
    {
        const string listing = """
            struct mount {
            	struct hlist_node mnt_hash;
            	struct mount *mnt_parent;
            	struct dentry *mnt_mountpoint;
            	struct vfsmount mnt;
            	union {
            		struct rb_node mnt_node;
            """;
        var moved = listing.Replace("\tstruct mount *mnt_parent;\n", "").Replace("\tstruct vfsmount mnt;\n", "\tstruct vfsmount mnt;\n\tstruct mount *mnt_parent;\n");

        Assert.Empty(BpftracePreflight.Problems(Ready with { MountLayout = listing }));
        Assert.Contains("struct mount", Assert.Single(BpftracePreflight.Problems(Ready with { MountLayout = moved })));
        Assert.Empty(BpftracePreflight.Problems(Ready with { MountLayout = null }));
    }
}
