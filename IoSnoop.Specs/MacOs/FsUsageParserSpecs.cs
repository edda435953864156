using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using Xunit;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.MacOs;

public sealed class FsUsageParserSpecs
{
    private static FsUsageParser.Outcome OutcomeOf(ReadOnlySpan<byte> line) =>
        FsUsageParser.Read(line, new IoSnoop.Actors.Interning.NameTable(), out _, out _);

    private const string Recording = "diskio-wide.txt";

    private const string TelegramStats =
        "/Users/ivanilicev/Library/Group Containers/6N38VWS5BX.ru.keepcoder.Telegram/appstore/account-5707104934998088445/network-stats";

    private sealed record Expected(string Process, IoDirection Direction, long Bytes, string Path);

    /// <summary>What each disk I/O line of the recording is, by line number.</summary>
    private static readonly Dictionary<int, Expected> RecordedEvents = new()
    {
        [1] = new("routined", IoDirection.Read, 0x40000, "/private/var/vm/swapfile1"),
        [3] = new("WindowServer", IoDirection.Read, 0x40000, "/private/var/vm/swapfile1"),
        [4] = new("WindowServer", IoDirection.Read, 0x40000, "/private/var/vm/swapfile1"),
        [8] = new("firefox", IoDirection.Read, 0x1000, "/dev/disk1"),
        [9] = new("firefox", IoDirection.Read, 0x1000, "/dev/disk1"),
        [10] = new("firefox", IoDirection.Read, 0x1000, "/dev/disk1"),
        [11] = new("Telegram", IoDirection.Read, 0x1000, TelegramStats),
        [12] = new("Telegram", IoDirection.Write, 0x1000, TelegramStats),
        [13] = new("bash", IoDirection.Read, 0x4000, "/usr/lib/dyld"),
        [14] = new("bash", IoDirection.Read, 0x4000,
            "/System/Volumes/Preboot/Cryptexes/OS/System/Library/dyld/dyld_shared_cache_arm64e"),
        [15] = new("ps", IoDirection.Read, 0x7000, "/bin/ps"),
        [16] = new("mdworker_shared", IoDirection.Read, 0x3000,
            "/Users/ivanilicev/Library/Application Support/Cursor/Backups/1fd9fe421b5e89f88bb0c9e07bee3bfb/file/-7490b1f7"),
        [17] = new("searchpartyd", IoDirection.Read, 0x4000,
            "/private/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/0/com.apple.icloud.searchpartyd/Observations.db-wal"),
        [19] = new("launchd", IoDirection.Read, 0x4000, "/private/var/log/com.apple.xpc.launchd/launchd.log"),
        [20] = new("Telegram", IoDirection.Read, 0x4000,
            "/Users/ivanilicev/Library/Group Containers/6N38VWS5BX.ru.keepcoder.Telegram/appstore/logs/critlog-2025-10-25_14-22-27.034.txt"),
        [21] = new("Telegram", IoDirection.Write, 0x1000, TelegramStats),
        [23] = new("locationd", IoDirection.Read, 0x4000, FsUsageParser.UnknownPath),
        [24] = new("Telegram", IoDirection.Write, 0x1000,
            "Library/Containers/ru.keepcoder.Telegram/Data/tmp/TemporaryItems/NSIRD_Telegram_XPloIu/dots_voice_dots#FFFFFF:0.85-v68-lzfse-bs5760-lt259200-map"),
        [25] = new("mds_stores", IoDirection.Read, 0x1000,
            "/.Spotlight-V100/Store-V2/6D68E914-C636-4716-8399-BF836DEEE211/journalAttr.1453"),
        [26] = new("bash", IoDirection.Read, 0x4000, "/bin/bash"),
    };

    /// <summary>The lines of the recording that move no bytes of a file, by line number.</summary>
    private static readonly Dictionary<int, FsUsageParser.Outcome> RecordedIgnored = new()
    {
        [2] = FsUsageParser.Outcome.NullDevice,
        [5] = FsUsageParser.Outcome.IoError,
        [6] = FsUsageParser.Outcome.IoError,
        [7] = FsUsageParser.Outcome.NullDevice,
        [18] = FsUsageParser.Outcome.NullDevice,
        [22] = FsUsageParser.Outcome.NullDevice,
    };

    public static TheoryData<int> EventLines => [.. RecordedEvents.Keys];

    public static TheoryData<int> IgnoredLines => [.. RecordedIgnored.Keys];

    [Theory]
    [MemberData(nameof(EventLines))]
    public void Each_disk_io_line_of_the_recording_becomes_its_event(int lineNumber)
    {
        var expected = RecordedEvents[lineNumber];
        var parser = new FsUsageParser();

        var sink = MacFixtures.ParseAll(parser, [MacFixtures.Line(Recording, lineNumber)]);

        Assert.Empty(sink.Rejected);
        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal(new IoEvent(expected.Process, 0, expected.Path, expected.Direction, expected.Bytes), ioEvent);
    }

    [Theory]
    [MemberData(nameof(IgnoredLines))]
    public void Lines_that_move_no_bytes_of_a_file_are_ignored_and_counted(int lineNumber)
    {
        var parser = new FsUsageParser();

        var sink = MacFixtures.ParseAll(parser, [MacFixtures.Line(Recording, lineNumber)]);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejected);
        Assert.Equal(RecordedIgnored[lineNumber], OutcomeOf(MacFixtures.Line(Recording, lineNumber)));
    }

    [Fact]
    public void The_whole_recording_is_20_events_2_io_errors_and_4_null_device_lines()
    {
        var lines = MacFixtures.Lines(Recording);
        Assert.Equal(26, lines.Count);
        Assert.Equal(Enumerable.Range(1, 26), RecordedEvents.Keys.Concat(RecordedIgnored.Keys).Order());
        var parser = new FsUsageParser();

        var sink = MacFixtures.ParseAll(parser, lines);

        Assert.Empty(sink.Rejected);
        Assert.Equal(20, sink.Events.Count);
        Assert.Equal(RecordedEvents.Keys.Order().Select(n => RecordedEvents[n].Path), sink.Events.Select(e => e.Path));
        Assert.Equal(962_560, sink.Reads);
        Assert.Equal(12_288, sink.Writes);
        Assert.Equal(2, lines.Count(l => OutcomeOf(l) == FsUsageParser.Outcome.IoError));
        Assert.Equal(4, lines.Count(l => OutcomeOf(l) == FsUsageParser.Outcome.NullDevice));
        Assert.All(sink.Events, e => Assert.Equal((0, 1L), (e.Pid, e.Events)));
    }

    [Fact]
    public void The_line_builder_lays_out_lines_exactly_as_fs_usage_does()
    {
        Assert.Equal(
            MacFixtures.Line(Recording, 1),
            FsUsageLine.Disk("PgIn[ST2]", 0x40000, "disk1s4", "/private/var/vm/swapfile1", "routined",
                thread: 1954453, time: "20:47:44.985060", block: 0x038d04ff, elapsed: "0.000783"));
        Assert.Equal(
            MacFixtures.Line(Recording, 5),
            FsUsageLine.Error("RdData[S]", 16, "/dev/sophos1", "SophosScanDLegac",
                thread: 3530, time: "20:47:45.256908", block: 1, elapsed: "5.001018"));
        Assert.Equal(
            MacFixtures.Line(Recording, 23),
            FsUsageLine.Disk("RdData[S]", 0x4000, "disk3s5", "", "locationd",
                thread: 12904885, time: "11:45:11.292870", block: 0x00dfcafc, elapsed: "0.000611"));
        // Any front long enough gives the same cut line: fs_usage keeps only the tail.
        Assert.Equal(
            MacFixtures.Line(Recording, 24),
            FsUsageLine.Disk("WrData[A]", 0x1000, "disk3s5",
                "/Users/someone/Library/Containers/ru.keepcoder.Telegram/Data/tmp/TemporaryItems/NSIRD_Telegram_XPloIu/dots_voice_dots#FFFFFF:0.85-v68-lzfse-bs5760-lt259200-map",
                "Telegram", thread: 12899463, time: "11:45:11.321281", block: 0x00408d8c, elapsed: "0.000073"));
    }

    [Theory]
    [InlineData("Google Chrome He")]
    [InlineData("com.apple.Safari")]
    [InlineData("0123456789abcdef")]
    [InlineData("python3.11")]
    [InlineData("trailing dot.")]
    [InlineData("a b.c d")]
    [InlineData("Zoë's app")]
    public void A_process_name_is_everything_before_the_last_dot_even_with_dots_and_spaces(string process)
    {
        var sink = Parse(FsUsageLine.Disk("RdData[S]", 0x1000, "disk3s5", "/Users/x/a.txt", process, thread: 987654));

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal(process, ioEvent.Process);
        Assert.Equal(0, ioEvent.Pid);
    }

    [Theory]
    [InlineData("RdData[S]", IoDirection.Read)]
    [InlineData("RdMeta[ANT1UP]", IoDirection.Read)]
    [InlineData("PgIn[AT3]", IoDirection.Read)]
    [InlineData("WrData[A]", IoDirection.Write)]
    [InlineData("WrMeta[SN]", IoDirection.Write)]
    [InlineData("PgOut[AT2P]", IoDirection.Write)]
    public void Rd_and_PgIn_are_reads_Wr_and_PgOut_are_writes(string operation, IoDirection direction)
    {
        var sink = Parse(FsUsageLine.Disk(operation, 0x2000, "disk3s5", "/private/var/vm/swapfile0", "kernel_task", thread: 101));

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal((direction, 0x2000L, "kernel_task"), (ioEvent.Direction, ioEvent.Bytes, ioEvent.Process));
    }

    [Theory]
    [InlineData("RdChunkCS", 4, IoDirection.Read)]
    [InlineData("WrChunkCS", 4, IoDirection.Write)]
    [InlineData("RdMetaCS", 2, IoDirection.Read)]
    [InlineData("WrMetaCS", 2, IoDirection.Write)]
    public void CoreStorage_chunk_and_metadata_operations_count_by_their_Rd_or_Wr(string operation, int indent, IoDirection direction)
    {
        var sink = Parse(FsUsageLine.CoreStorage(operation, 0x8000, "disk0s2", "/Users/x/Movies/clip.mov", "Final Cut Pro", indent: indent));

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal(new IoEvent("Final Cut Pro", 0, "/Users/x/Movies/clip.mov", direction, 0x8000), ioEvent);
    }

    [Theory]
    [InlineData("RdBgTfCS", IoDirection.Read)]
    [InlineData("WrBgTfCS", IoDirection.Write)]
    [InlineData("RdBgMigrCS", IoDirection.Read)]
    [InlineData("WrBgMigrCS", IoDirection.Write)]
    public void CoreStorage_background_transfers_on_the_CS_device_count_too(string operation, IoDirection direction)
    {
        var sink = Parse(FsUsageLine.Disk(operation, 0x20000, "CS", "", "kernel_task"));

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal(new IoEvent("kernel_task", 0, FsUsageParser.UnknownPath, direction, 0x20000), ioEvent);
    }

    [Theory]
    [InlineData(0x100000L)]
    [InlineData(0x1L)]
    [InlineData(0x0L)]
    [InlineData(0x7fffffffffffffffL)]
    public void The_byte_count_is_the_hex_number_after_B(long bytes)
    {
        var sink = Parse(FsUsageLine.Disk("WrData[S]", bytes, "disk3s5", "/Users/x/big.bin", "dd"));

        Assert.Equal(bytes, Assert.Single(sink.Events).Bytes);
    }

    [Fact]
    public void A_byte_count_beyond_63_bits_is_malformed()
    {
        var line = Encoding.UTF8.GetBytes(
            Encoding.UTF8.GetString(FsUsageLine.Disk("WrData[S]", 0x1000, "disk3s5", "/x", "dd")).Replace("B=0x1000  ", "B=0x8000000000000000"));

        var sink = Parse(line);

        Assert.Equal(FsUsageParser.Reasons.BytesOutOfRange, Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void A_blank_path_still_counts_its_bytes_under_a_placeholder_that_marks_it_partial()
    {
        var sink = Parse(FsUsageLine.Disk("WrMeta[S]", 0x1000, "disk3s5", "", "kernel_task"));

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal(("<unknown>", 0x1000L), (ioEvent.Path, ioEvent.Bytes));
        Assert.False(ioEvent.Path.StartsWith('/'));
    }

    [Fact]
    public void A_path_cut_from_the_left_is_kept_as_printed_and_does_not_start_with_a_slash()
    {
        var full = "/Users/someone/Projects/" + string.Join('/', Enumerable.Range(1, 30).Select(i => $"dir{i:00}")) + "/file.txt";

        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[A]", 0x1000, "disk3s5", full, "Xcode")).Events);

        Assert.EndsWith(ioEvent.Path, full, StringComparison.Ordinal);
        Assert.NotEqual(full, ioEvent.Path);
        Assert.False(ioEvent.Path.StartsWith('/'));
        Assert.True(ioEvent.Path.Length > 100);
    }

    [Fact]
    public void A_cut_path_is_not_normalised_because_its_front_is_unknown()
    {
        var full = "/System/Volumes/Data/" + new string('x', 140) + "/Volumes/Data/file";

        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[A]", 0x1000, "disk3s5", full, "Xcode")).Events);

        Assert.EndsWith("/Volumes/Data/file", ioEvent.Path, StringComparison.Ordinal);
        Assert.EndsWith(ioEvent.Path, full, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_cut_just_before_a_slash_loses_the_slash_so_it_still_reads_as_partial()
    {
        // "RdData[A]" on disk3s5 leaves a 146-byte field: " " + the last 144 bytes of the path + " ".
        var tail = "Documents/" + new string('y', 129) + ".txt";
        Assert.Equal(143, tail.Length);
        var full = "/Users/someone/" + tail;

        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[A]", 0x1000, "disk3s5", full, "Pages")).Events);

        Assert.Equal(tail, ioEvent.Path);
    }

    [Fact]
    public void A_path_that_fills_its_field_exactly_cannot_be_told_from_a_cut_one_and_reads_as_partial()
    {
        var path = "/Users/someone/" + new string('w', 129);
        Assert.Equal(144, path.Length);

        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[A]", 0x1000, "disk3s5", path, "Pages")).Events);

        Assert.Equal(path[1..], ioEvent.Path);
    }

    [Fact]
    public void A_cut_path_still_loses_the_resource_fork_suffix_its_end_is_intact()
    {
        var full = "/Applications/" + new string('v', 200) + "/Contents/MacOS/Tool/..namedfork/rsrc";

        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[A]", 0x4000, "disk3s1s1", full, "Tool")).Events);

        Assert.EndsWith("vvvv/Contents/MacOS/Tool", ioEvent.Path, StringComparison.Ordinal);
        Assert.False(ioEvent.Path.StartsWith('/'));
    }

    [Theory]
    [InlineData("/System/Volumes/Data/Users/x/a.txt", "/Users/x/a.txt")]
    [InlineData("/System/Volumes/Data", "/")]
    [InlineData("/System/Volumes/DataVault/a", "/System/Volumes/DataVault/a")]
    [InlineData("/System/Volumes/Preboot/a", "/System/Volumes/Preboot/a")]
    [InlineData("/bin/zsh/..namedfork/rsrc", "/bin/zsh")]
    [InlineData("/System/Volumes/Data/Applications/App.app/Contents/MacOS/App/..namedfork/rsrc", "/Applications/App.app/Contents/MacOS/App")]
    [InlineData("/Users/x/My  Folder/a b.txt", "/Users/x/My  Folder/a b.txt")]
    [InlineData("/Users/zoë/Café.txt", "/Users/zoë/Café.txt")]
    public void Paths_lose_the_data_volume_prefix_and_the_resource_fork_suffix(string printed, string expected)
    {
        var ioEvent = Assert.Single(Parse(FsUsageLine.Disk("RdData[S]", 0x1000, "disk3s5", printed, "mds")).Events);

        Assert.Equal(expected, ioEvent.Path);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(-1)]
    public void A_failed_io_counts_no_bytes_and_is_not_malformed(int errno)
    {
        var parser = new FsUsageParser();
        var sink = new RecordingSink();

        byte[][] lines = [FsUsageLine.Error("WrData[S]", errno, "/Users/x/a.txt", "backupd"),
            FsUsageLine.Error("RdChunkCS", errno, "", "kernel_task", indent: 4)];
        foreach (var line in lines)
            parser.Parse(line, sink);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejected);
        Assert.All(lines, l => Assert.Equal(FsUsageParser.Outcome.IoError, OutcomeOf(l)));
    }

    [Fact]
    public void Throttle_notices_are_ignored_and_counted()
    {
        var parser = new FsUsageParser();
        var sink = new RecordingSink();

        var line = FsUsageLine.NoArguments("THROTTLED", "/Users/x/a.txt", "mds_stores");
        parser.Parse(line, sink);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejected);
        Assert.Equal(FsUsageParser.Outcome.Throttled, OutcomeOf(line));
    }

    [Fact]
    public void The_null_device_is_not_disk_io()
    {
        var parser = new FsUsageParser();

        var line = FsUsageLine.Disk("WrData[S]", 0x20, "NOTFOUND", "/dev/null", "zsh");
        var sink = MacFixtures.ParseAll(parser, [line]);

        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejected);
        Assert.Equal(FsUsageParser.Outcome.NullDevice, OutcomeOf(line));
    }

    [Fact]
    public void Narrow_lines_are_rejected_with_a_reason_that_says_fs_usage_needs_w()
    {
        var lines = MacFixtures.Lines("diskio-narrow.txt");

        var sink = MacFixtures.ParseAll(new FsUsageParser(), lines);

        Assert.Empty(sink.Events);
        Assert.Equal(lines.Count, sink.Rejected.Count);
        Assert.All(sink.Rejected, r => Assert.Equal(FsUsageParser.Reasons.NarrowMode, r.Reason));
        Assert.Contains("-w", FsUsageParser.Reasons.NarrowMode, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disk_line_with_microseconds_but_no_block_and_byte_fields_is_narrow_too()
    {
        var sink = Parse("12:34:56.123456    RdData[S]          /Users/x/a.txt                0.000100 W mds.1"u8.ToArray());

        Assert.Equal(FsUsageParser.Reasons.NarrowMode, Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void Syscall_lines_of_the_filesys_view_are_rejected_as_not_disk_io()
    {
        var lines = MacFixtures.Lines("filesys-wide.txt");

        var sink = MacFixtures.ParseAll(new FsUsageParser(), lines);

        Assert.Empty(sink.Events);
        Assert.Equal(3, sink.Rejected.Count);
        Assert.All(sink.Rejected, r => Assert.Equal(FsUsageParser.Reasons.NotDiskIo, r.Reason));
        Assert.Contains("-f diskio", FsUsageParser.Reasons.NotDiskIo, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CS")]
    [InlineData("[S]")]
    public void A_disk_io_that_is_neither_read_nor_write_is_malformed(string operation)
    {
        var sink = Parse(FsUsageLine.Disk(operation, 0x1000, "disk0s2", "/x", "kernel_task"));

        Assert.Equal(FsUsageParser.Reasons.UnknownOperation, Assert.Single(sink.Rejected).Reason);
    }

    [Theory]
    [InlineData("", FsUsageParser.Reasons.Empty)]
    [InlineData("\r", FsUsageParser.Reasons.Empty)]
    [InlineData("fs_usage: something else", FsUsageParser.Reasons.NoTimestamp)]
    [InlineData("12:34:56.12", FsUsageParser.Reasons.NoTimestamp)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x00001000  B=0x1000   /dev/disk3s5  /x", FsUsageParser.Reasons.NoTail)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x00001000  B=0xzz     /dev/disk3s5  /x", FsUsageParser.Reasons.BadBytes)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x00001000  B=0x1000   disk3s5  /x", FsUsageParser.Reasons.NoDevice)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x00001000  /x", FsUsageParser.Reasons.NoBytes)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x  B=0x1000 /dev/disk3s5 /x", FsUsageParser.Reasons.BadBlock)]
    [InlineData("12:34:56.123456    RdData[S]       D=0x00001000  [ xx]  /x", FsUsageParser.Reasons.BadErrno)]
    public void Lines_fs_usage_does_not_print_are_malformed_with_a_reason(string line, string reason)
    {
        var sink = Parse(Encoding.UTF8.GetBytes(line));

        Assert.Empty(sink.Events);
        Assert.Equal(reason, Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void A_line_without_a_process_name_is_malformed()
    {
        var sink = Parse(FsUsageLine.Disk("RdData[S]", 0x1000, "disk3s5", "/x", ""));

        Assert.Equal(FsUsageParser.Reasons.EmptyName, Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void A_trailing_carriage_return_is_tolerated()
    {
        var sink = Parse([.. MacFixtures.Line(Recording, 26), (byte)'\r']);

        Assert.Equal(new IoEvent("bash", 0, "/bin/bash", IoDirection.Read, 0x4000), Assert.Single(sink.Events));
    }

    [Theory]
    [InlineData(200)]
    [InlineData(300)]
    public void A_layout_with_another_width_is_still_read_from_the_right(int columns)
    {
        var sink = Parse(FsUsageLine.Disk("RdData[S]", 0x1000, "disk3s5", "/Users/x/a 1.000000 W b.txt", "mds", columns: columns));

        Assert.Equal(new IoEvent("mds", 0, "/Users/x/a 1.000000 W b.txt", IoDirection.Read, 0x1000), Assert.Single(sink.Events));
    }

    [Fact]
    public void An_elapsed_time_of_a_thousand_seconds_or_more_still_parses()
    {
        var sink = Parse(FsUsageLine.Disk("RdData[S]", 0x1000, "disk3s5", "/x", "mds", elapsed: "1234.000001"));

        Assert.Equal("/x", Assert.Single(sink.Events).Path);
    }

    [Fact]
    public void Equal_names_and_paths_share_one_string()
    {
        var sink = MacFixtures.ParseAll(new FsUsageParser(), MacFixtures.Lines(Recording));

        Assert.Same(sink.Events[0].Path, sink.Events[1].Path);
        Assert.Same(sink.Events[1].Process, sink.Events[2].Process);
    }

    private static RecordingSink Parse(byte[] line) => MacFixtures.ParseAll(new FsUsageParser(), [line]);
}
