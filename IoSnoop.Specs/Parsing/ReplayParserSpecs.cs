using System.Text;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Specs.Linux;

namespace IoSnoop.Specs.Parsing;

public sealed class ReplayParserSpecs
{
    private static string Fixture(params string[] parts) =>
        File.ReadAllText(Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]));

    [Theory]
    [InlineData("clang|0|4096|/a", true)]
    [InlineData("a b|-1|0|", true)]
    [InlineData("@W1[12240, tar, 39, 611866, 3208544839]: 2", false)]
    [InlineData("READY", false)]
    [InlineData("x|y|1|/a", false)]
    [InlineData("x|1|z|/a", false)]
    public void The_original_line_shape_is_recognised(string line, bool original) =>
        Assert.Equal(original, ReplayParser.LooksOriginal(Encoding.UTF8.GetBytes(line)));

    public static TheoryData<string, string> RecordedLogs => new()
    {
        { "original", "macos/dtrace-original.txt" },
        { "bpftrace", "bpftrace/short-run.txt" },
        { "dtrace", "macos/dtrace-io.txt" },
        { "fs_usage", "macos/diskio-wide.txt" },
    };

    private static ITraceParser LiveParser(string format) => format switch
    {
        "original" => new OriginalLineParser(),
        "bpftrace" => new BpftraceParser(loadMounts: () => MountTable.Empty),
        "dtrace" => new DtraceParser(),
        _ => new FsUsageParser(),
    };

    [Theory]
    [MemberData(nameof(RecordedLogs))]
    public void A_recorded_log_of_any_source_replays_to_the_figures_of_its_live_parse(string format, string file)
    {
        var text = Fixture(file.Split('/'));
        var live = new CollectingSink();
        live.Feed(LiveParser(format), text);
        var replay = RecordedFormats.CreateReplayParser();
        var replayed = new CollectingSink();
        replayed.Feed(replay, text);

        Assert.NotEmpty(live.Events);
        Assert.Equal(LiveParser(format).GetType(), replay.Chosen!.GetType());
        Assert.Equal(live.Events.Select(e => (e.Process, e.Path, e.Direction, e.Bytes, e.Events)),
            replayed.Events.Select(e => (e.Process, e.Path, e.Direction, e.Bytes, e.Events)));
        Assert.Equal(live.MalformedLines.Count, replayed.MalformedLines.Count);
    }

    [Fact]
    public void The_first_line_decides_so_a_live_feed_is_read_at_once()
    {
        var parser = RecordedFormats.CreateReplayParser();
        var sink = new CollectingSink();
        parser.Parse("clang|0|10|/a"u8, sink);
        Assert.Single(sink.Events);
        Assert.IsType<OriginalLineParser>(parser.Chosen);
    }

    [Fact]
    public void Garbage_before_the_real_lines_does_not_decide_the_format()
    {
        var sink = new CollectingSink();
        var lines = new[] { "garbage", "", "more garbage |" }.Concat(Enumerable.Range(0, 100).Select(i => $"{i} W 4096 2 cc ??/f{i}"));
        sink.Feed(RecordedFormats.CreateReplayParser(), string.Join('\n', lines));
        Assert.Equal(100, sink.Events.Count);
        Assert.Equal(3, sink.MalformedLines.Count);
    }
}
