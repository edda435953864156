using System.Text;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Specs.Pipeline;

public sealed class LineFramerSpecs
{
    private static (List<string> Lines, List<string> Overlong) Frame(int max, params string[] chunks)
    {
        var framer = new LineFramer(max);
        var lines = new List<string>();
        var overlong = new List<string>();
        foreach (var chunk in chunks)
            framer.Feed(Encoding.UTF8.GetBytes(chunk), l => lines.Add(Encoding.UTF8.GetString(l)),
                s => overlong.Add(Encoding.UTF8.GetString(s)));
        framer.Finish(l => lines.Add(Encoding.UTF8.GetString(l)));
        return (lines, overlong);
    }

    [Fact]
    public void Lines_split_across_chunks_are_joined()
    {
        var (lines, _) = Frame(100, "a|0|1|/x\nb|1|2", "|/y\n", "c|0|3|/z\n");
        Assert.Equal(["a|0|1|/x", "b|1|2|/y", "c|0|3|/z"], lines);
    }

    [Fact]
    public void A_last_line_without_newline_is_still_a_line()
    {
        var (lines, _) = Frame(100, "a\nb");
        Assert.Equal(["a", "b"], lines);
    }

    [Fact]
    public void Empty_lines_are_lines()
    {
        var (lines, _) = Frame(100, "\n\na\n");
        Assert.Equal(["", "", "a"], lines);
    }

    [Fact]
    public void A_line_over_the_limit_is_skipped_and_reported_once_even_across_chunks()
    {
        var huge = new string('x', 300);
        var (lines, overlong) = Frame(100, "ok1\n" + huge[..150], huge[150..], huge + "\nok2\n");
        Assert.Equal(["ok1", "ok2"], lines);
        var start = Assert.Single(overlong);
        Assert.StartsWith("xxxx", start);
    }

    [Fact]
    public void A_line_over_the_limit_within_one_chunk_is_skipped()
    {
        var (lines, overlong) = Frame(10, "short\n" + new string('y', 11) + "\nend\n");
        Assert.Equal(["short", "end"], lines);
        Assert.Single(overlong);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_is_kept()
    {
        var (lines, overlong) = Frame(10, "0123456789\n01234", "56789\n");
        Assert.Equal(["0123456789", "0123456789"], lines);
        Assert.Empty(overlong);
    }

    [Fact]
    public void An_endless_line_without_newline_holds_no_more_than_the_limit()
    {
        var framer = new LineFramer(1024);
        var overlong = 0;
        var chunk = Encoding.ASCII.GetBytes(new string('z', 64 * 1024));
        for (var i = 0; i < 160; i++) // 10 MiB without a newline
            framer.Feed(chunk, _ => Assert.Fail("no line expected"), _ => overlong++);
        var lines = new List<string>();
        framer.Feed("\nafter\n"u8, l => lines.Add(Encoding.UTF8.GetString(l)), _ => overlong++);
        Assert.Equal(1, overlong);
        Assert.Equal(["after"], lines);
    }
}
