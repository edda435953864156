using System.Text;
using IoSnoop.Actors.Parsing;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Parsing;

public sealed class ReplayParserSpecs
{
    private sealed class CountingParser : ITraceParser
    {
        public int Lines;
        public void Parse(ReadOnlySpan<byte> line, ITraceSink sink) => Lines++;
    }

    [Theory]
    [InlineData("clang|0|4096|/a", true)]
    [InlineData("a b|-1|0|", true)]
    [InlineData("@W1[12240, tar, 39, 611866, 3208544839]: 2", false)]
    [InlineData("READY", false)]
    [InlineData("x|y|1|/a", false)]
    [InlineData("x|1|z|/a", false)]
    public void The_original_line_shape_is_recognised(string line, bool original) =>
        Assert.Equal(original, ReplayParser.LooksOriginal(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void A_log_of_the_original_is_read_as_the_original_format_whatever_the_source()
    {
        var other = new CountingParser();
        var parser = new ReplayParser(() => other);
        var sink = new CollectingSink();
        parser.Parse(""u8, sink);
        parser.Parse("clang|0|10|/a"u8, sink);
        parser.Parse("clang|1|5|/a"u8, sink);
        Assert.Equal(2, sink.Events.Count);
        Assert.Equal(0, other.Lines);
    }

    [Fact]
    public void A_log_of_another_source_goes_to_that_source_parser()
    {
        var other = new CountingParser();
        var parser = new ReplayParser(() => other);
        var sink = new CollectingSink();
        parser.Parse("READY"u8, sink);
        parser.Parse("clang|0|10|/a"u8, sink);
        Assert.Equal(2, other.Lines);
        Assert.Empty(sink.Events);
    }
}
