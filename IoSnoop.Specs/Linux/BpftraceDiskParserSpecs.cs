using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

/// <summary>The parser on the disk lines of the program, written by hand.</summary>
public sealed class BpftraceDiskParserSpecs
{
    private const uint Disk = 266338304; // 254:0, ext4 in the mount table below
    private const uint Proc = 20;        // 0:20, procfs
    private const uint BlockDevices = 3; // 0:3, the kernel's block-device filesystem: not mounted

    private static readonly string Mounts = string.Join('\n',
        "21 26 0:20 / /proc rw,relatime - proc proc rw",
        "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw");

    private static BpftraceParser NewParser() => new(1000, () => MountTable.Parse(Mounts));

    private static string Components(int set, uint dev, ulong ino, uint gen, string path)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse().ToArray();
        var lines = names.Select((name, i) => $"@C{set}[{dev}, {ino}, {gen}, {i}, {Encoding.UTF8.GetByteCount(name)}]: {name}");
        return string.Join('\n', lines.Append($"@C{set}[{dev}, {ino}, {gen}, {names.Length}, 0]: /"));
    }

    [Fact]
    public void Disk_sums_become_disk_events_of_the_file_when_the_interval_closes()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[42, dd, {Disk}, 77, 9, 1]: 8192
            @N0[42, dd, {Disk}, 77, 9, 1]: 2
            {Components(0, Disk, 77, 9, "/data/a.bin")}
            @D0[42, dd, {Disk}, 77, 9, 1]: 4096
            @D0[42, dd, {Disk}, 77, 9, 0]: 12288
            """);
        Assert.Empty(sink.DiskEvents);
        sink.Feed(parser, "T 1");

        Assert.Equal([new IoEvent("dd", 42, "/data/a.bin", IoDirection.Write, 8192, 2)], sink.Events);
        Assert.Equal(
            [
                new IoEvent("dd", 42, "/data/a.bin", IoDirection.Read, 12288, 0, IoLayer.Disk),
                new IoEvent("dd", 42, "/data/a.bin", IoDirection.Write, 4096, 0, IoLayer.Disk),
            ],
            sink.DiskEvents.OrderBy(e => e.Direction));
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void Page_cache_lines_take_the_path_of_the_latest_generation_and_metadata_is_named_as_such()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            {Components(0, Disk, 77, 9, "/old/a.bin")}
            T 1
            {Components(1, Disk, 77, 10, "/new/a.bin")}
            T 2
            @M0[42, py, thon, {Disk}, 77]: 65536
            @M0[42, py, thon, {BlockDevices}, {Disk}]: 8192
            @M0[42, py, thon, {Disk}, 5]: 4096
            @M0[42, py, thon, {Proc}, 5]: 4096
            @W0[42, py, thon, 254:0, 77]: 4096
            @W0[43, jbd2/vda-8, 254:0, {Disk}]: 4096
            @W0[44, btrfs, btrfs-1, 12]: 4096
            T 3
            """);

        Assert.Equal(
            new[]
            {
                ("btrfs", "(unknown path: inode 12)", IoDirection.Write, 4096L),
                ("jbd2/vda-8", "<filesystem metadata 254:0>", IoDirection.Write, 4096L),
                ("py, thon", "(unknown path: device 254:0 inode 5)", IoDirection.Read, 4096L),
                ("py, thon", "/new/a.bin", IoDirection.Read, 65536L),
                ("py, thon", "/new/a.bin", IoDirection.Write, 4096L),
                ("py, thon", "<filesystem metadata 254:0>", IoDirection.Read, 8192L),
            },
            sink.DiskEvents.Select(e => (e.Process, e.Path, e.Direction, e.Bytes)).OrderBy(e => e.Process).ThenBy(e => e.Path, StringComparer.Ordinal).ThenBy(e => e.Direction));
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void Device_lines_become_one_total_per_disk_and_interval()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @K0[{Disk}, 0, 0]: 1000
            @K0[{Disk}, 0, 1]: 24
            @K0[{Disk}, 1, 0]: 4096
            @Q0[{Disk}, 0, 0]: 3
            @Q0[{Disk}, 0, 1]: 1
            @Q0[{Disk}, 1, 0]: 2
            T 1
            """);

        Assert.Equal([new DeviceIo("254:0", 1024, 4096, 4, 2, 24, 0)], sink.Devices);
    }

    [Fact]
    public void A_disk_map_printed_again_before_its_marker_replaces_the_earlier_print()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @K0[{Disk}, 1, 0]: 4096
            @N0[42, dd, {Disk}, 77, 9, 1]: 2
            @K0[{Disk}, 1, 0]: 8192
            @zend: 5
            """);

        Assert.Equal([new DeviceIo("254:0", 0, 8192, 0, 0, 0, 0)], sink.Devices);
    }

    [Theory]
    [InlineData("@D0[42, dd, 1, 2, 3]: 5")]
    [InlineData("@D1[x, dd, 1, 2, 3, 0]: 5")]
    [InlineData("@M0[42, dd, 1]: 5")]
    [InlineData("@M1[42, dd, x, 2]: 5")]
    [InlineData("@W0[42, dd, 2]: 5")]
    [InlineData("@K0[1, 2, 0]: 5")]
    [InlineData("@Q1[1, 0]: 5")]
    [InlineData("@K0: 5")]
    [InlineData("@Q0[1, 0, 0]: -5")]
    public void Malformed_disk_lines_are_counted_and_the_interval_goes_on(string line)
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"{line}\n@K0[{Disk}, 1, 0]: 7\nT 1");

        Assert.Single(sink.MalformedLines);
        Assert.Equal([new DeviceIo("254:0", 0, 7, 0, 0, 0, 0)], sink.Devices);
    }

    [Fact]
    public void The_bytes_per_pid_carry_its_disk_bytes_and_come_before_its_end()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        // 42 writes 8192 file bytes, dirties 4096 and reads 12288 from the disk (calls and page faults), then ends in the
        // same interval; 43 only faults pages in (disk bytes, no file bytes); the kernel's block totals are no pid's.
        sink.Feed(parser, $"""
            @B0[42, dd, {Disk}, 77, 9, 1]: 8192
            @N0[42, dd, {Disk}, 77, 9, 1]: 2
            {Components(0, Disk, 77, 9, "/data/a.bin")}
            @X0[42, 5000, 7000, 1]: dd
            @D0[42, dd, {Disk}, 77, 9, 1]: 4096
            @D0[42, dd, {Disk}, 77, 9, 0]: 8192
            @M0[42, dd, {Disk}, 77]: 4096
            @M0[43, py, {Disk}, 77]: 65536
            @M0[43, py, {Proc}, 5]: 4096
            @W0[43, py, 254:0, 77]: 8192
            @K0[{Disk}, 1, 0]: 4096
            T 1
            """);

        Assert.Equal(
            [
                new InstanceIo(42, "dd", 0, 8192, 12288, 4096),
                new InstanceIo(43, "py", 0, 0, 65536, 8192),
                new InstanceEnded(42, 5000, 7000, "dd") { ExitCode = 0 },
            ],
            sink.Instances.OrderBy(e => e is InstanceEnded).ThenBy(e => e.Pid));
        Assert.IsType<InstanceEnded>(sink.Instances[^1]);
        // The same disk bytes as the disk events (what the figures per name sum).
        Assert.Equal((12288L + 65536, 4096L + 8192),
            (sink.DiskEvents.Where(e => e.Direction == IoDirection.Read).Sum(e => e.Bytes),
             sink.DiskEvents.Where(e => e.Direction == IoDirection.Write).Sum(e => e.Bytes)));
        Assert.Empty(sink.MalformedLines);
    }
}
