using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

/// <summary>The parser on lines written by hand: every format the program prints, and what it must survive.</summary>
public sealed class BpftraceParserSpecs
{
    private const uint Disk = 266338304; // 254:0, ext4 in the mount table below
    private const uint Proc = 20;        // 0:20, procfs
    private const uint Memory = 45;      // 0:45, tmpfs

    private static readonly string Mounts = string.Join('\n',
        "21 26 0:20 / /proc rw,relatime - proc proc rw",
        "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
        "47 26 0:45 / /tmp/m rw,relatime shared:7 - tmpfs tmpfs rw,size=4k");

    private static BpftraceParser NewParser(int capacity = 1000) =>
        new(capacity, () => MountTable.Parse(Mounts));

    /// <summary>The component lines of <paramref name="path"/> as the program prints them.</summary>
    private static string Components(int set, uint dev, ulong ino, uint gen, string path)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse().ToArray();
        var lines = names.Select((name, i) => $"@C{set}[{dev}, {ino}, {gen}, {i}, {Encoding.UTF8.GetByteCount(name)}]: {name}");
        return string.Join('\n', lines.Append($"@C{set}[{dev}, {ino}, {gen}, {names.Length}, 0]: /"));
    }

    [Fact]
    public void Sums_become_one_event_per_process_file_and_direction_when_the_interval_closes()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[4242, cc1, {Disk}, 77, 9, 1]: 8192
            @B0[4242, cc1, {Disk}, 77, 9, 0]: 100
            @N0[4242, cc1, {Disk}, 77, 9, 1]: 2
            @N0[4242, cc1, {Disk}, 77, 9, 0]: 1
            {Components(0, Disk, 77, 9, "/home/me/src/main.o")}
            """);
        Assert.Empty(sink.Events);

        sink.Feed(parser, "T 123456789");

        Assert.Equal(
            new[]
            {
                new IoEvent("cc1", 4242, "/home/me/src/main.o", IoDirection.Read, 100, 1),
                new IoEvent("cc1", 4242, "/home/me/src/main.o", IoDirection.Write, 8192, 2),
            },
            sink.Events.OrderBy(e => e.Direction));
        Assert.Empty(sink.MalformedLines);
    }

    [Theory]
    [InlineData("a, b")]
    [InlineData("x]: 5")]
    [InlineData("1, 2, 3, 4, 5")]
    [InlineData(", ]")]
    [InlineData(" ")]
    [InlineData("")]
    [InlineData("RequestBuilder ")]
    public void Process_names_with_commas_brackets_and_spaces_are_read_from_both_ends(string comm)
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B1[7, {comm}, {Disk}, 5, 6, 0]: 42
            @N1[7, {comm}, {Disk}, 5, 6, 0]: 3
            {Components(1, Disk, 5, 6, "/etc/hosts")}
            T 1
            """);

        Assert.Equal([new IoEvent(comm, 7, "/etc/hosts", IoDirection.Read, 42, 3)], sink.Events);
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void Paths_are_remembered_across_intervals()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[1, make, {Disk}, 10, 1, 0]: 5
            {Components(0, Disk, 10, 1, "/src/Makefile")}
            T 1
            @B1[2, make, {Disk}, 10, 1, 0]: 6
            T 2
            """);

        Assert.Equal(["/src/Makefile", "/src/Makefile"], sink.Events.Select(e => e.Path));
        Assert.Same(sink.Events[0].Path, sink.Events[1].Path);
    }

    [Fact]
    public void A_name_the_tracer_cut_short_is_marked_in_the_path()
    {
        var parser = NewParser();
        var sink = new CollectingSink();
        var cut = new string('n', 127);

        sink.Feed(parser, $"""
            @B0[1, touch, {Disk}, 11, 1, 1]: 1
            @C0[{Disk}, 11, 1, 0, 180]: {cut}
            @C0[{Disk}, 11, 1, 1, 3]: tmp
            @C0[{Disk}, 11, 1, 2, 0]: /
            T 1
            """);

        Assert.Equal($"/tmp/{cut}…", sink.Events.Single().Path);
    }

    [Fact]
    public void Missing_components_give_a_partial_path_that_does_not_start_with_a_slash()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[1, deep, {Disk}, 1, 1, 0]: 1
            @B0[1, deep, {Disk}, 2, 1, 0]: 2
            @B0[1, deep, {Disk}, 3, 1, 0]: 3
            @C0[{Disk}, 1, 1, 0, 4]: leaf
            @C0[{Disk}, 1, 1, 1, 6]: parent
            @C0[{Disk}, 2, 1, 0, 4]: leaf
            @C0[{Disk}, 2, 1, 2, 3]: far
            @C0[{Disk}, 2, 1, 3, 0]: /
            @C0[{Disk}, 3, 1, 1, 6]: parent
            T 1
            """);

        var paths = sink.Events.OrderBy(e => e.Bytes).Select(e => e.Path).ToArray();
        Assert.Equal("…/parent/leaf", paths[0]);   // the walk stopped before the root
        Assert.Equal("…/leaf", paths[1]);          // component 1 is missing: only what is joined to the name counts
        Assert.Equal("(unknown path: device 254:0 inode 3)", paths[2]); // no name at all
        Assert.All(paths, path => Assert.False(path.StartsWith('/')));
    }

    [Fact]
    public void Lost_events_are_reported_as_drops()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, "Lost 17 events\nLost 3 events\r");

        Assert.Equal(20, sink.Dropped);
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void The_ready_line_and_the_process_lines_are_consumed()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, """
            Attaching 40 probes...
            READY
            E 4242 4200 cc1
            E 4243 4200 has space, and ]
            X 4242 cc1
            X 4244 
            """);

        Assert.Equal(1, sink.ReadyCount);
        Assert.Empty(sink.Events);
        Assert.Empty(sink.MalformedLines);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("T")]
    [InlineData("T x")]
    [InlineData("T -1")]
    [InlineData("E x 1 cc")]
    [InlineData("X")]
    [InlineData("Lost many events")]
    [InlineData("@B0")]
    [InlineData("@B0[")]
    [InlineData("@B0: 5")]
    [InlineData("@B0[1, cc, 2, 3, 4, 2]: 5")]
    [InlineData("@B0[1, cc, 2, 3, 4, 0]: -5")]
    [InlineData("@B0[1, cc, 2, 3, 4, 0]: 99999999999999999999999")]
    [InlineData("@B0[1, cc, 2, 3, 0]: 5")]
    [InlineData("@B0[99999999999, cc, 2, 3, 4, 0]: 5")]
    [InlineData("@B0[1, cc, 99999999999, 3, 4, 0]: 5")]
    [InlineData("@N1[1, cc, 2, 3, 4, 0]")]
    [InlineData("@C0[1, 2, 3, 4]: name")]
    [InlineData("@C0[1, 2, 3, x, 4]: name")]
    [InlineData("@C1[1, 2, 3, 4, 5] name")]
    [InlineData("@zend")]
    [InlineData("@zend: soon")]
    [InlineData("@other[1]: 2")]
    [InlineData("@")]
    [InlineData("@P0[1, 2, 3]: sh")]
    [InlineData("@P0[1, 2, 3, 4, 5, 6]: sh")]
    [InlineData("@P1[0, 2, 3, 4]: sh")]
    [InlineData("@P1[1, 2, 99999999999, 4]: sh")]
    [InlineData("@P0[1, 2, 3, 4] sh")]
    [InlineData("@E0[1, 2, 3, 4, 5, 6, 7, 8]: dd")]
    [InlineData("@E0[1, 2, 3, 99999999999, 5, 6]: dd")]
    [InlineData("@E1[1, -2, 3, 4, 5, 6]: dd")]
    [InlineData("@X0[1, 2]: dd")]
    [InlineData("@X1[1, 2, 3, 4, 5]: dd")]
    [InlineData("@X1[1, 2, 3, 257]: dd")]
    [InlineData("@X1[1, 2, 99999999999999999999999]: dd")]
    [InlineData("@X0")]
    public void Lines_it_cannot_read_are_reported_as_malformed(string line)
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, line);
        sink.Feed(parser, "T 1");

        Assert.Equal(line, Assert.Single(sink.MalformedLines).Line);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void Any_bytes_at_all_never_throw()
    {
        var parser = NewParser(capacity: 16);
        var sink = new CollectingSink();
        var random = new Random(20240611);
        var alphabet = "@BNCPEX01[], :T\r\n/ 0123456789zendLost events\xff\0"u8.ToArray();

        for (var i = 0; i < 20_000; i++)
        {
            var line = new byte[random.Next(0, 80)];
            for (var j = 0; j < line.Length; j++)
                line[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            parser.Parse(line, sink);
        }

        Assert.NotEmpty(sink.MalformedLines);
        Assert.DoesNotContain(sink.MalformedLines, m => m.Reason == BpftraceParser.Reasons.Failure);
    }

    [Fact]
    public void Process_lines_cut_or_changed_anywhere_never_throw()
    {
        var parser = NewParser(capacity: 16);
        var sink = new CollectingSink();
        var random = new Random(20261206);
        byte[][] valid = [.. new[] { "@P0[12, 34, 56, 78]: sh", $"@E1[12, 34, 99, {Disk}, 5, 6]: dd", "@X0[12, 34, 1000]: dd" }
            .Select(Encoding.UTF8.GetBytes)];

        for (var i = 0; i < 20_000; i++)
        {
            var line = valid[random.Next(valid.Length)][..];
            line = line[..random.Next(line.Length + 1)];
            for (var flips = random.Next(3); flips > 0 && line.Length > 0; flips--)
                line[random.Next(line.Length)] = (byte)random.Next(256);
            parser.Parse(line, sink);
            if (i % 50 == 0)
                parser.Parse("T 1"u8, sink);
        }

        Assert.NotEmpty(sink.MalformedLines);
        Assert.NotEmpty(sink.Instances);
        Assert.DoesNotContain(sink.MalformedLines, m => m.Reason == BpftraceParser.Reasons.Failure);
    }

    [Fact]
    public void A_set_printed_again_before_any_marker_closed_it_counts_once()
    {
        // A stop cut the hand-out short after the print: bpftrace prints the uncleared set again at exit.
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[1, cp, {Disk}, 8, 2, 1]: 100
            @N0[1, cp, {Disk}, 8, 2, 1]: 1
            {Components(0, Disk, 8, 2, "/out/file")}


            @B0[1, cp, {Disk}, 8, 2, 1]: 100
            @B0[1, cp, {Disk}, 9, 2, 1]: 7

            @B1[1, cp, {Disk}, 8, 2, 1]: 50

            {Components(0, Disk, 8, 2, "/out/file")}
            {Components(0, Disk, 9, 2, "/out/other")}

            @N0[1, cp, {Disk}, 8, 2, 1]: 1
            @N0[1, cp, {Disk}, 9, 2, 1]: 1

            @N1[1, cp, {Disk}, 8, 2, 1]: 1

            @zend: 99
            """);

        Assert.Equal(
            new[]
            {
                new IoEvent("cp", 1, "/out/file", IoDirection.Write, 150, 2),
                new IoEvent("cp", 1, "/out/other", IoDirection.Write, 7, 1),
            },
            sink.Events.OrderBy(e => e.Path, StringComparer.Ordinal));
        Assert.True(parser.Finished);
    }

    [Fact]
    public void A_set_printed_and_cleared_but_not_closed_before_a_stop_is_closed_by_the_last_line()
    {
        // The stop dropped the T after the set was printed and cleared: the exit dump no longer holds it.
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B1[1, cp, {Disk}, 8, 2, 0]: 30
            @N1[1, cp, {Disk}, 8, 2, 0]: 3
            {Components(1, Disk, 8, 2, "/in/file")}


            @B0[1, cp, {Disk}, 8, 2, 0]: 12

            @N0[1, cp, {Disk}, 8, 2, 0]: 1

            @zend: 99
            """);

        Assert.Equal([new IoEvent("cp", 1, "/in/file", IoDirection.Read, 42, 4)], sink.Events);
    }

    [Fact]
    public void Bookkeeping_maps_that_show_at_exit_are_ignored()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @H0: 1000
            @cur: 1
            @f[123, 0]: 18446744072
            @seen[{Disk}, 5, 6]: 1
            """);

        Assert.Empty(sink.MalformedLines);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void Files_of_pseudo_filesystems_are_dropped_by_the_type_of_their_device()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @B0[1, top, {Proc}, 4026531, 0, 0]: 1000
            @B0[1, top, {Memory}, 3, 7, 0]: 20
            @B0[1, top, {MountTable.KernelDevice(8, 1)}, 3, 7, 0]: 30
            {Components(0, Proc, 4026531, 0, "/proc/stat")}
            {Components(0, Memory, 3, 7, "/tmp/m/x")}
            {Components(0, MountTable.KernelDevice(8, 1), 3, 7, "/mnt/elsewhere/x")}
            T 1
            """);

        Assert.Equal(["/mnt/elsewhere/x", "/tmp/m/x"], sink.Events.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_device_missing_from_the_mount_table_makes_it_read_again_at_most_once_an_interval()
    {
        var loads = 0;
        var parser = new BpftraceParser(100, () =>
        {
            loads++;
            return MountTable.Parse(loads == 1 ? "" : "30 26 0:99 / /late rw - sysfs sysfs rw");
        });
        var sink = new CollectingSink();

        sink.Feed(parser, $"@B0[1, a, {Disk}, 1, 1, 0]: 1\n@B0[1, a, 77, 1, 1, 0]: 1\nT 1");
        Assert.Equal(1, loads); // read when first needed, and not again in the same interval
        Assert.Equal(2, sink.Events.Count); // devices not mounted here are kept

        sink.Feed(parser, "@B1[1, a, 99, 1, 1, 0]: 1\nT 2");
        Assert.Equal(2, loads); // 0:99 was mounted since: sysfs, dropped
        Assert.Equal(2, sink.Events.Count);

        sink.Feed(parser, "@B0[1, a, 77, 1, 1, 0]: 1\nT 3");
        Assert.Equal(3, loads);
        Assert.Equal(3, sink.Events.Count);
    }

    [Fact]
    public void Carriage_returns_end_lines_but_stay_in_names_that_have_them()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        parser.Parse(Encoding.UTF8.GetBytes($"@B0[1, a, {Disk}, 1, 1, 0]: 5\r"), sink);
        parser.Parse(Encoding.UTF8.GetBytes($"@C0[{Disk}, 1, 1, 0, 3]: ab\r"), sink);
        parser.Parse(Encoding.UTF8.GetBytes($"@C0[{Disk}, 1, 1, 1, 4]: dir\r\r"), sink);
        parser.Parse(Encoding.UTF8.GetBytes($"@C0[{Disk}, 1, 1, 2, 0]: /\r"), sink);
        parser.Parse("T 5\r"u8, sink);

        Assert.Equal("/dir\r/ab\r", sink.Events.Single().Path);
    }

    [Fact]
    public void Names_that_are_not_utf8_decode_with_replacement_characters()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, Encoding.UTF8.GetBytes($"@B0[1, a, {Disk}, 1, 1, 0]: 5\n@C0[{Disk}, 1, 1, 0, 4]: ")
            .Concat(new byte[] { 0x62, 0xff, 0xfe, 0x63 })
            .Concat(Encoding.UTF8.GetBytes($"\n@C0[{Disk}, 1, 1, 1, 0]: /\nT 1"))
            .ToArray());

        Assert.Equal("/b\uFFFD\uFFFDc", sink.Events.Single().Path);
    }

    [Fact]
    public void Sums_of_the_same_file_from_both_sets_add_up_when_one_line_closes_them()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            {Components(0, Disk, 1, 1, "/a")}
            @B0[1, a, {Disk}, 1, 1, 1]: 5
            @B1[1, a, {Disk}, 1, 1, 1]: 6
            @N0[1, a, {Disk}, 1, 1, 1]: 1
            @N1[1, a, {Disk}, 1, 1, 1]: 1
            @zend: 1
            """);

        Assert.Equal([new IoEvent("a", 1, "/a", IoDirection.Write, 11, 2)], sink.Events);
    }

    [Fact]
    public void A_bounded_path_cache_forgets_the_least_recently_used_paths_first()
    {
        var parser = NewParser(capacity: 4);
        var sink = new CollectingSink();

        // Five files, two paths each interval; file 1 is used every time.
        sink.Feed(parser, $"{Components(0, Disk, 1, 1, "/one")}\n{Components(0, Disk, 2, 1, "/two")}\nT 1");
        sink.Feed(parser, $"{Components(1, Disk, 3, 1, "/three")}\n@B1[1, a, {Disk}, 1, 1, 0]: 1\nT 2");
        sink.Feed(parser, $"{Components(0, Disk, 4, 1, "/four")}\n{Components(0, Disk, 5, 1, "/five")}\n@B0[1, a, {Disk}, 1, 1, 0]: 1\nT 3");
        sink.Feed(parser, $"@B1[1, a, {Disk}, 1, 1, 0]: 1\n@B1[1, a, {Disk}, 2, 1, 0]: 1\nT 4");

        var last = sink.Events.Skip(2).Select(e => e.Path).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["(unknown path: device 254:0 inode 2)", "/one"], last);
    }

    [Fact]
    public void Process_lines_become_instance_events_in_order_when_the_interval_closes()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        // A shell (100) starts a child (101) that runs dd, which reads /in, writes /out and a procfs file, and ends.
        sink.Feed(parser, $"""
            @B0[101, dd, {Disk}, 7, 1, 0]: 3000
            @B0[101, dd, {Disk}, 8, 1, 1]: 2000
            @B0[101, dd, {Disk}, 8, 1, 0]: 5
            @B0[101, dd, {Proc}, 9, 1, 0]: 77
            @B0[100, sh, {Disk}, 7, 1, 0]: 10
            @N0[101, dd, {Disk}, 7, 1, 0]: 3
            {Components(0, Disk, 7, 1, "/in")}
            {Components(0, Disk, 8, 1, "/out")}
            {Components(0, Disk, 9, 1, "/proc/1/stat")}
            {Components(0, Disk, 5, 2, "/usr/bin/dd")}
            @P0[101, 5000000123, 100, 4000000456, 329]: sh
            @E0[101, 5000000123, 7000, {Disk}, 5, 2, 411]: dd
            @E0[101, 5000000123, 6000, 0, 0, 0, 329]: env
            @X0[101, 5000000123, 90000]: dd
            T 1
            """);

        Assert.Equal(
            new InstanceEvent[]
            {
                new InstanceStarted(101, 5000000123, 100, 4000000456, "sh", 329),
                new InstanceExecuted(101, 5000000123, "env", null, 329),
                new InstanceExecuted(101, 5000000123, "dd", "/usr/bin/dd", 411),
                new InstanceIo(101, "dd", 3005, 2000),
                new InstanceIo(100, "sh", 10, 0),
                new InstanceEnded(101, 5000000123, 90000, "dd"),
            },
            sink.Instances);
        Assert.Empty(sink.MalformedLines);

        sink.Feed(parser, "T 2");
        Assert.Equal(6, sink.Instances.Count);
    }

    [Fact]
    public void An_end_carries_the_exit_status_exit_group_gave_and_none_when_it_is_not_known()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        // exit + 1: 1 is status 0, 4 is status 3, 256 is status 255; 0 and an end of three numbers: not known.
        sink.Feed(parser, "@X0[5, 6, 9, 1]: a\n@X0[7, 6, 9, 4]: b\n@X0[8, 6, 9, 256]: c\n@X0[9, 6, 9, 0]: d\n@X0[10, 6, 9]: e\nT 1");

        Assert.Equal([0, 3, 255, null, null], sink.Instances.Cast<InstanceEnded>().Select(e => e.ExitCode));
        Assert.Empty(sink.MalformedLines);
    }

    [Theory]
    [InlineData("a]: b")]
    [InlineData("")]
    [InlineData("x y")]
    public void A_process_name_is_everything_after_the_key(string comm)
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"@P1[5, 6, 7, 8]: {comm}\n@X1[5, 6, 9, 0]: {comm}\nT 1");

        Assert.Equal([new InstanceStarted(5, 6, 7, 8, comm), new InstanceEnded(5, 6, 9, comm)], sink.Instances);
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void Recordings_made_before_the_cgroup_id_was_printed_still_read_with_no_cgroup()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"@P0[5, 6, 7, 8]: sh\n@E0[5, 6, 10, 0, 0, 0]: dd\n@P1[15, 16, 7, 8, 4026531835]: sh\nT 1");

        Assert.Equal(
            new InstanceEvent[] { new InstanceStarted(5, 6, 7, 8, "sh", 0), new InstanceStarted(15, 16, 7, 8, "sh", 4026531835), new InstanceExecuted(5, 6, "dd", null, 0) },
            sink.Instances);
        Assert.Empty(sink.MalformedLines);
    }

    [Fact]
    public void Process_maps_printed_again_before_a_stop_closed_them_count_once()
    {
        var parser = NewParser();
        var sink = new CollectingSink();

        sink.Feed(parser, $"""
            @P0[5, 6, 7, 8]: sh
            @X0[5, 6, 9]: sh

            @P0[5, 6, 7, 8]: sh
            @P1[15, 16, 7, 8]: sh

            @X0[5, 6, 9]: sh

            @zend: 3
            """);

        Assert.Equal(
            new InstanceEvent[] { new InstanceStarted(5, 6, 7, 8, "sh"), new InstanceStarted(15, 16, 7, 8, "sh"), new InstanceEnded(5, 6, 9, "sh") },
            sink.Instances);
    }
}
