using System.Diagnostics;
using IoSnoop.Actors.Instances;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Instances;

public sealed class CgroupsSpecs
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("/system.slice/nginx.service", "nginx.service")]
    [InlineData("/system.slice/system-getty.slice/getty@tty1.service", "getty@tty1.service")]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-0d1e.scope",
        "vte-spawn-0d1e.scope")]
    [InlineData("/user.slice/user-1000.slice/session-3.scope", "session-3.scope")]
    [InlineData("/system.slice/docker-4f1c9a2b7d3e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a.scope", "docker:4f1c9a2b7d3e")]
    [InlineData("/docker/4f1c9a2b7d3e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a", "docker:4f1c9a2b7d3e")]
    [InlineData("/machine.slice/libpod-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d.scope", "podman:9e8d7c6b5a4f")]
    [InlineData("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d.scope/container",
        "podman:9e8d7c6b5a4f")]
    [InlineData("/system.slice/foo.service/container", "/system.slice/foo.service/container")]
    [InlineData("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b7c2e1a_3d4f_4a6b_9c8d_7e6f5a4b3c2d.slice/cri-containerd-0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9.scope",
        "pod:5b7c2e1a-3d4f-4a6b-9c8d-7e6f5a4b3c2d/0a1b2c3d4e5f")]
    [InlineData("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5b7c2e1a_3d4f_4a6b_9c8d_7e6f5a4b3c2d.slice",
        "pod:5b7c2e1a-3d4f-4a6b-9c8d-7e6f5a4b3c2d")]
    [InlineData("/kubepods/burstable/pod5b7c2e1a-3d4f-4a6b-9c8d-7e6f5a4b3c2d/0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "pod:5b7c2e1a-3d4f-4a6b-9c8d-7e6f5a4b3c2d/0a1b2c3d4e5f")]
    [InlineData("/process_api/fba8093149300e55b264ea8ed57ff11f", "/process_api/fba8093149300e55b264ea8ed57ff11f")]
    [InlineData("/my group/with spaces", "/my group/with spaces")]
    public void A_cgroup_path_gets_the_name_users_know(string path, string expected) =>
        Assert.Equal(expected, Cgroups.ReadableName(path));

    [Fact]
    public void The_v2_path_of_a_process_is_its_0_line()
    {
        Assert.Equal("/system.slice/ssh.service", Cgroups.PathFromProcCgroup("1:name=systemd:/system.slice/ssh.service\n0::/system.slice/ssh.service\n"));
        Assert.Equal("/", Cgroups.PathFromProcCgroup("4:memory:/x\n0::/\n"));
        Assert.Null(Cgroups.PathFromProcCgroup("4:memory:/x\n1:cpu:/\n"));
        Assert.Null(Cgroups.PathFromProcCgroup(""));
    }

    [Fact]
    public void The_unified_hierarchy_is_found_in_mountinfo_whether_alone_or_beside_v1()
    {
        const string hybrid = """
            33 25 0:29 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            34 33 0:30 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw
            35 33 0:31 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
            """;
        Assert.Equal("/sys/fs/cgroup/unified", Cgroups.UnifiedMount(hybrid));
        Assert.Equal("/sys/fs/cgroup", Cgroups.UnifiedMount("29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"));
        Assert.Equal("/mnt/cg two", Cgroups.UnifiedMount(@"29 23 0:26 / /mnt/cg\040two rw - cgroup2 cgroup2 rw" + "\n"));
        Assert.Null(Cgroups.UnifiedMount("35 33 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n"));
    }

    /// <summary>On this machine, as root: a cgroup made by the spec is found by its id (its directory's inode
    /// number, which is what bpftrace's <c>cgroup</c> gives), also when it appears after a first walk.</summary>
    [Fact]
    public void A_cgroup_id_resolves_to_its_path_under_the_unified_hierarchy()
    {
        var mount = Cgroups.UnifiedMount(File.ReadAllText("/proc/self/mountinfo"));
        Assert.True(mount is not null, "no cgroup2 hierarchy is mounted on this machine");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var directory = new CgroupDirectory(mount, clock);
        Assert.Equal("/", directory.PathOf(Inode(mount)));

        var name = $"iosnoopng-spec-{Guid.NewGuid():N}";
        var made = Path.Combine(mount, name);
        Directory.CreateDirectory(made);
        try
        {
            var id = Inode(made);
            // Not walked again before the rescan interval: an unknown id costs one walk per interval at most.
            Assert.Null(directory.PathOf(id));
            clock.Advance(CgroupDirectory.RescanAfter);
            Assert.Equal("/" + name, directory.PathOf(id));
        }
        finally
        {
            Directory.Delete(made);
        }
    }

    private static ulong Inode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return ulong.Parse(text.Trim());
    }
}
