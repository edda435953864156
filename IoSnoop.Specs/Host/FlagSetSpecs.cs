using IoSnoop.Host;

namespace IoSnoop.Specs.Host;

/// <summary>The one parser behind the daemon and its subcommands, over any options record.</summary>
public sealed class FlagSetSpecs
{
    private sealed record Sample
    {
        [Flag("o", "write the output to `FILE`")]
        public string? Output { get; init; }

        [Flag("mode", "the `mode`: fast or `slow`")]
        public string Mode { get; init; } = "fast";

        [Flag("v", "talk more")]
        public bool Verbose { get; init; }

        [Flag("count", "how many")]
        public int Count { get; init; } = 3;

        [Flag("ratio", "a `fraction`")]
        public double Ratio { get; init; } = 0.5;

        [Flag("tag", "a `tag`; repeatable or comma-separated", Separator = ',')]
        public IReadOnlyList<string> Tags { get; init; } = [];

        public string NotAFlag { get; init; } = "x";
    }

    private static readonly FlagSet<Sample> Flags = new(() => new Sample());

    [Fact]
    public void The_flags_are_the_marked_properties_in_their_order()
    {
        Assert.Equal(["o", "mode", "v", "count", "ratio", "tag"], Flags.Flags.Select(f => f.Name));
        Assert.Equal(["-o FILE", "--mode mode", "-v", "--count int", "--ratio fraction", "--tag tag"], Flags.Flags.Select(f => f.Synopsis));
    }

    [Fact]
    public void Help_shows_each_flag_with_its_value_name_usage_and_non_zero_default()
    {
        Assert.Equal("""
              -o FILE
                    write the output to FILE
              --mode mode
                    the mode: fast or slow (default "fast")
              -v
                    talk more
              --count int
                    how many (default 3)
              --ratio fraction
                    a fraction (default 0.5)
              --tag tag
                    a tag; repeatable or comma-separated

            """, Flags.Describe());
    }

    [Fact]
    public void The_defaults_shown_are_the_ones_parsing_starts_from()
    {
        var flags = new FlagSet<Sample>(() => new Sample { Mode = "slow", Verbose = true, Count = 0 });
        var help = flags.Describe();
        Assert.Contains("fast or slow (default \"slow\")", help);
        Assert.Contains("talk more (default true)", help);
        Assert.Contains("how many\n", help);
        Assert.Equal(new Sample { Mode = "slow", Verbose = true, Count = 0 }, flags.Parse([]).Options);
    }

    [Fact]
    public void The_markdown_table_keeps_the_back_quotes_and_shows_every_default()
    {
        Assert.Equal("""
            | flag | default | meaning |
            |---|---|---|
            | `-o FILE` | | write the output to `FILE` |
            | `--mode mode` | `fast` | the `mode`: fast or `slow` |
            | `-v` | false | talk more |
            | `--count int` | 3 | how many |
            | `--ratio fraction` | 0.5 | a `fraction` |
            | `--tag tag` | | a `tag`; repeatable or comma-separated |

            """, Flags.MarkdownTable());
        Assert.Contains("| `-v` | off | talk more |", Flags.MarkdownTable(f => f.IsBool, f => "off"));
    }

    [Fact]
    public void Values_of_every_kind_are_set_and_positional_arguments_kept_in_order()
    {
        var parsed = Flags.Parse(["first", "-o", "out.txt", "--mode=slow", "second", "-v", "-count", "0x10", "--ratio", "1e-3",
            "--tag", "a, b", "-tag=c", "--", "-v", "--x"]);
        Assert.Null(parsed.Error);
        Assert.Equal(new Sample { Output = "out.txt", Mode = "slow", Verbose = true, Count = 16, Ratio = 0.001, Tags = parsed.Options!.Tags },
            parsed.Options);
        Assert.Equal(["a", "b", "c"], parsed.Options.Tags);
        Assert.Equal(["first", "second", "-v", "--x"], parsed.Arguments);
    }

    [Fact]
    public void A_single_dash_is_an_argument() => Assert.Equal(["-"], Flags.Parse(["-"]).Arguments);

    [Fact]
    public void Parsing_does_not_change_the_defaults()
    {
        Flags.Parse(["--tag", "a", "--mode", "slow"]);
        Assert.Equal(new Sample(), Flags.Defaults);
        Assert.Empty(Flags.Parse([]).Options!.Tags);
    }

    [Theory]
    [InlineData("--count", "2147483648", "invalid value \"2147483648\" for flag --count: value out of range")]
    [InlineData("--count", "-2147483649", "invalid value \"-2147483649\" for flag --count: value out of range")]
    [InlineData("--ratio", "Infinity", "invalid value \"Infinity\" for flag --ratio: not a number")]
    [InlineData("-v=yes", null, "invalid boolean value \"yes\" for -v: use true or false")]
    [InlineData("--NotAFlag", "x", "flag provided but not defined: -NotAFlag")]
    [InlineData("--mode", null, "flag needs an argument: --mode")]
    public void Errors_name_the_flag(string flag, string? value, string error) =>
        Assert.Equal(error, Flags.Parse(value is null ? [flag] : [flag, value]).Error);

    [Fact]
    public void Help_is_asked_for_with_h_or_help_unless_the_record_defines_them()
    {
        Assert.True(Flags.Parse(["-o", "x", "-h", "--bad"]).HelpRequested);
        Assert.True(Flags.Parse(["--help"]).HelpRequested);
        Assert.False(Flags.Parse(["-o", "x"]).HelpRequested);
        Assert.False(Flags.Parse(["-x"]).HelpRequested);
    }

    [Fact]
    public void As_a_command_help_exits_0_and_errors_exit_2_with_the_usage()
    {
        var output = new StringWriter();
        Assert.Equal(0, Flags.ParseOrExit(["-h"], "USAGE\n", output, TextWriter.Null, out _, out _));
        Assert.Equal("USAGE\n", output.ToString());

        var errors = new StringWriter();
        Assert.Equal(2, Flags.ParseOrExit(["--count", "x"], "USAGE\n", TextWriter.Null, errors, out _, out _));
        Assert.Equal("invalid value \"x\" for flag --count: not an integer\nUSAGE\n", errors.ToString().ReplaceLineEndings("\n"));

        Assert.Null(Flags.ParseOrExit(["-v", "file"], "USAGE\n", TextWriter.Null, TextWriter.Null, out var options, out var arguments));
        Assert.True(options.Verbose);
        Assert.Equal(["file"], arguments);
    }
}
