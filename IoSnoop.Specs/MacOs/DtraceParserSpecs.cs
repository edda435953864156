using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using Xunit;

namespace IoSnoop.Specs.MacOs;

public sealed class DtraceParserSpecs
{
    [Fact]
    public void Every_line_of_the_program_output_becomes_its_event_even_with_spaces_and_bars_in_names_and_paths()
    {
        var sink = MacFixtures.ParseAll(new DtraceParser(), MacFixtures.Lines("dtrace-io.txt"));

        Assert.Empty(sink.Rejected);
        Assert.Equal(
            [
                new IoEvent("kernel_task", 0, "/vm/swapfile0", IoDirection.Write, 1_048_576),
                new IoEvent("Google Chrome He", 412, "/Default/History", IoDirection.Read, 16_384),
                new IoEvent("mds_stores", 98231, "/Store-V2/journalAttr.1453", IoDirection.Read, 4096),
                new IoEvent("a|b 1 R 2", 777, "/tmp/odd name|with|bars.txt", IoDirection.Write, 8192),
                new IoEvent("backupd", 1203, "/Backups.backupdb/disk image.sparsebundle", IoDirection.Write, 65_536),
                new IoEvent("launchd", 55, "<none>", IoDirection.Read, 512),
                new IoEvent("com.apple.Safa", 3100, "/Safari/History.db-wal", IoDirection.Write, 0),
            ],
            sink.Events);
    }

    [Fact]
    public void A_raw_log_of_the_original_replays()
    {
        var sink = MacFixtures.ParseAll(new DtraceParser(), MacFixtures.Lines("dtrace-original.txt"));

        Assert.Empty(sink.Rejected);
        Assert.Equal(
            [
                new IoEvent("kernel_task", 0, "/vm/swapfile0", IoDirection.Write, 1_048_576),
                new IoEvent("Google Chrome He", 0, "/Default/History", IoDirection.Read, 16_384),
                new IoEvent("mds_stores", 0, "/Store-V2/journalAttr.1453", IoDirection.Read, 4096),
                new IoEvent("backupd", 0, "/Backups.backupdb/a|b.txt", IoDirection.Write, 65_536),
                new IoEvent("Finder", 0, "/Desktop/.DS_Store", IoDirection.Read, 4096),
            ],
            sink.Events);
    }

    [Fact]
    public void Both_formats_mixed_in_one_log_replay()
    {
        var lines = MacFixtures.Lines("dtrace-original.txt").Concat(MacFixtures.Lines("dtrace-io.txt"));

        var sink = MacFixtures.ParseAll(new DtraceParser(), lines);

        Assert.Empty(sink.Rejected);
        Assert.Equal(12, sink.Events.Count);
        Assert.Equal(16_384 + 4096 + 4096 + 16_384 + 4096 + 512, sink.Reads);
        Assert.Equal(1_048_576 + 65_536 + 1_048_576 + 8192 + 65_536, sink.Writes);
    }

    [Theory]
    [InlineData("1 R 10 3 a b /x", "a b", "/x")]
    [InlineData("1 R 10 5 a b c /x y", "a b c", "/x y")]
    [InlineData("1 R 10 4 1 R  ??/p", "1 R ", "/p")]
    [InlineData("1 W 10 2 || |", "||", "|")]
    [InlineData("1 W 10 16 0123456789abcdef /p", "0123456789abcdef", "/p")]
    [InlineData("1 W 10 7 Zoë  x ??/Café/ü.txt", "Zoë  x", "/Café/ü.txt")]
    public void The_name_length_tells_where_a_name_with_separators_ends(string line, string process, string path)
    {
        var sink = Parse(line);

        var ioEvent = Assert.Single(sink.Events);
        Assert.Equal((process, path), (ioEvent.Process, ioEvent.Path));
    }

    [Fact]
    public void A_process_named_like_the_start_of_our_format_still_parses_as_an_original_line()
    {
        var sink = Parse("7 R x|1|4096|??/p");

        Assert.Equal(new IoEvent("7 R x", 0, "/p", IoDirection.Read, 4096), Assert.Single(sink.Events));
    }

    [Fact]
    public void The_ready_line_of_the_BEGIN_clause_reports_readiness_and_no_event()
    {
        var sink = Parse(DtraceParser.ReadyLine);

        Assert.Equal(1, sink.ReadyCount);
        Assert.Empty(sink.Events);
        Assert.Empty(sink.Rejected);
        Assert.Equal(Encoding.UTF8.GetBytes(DtraceParser.ReadyLine), DtraceParser.ReadyLineUtf8.ToArray());
    }

    [Theory]
    [InlineData("", DtraceParser.Reasons.Empty)]
    [InlineData("\r", DtraceParser.Reasons.Empty)]
    [InlineData("12 R 4096 99 short /x", DtraceParser.Reasons.NameCut)]
    [InlineData("12 R 4096 5 abcdefg", DtraceParser.Reasons.NoPath)]
    [InlineData("12 R 4096 0 /p", DtraceParser.Reasons.BadNameLength)]
    [InlineData("12 R 4096 x abc /p", DtraceParser.Reasons.BadNameLength)]
    [InlineData("12 R 4096 3 abc ", DtraceParser.Reasons.EmptyPath)]
    [InlineData("12 R 4096 3 abc ??", DtraceParser.Reasons.EmptyPath)]
    [InlineData("12 R 40x6 3 abc /p", DtraceParser.Reasons.BadSize)]
    [InlineData("12 R 99999999999999999999 3 abc /p", DtraceParser.Reasons.SizeOutOfRange)]
    [InlineData("99999999999 R 1 3 abc /p", DtraceParser.Reasons.BadPid)]
    [InlineData("not a trace line", OriginalLineParser.Reasons.TooFewFields)]
    [InlineData("name|x|1|/p", OriginalLineParser.Reasons.BadDirection)]
    public void Lines_in_neither_format_are_malformed_with_the_reason_of_the_format_they_resemble(string line, string reason)
    {
        var sink = Parse(line);

        Assert.Empty(sink.Events);
        Assert.Equal(reason, Assert.Single(sink.Rejected).Reason);
    }

    [Fact]
    public void A_trailing_carriage_return_is_tolerated()
    {
        var sink = Parse("5 W 512 3 cat ??/tmp/a\r");

        Assert.Equal(new IoEvent("cat", 5, "/tmp/a", IoDirection.Write, 512), Assert.Single(sink.Events));
    }

    private static RecordingSink Parse(string line) => MacFixtures.ParseAll(new DtraceParser(), [Encoding.UTF8.GetBytes(line)]);
}
