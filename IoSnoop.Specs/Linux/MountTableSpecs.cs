using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

public sealed class MountTableSpecs
{
    [Fact]
    public void Devices_are_keyed_the_way_the_kernel_keys_them()
    {
        Assert.Equal(266338304u, MountTable.KernelDevice(254, 0));
        Assert.Equal("254:0", MountTable.Format(266338304));
        Assert.Equal("0:45", MountTable.Format(45));
    }

    [Fact]
    public void The_filesystem_type_is_read_after_the_separator_whatever_the_optional_fields()
    {
        var table = MountTable.Parse("""
            21 26 0:20 / /proc rw,relatime - proc proc rw
            26 1 254:0 / / rw,relatime shared:1 master:2 - ext4 /dev/vda rw,discard
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            41 26 254:0 /srv /mnt/with\040space rw - ext4 /dev/vda rw
            not a mount line
            42 26 x:y / /bad rw - ext4 /dev/bad rw
            """);

        Assert.Equal(4, table.Count);
        Assert.True(table.TryGetType(MountTable.KernelDevice(254, 0), out var root));
        Assert.Equal("ext4", root);
        Assert.True(table.IsPseudo(20));
        Assert.True(table.IsPseudo(37));
        Assert.False(table.IsPseudo(27));
        Assert.False(table.IsPseudo(MountTable.KernelDevice(254, 0)));
        Assert.False(table.IsPseudo(MountTable.KernelDevice(8, 1))); // not mounted here: not known to be pseudo
    }

    [Fact]
    public void This_machines_own_mount_table_holds_its_root_and_procfs()
    {
        var table = MountTable.Load();

        Assert.Contains("proc", Enumerable.Range(0, 64).Select(minor => table.TryGetType((uint)minor, out var t) ? t : ""));
        Assert.True(table.Count >= 2);
    }
}
