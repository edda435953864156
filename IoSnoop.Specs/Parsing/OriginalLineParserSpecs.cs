using System.Text;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Specs.Support;
using R = IoSnoop.Actors.Parsing.OriginalLineParser.Reasons;

namespace IoSnoop.Specs.Parsing;

public sealed class OriginalLineParserSpecs
{
    private static CollectingSink Parse(params byte[][] lines)
    {
        var sink = new CollectingSink();
        var parser = new OriginalLineParser();
        foreach (var line in lines)
            parser.Parse(line, sink);
        return sink;
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_write_line_becomes_one_write_event()
    {
        var sink = Parse(B("clang|0|4096|/Users/dev/src/main.o"));
        var e = Assert.Single(sink.Events);
        Assert.Equal(new IoEvent("clang", 0, "/Users/dev/src/main.o", IoDirection.Write, 4096), e);
        Assert.Empty(sink.MalformedLines);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("16")]
    [InlineData("-1")]
    [InlineData("0001")]
    public void Any_non_zero_integer_flag_is_a_read(string flag)
    {
        var e = Assert.Single(Parse(B($"mds|{flag}|512|/a")).Events);
        Assert.Equal(IoDirection.Read, e.Direction);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("000")]
    [InlineData("-0")]
    public void A_zero_flag_is_a_write(string flag) =>
        Assert.Equal(IoDirection.Write, Assert.Single(Parse(B($"mds|{flag}|512|/a")).Events).Direction);

    [Fact]
    public void The_path_is_everything_after_the_third_bar()
    {
        var sink = Parse(B("zsh|0|4096|/Users/dev/tmp/a|b.txt"), B("x|1|512|/private/var/folders/zz/T/pipe||name"),
            B("y|1|1|/trailing|"));
        Assert.Equal(["/Users/dev/tmp/a|b.txt", "/private/var/folders/zz/T/pipe||name", "/trailing|"],
            sink.Events.Select(e => e.Path));
    }

    [Fact]
    public void Spaces_in_names_and_paths_are_kept()
    {
        var sink = Parse(B("Google Chrome He|1|8192| /Users/dev/Mobile Documents/Report (final) v2.pages  "));
        var e = Assert.Single(sink.Events);
        Assert.Equal("Google Chrome He", e.Process);
        Assert.Equal(" /Users/dev/Mobile Documents/Report (final) v2.pages  ", e.Path);
    }

    [Fact]
    public void A_leading_unknown_prefix_marker_is_stripped()
    {
        var e = Assert.Single(Parse(B("mds|1|4096|??/Caches/x.db")).Events);
        Assert.Equal("/Caches/x.db", e.Path);
    }

    [Fact]
    public void A_trailing_carriage_return_is_dropped()
    {
        var e = Assert.Single(Parse(B("git|0|4096|/repo/.git/index\r")).Events);
        Assert.Equal("/repo/.git/index", e.Path);
    }

    [Theory]
    [InlineData("", R.Empty)]
    [InlineData("\r", R.Empty)]
    [InlineData("   \t  ", R.TooFewFields)]
    [InlineData("clang", R.TooFewFields)]
    [InlineData("clang|0", R.TooFewFields)]
    [InlineData("clang|1|4096", R.TooFewFields)]
    [InlineData("|", R.TooFewFields)]
    [InlineData("|||", R.EmptyName)]
    [InlineData("clang||4096|/a", R.BadDirection)]
    [InlineData("clang|x|4096|/a", R.BadDirection)]
    [InlineData("clang|-|4096|/a", R.BadDirection)]
    [InlineData("clang|1|abc|/a", R.BadSize)]
    [InlineData("clang|0|-4096|/a", R.BadSize)]
    [InlineData("clang|1|4k|/a", R.BadSize)]
    [InlineData("clang|1|0x1000|/a", R.BadSize)]
    [InlineData("clang|0|4096.0|/a", R.BadSize)]
    [InlineData("clang|1||/a", R.BadSize)]
    [InlineData("clang|1| 4096|/a", R.BadSize)]
    [InlineData("clang|1|9223372036854775808|/a", R.SizeOutOfRange)]
    [InlineData("clang|1|18446744073709551615|/a", R.SizeOutOfRange)]
    [InlineData("clang|0|99999999999999999999|/a", R.SizeOutOfRange)]
    [InlineData("clang|1|9999999999999999999999999999999999999999|/a", R.SizeOutOfRange)]
    [InlineData("clang|1|4096|", R.EmptyPath)]
    [InlineData("clang|1|4096|??", R.EmptyPath)]
    public void A_bad_line_is_counted_as_malformed_with_its_reason(string line, string reason)
    {
        var sink = Parse(B(line));
        Assert.Empty(sink.Events);
        var (_, why) = Assert.Single(sink.MalformedLines);
        Assert.Equal(reason, why);
    }

    [Fact]
    public void The_largest_signed_size_still_parses()
    {
        var e = Assert.Single(Parse(B("big|1|9223372036854775807|/a")).Events);
        Assert.Equal(long.MaxValue, e.Bytes);
    }

    [Fact]
    public void Invalid_utf8_is_decoded_with_replacement_characters()
    {
        var line = Encoding.UTF8.GetBytes("Микропроцесс").AsSpan(0, 15).ToArray()
            .Concat("|1|4096|/Users/dev/caf"u8.ToArray()).Concat(new byte[] { 0xE9, 0xFF }).Concat("-bin"u8.ToArray()).ToArray();
        var e = Assert.Single(Parse(line).Events);
        Assert.Equal("Микропр\uFFFD", e.Process);
        Assert.Equal("/Users/dev/caf\uFFFD\uFFFD-bin", e.Path);
    }

    [Fact]
    public void A_64_KiB_path_parses_whole()
    {
        var path = "/" + new string('a', 65_536);
        var e = Assert.Single(Parse(B($"cp|0|1|{path}")).Events);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Equal_names_and_paths_are_the_same_string_object()
    {
        var sink = Parse(B("clang|0|1|/a/b"), B("clang|1|2|/a/b"));
        Assert.Same(sink.Events[0].Process, sink.Events[1].Process);
        Assert.Same(sink.Events[0].Path, sink.Events[1].Path);
    }
}
