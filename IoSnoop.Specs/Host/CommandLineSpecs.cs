using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

/// <summary>The daemon's command line: Go's <c>flag</c> syntax, its errors and exit codes.</summary>
public sealed class CommandLineSpecs
{
    private static DaemonOptions Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out var options, out var error), error);
        return options;
    }

    private static string Error(params string[] args)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        return error;
    }

    [Fact]
    public void The_defaults_are_the_original_ones()
    {
        var o = Parse();
        Assert.Equal("127.0.0.1:8092", o.Listen);
        Assert.Equal("info", o.LogLevel);
        Assert.Null(o.RawLog);
        Assert.Null(o.StatsFile);
        Assert.False(o.ReplayRawLog || o.DedupLaunchd || o.NoTracer);
        Assert.Equal(33_554_432, o.MergeThreshold);
        Assert.Equal(3600, o.MergeIdleSeconds);
        Assert.Equal("auto", o.Source);
        // The command line's defaults are the record's, but for the database (memory only in code).
        Assert.Equal(new DaemonOptions { Database = o.Database }, o);
    }

    [Theory]
    [InlineData("-a", "127.0.0.1:9000")]
    [InlineData("--a", "127.0.0.1:9000")]
    [InlineData("-a=127.0.0.1:9000")]
    [InlineData("--a=127.0.0.1:9000")]
    public void A_value_follows_its_flag_or_an_equals_sign_after_one_or_two_dashes(params string[] args) =>
        Assert.Equal("127.0.0.1:9000", Parse(args).Listen);

    [Fact]
    public void Long_flags_take_one_or_two_dashes_too()
    {
        Assert.Equal(7, Parse("-max-files", "7").MaxFiles);
        Assert.Equal(7, Parse("--max-files=7").MaxFiles);
        Assert.True(Parse("-read-only").ReadOnly);
    }

    [Fact]
    public void Every_flag_of_the_original_is_read()
    {
        var o = Parse("-a", ":9000", "--l=debug", "-o", "/tmp/raw.log", "-r", "--d", "-f=/tmp/s.json", "-n=true",
            "-t", "1024", "--s", "60", "--token-file", "/tmp/token");
        Assert.Equal(":9000", o.Listen);
        Assert.Equal("debug", o.LogLevel);
        Assert.Equal("/tmp/raw.log", o.RawLog);
        Assert.True(o.ReplayRawLog && o.DedupLaunchd && o.NoTracer);
        Assert.Equal("/tmp/s.json", o.StatsFile);
        Assert.Equal(1024, o.MergeThreshold);
        Assert.Equal(60, o.MergeIdleSeconds);
    }

    [Theory]
    [InlineData(true, "-n")]
    [InlineData(true, "--n")]
    [InlineData(true, "-n=true")]
    [InlineData(true, "-n=1")]
    [InlineData(true, "-n=T")]
    [InlineData(true, "--n=TRUE")]
    [InlineData(false, "-n=false")]
    [InlineData(false, "-n=0")]
    [InlineData(false, "-n=F")]
    [InlineData(false, "-n", "-n=False")]
    public void Booleans_stand_alone_or_take_go_spellings_after_an_equals_sign(bool expected, params string[] args) =>
        Assert.Equal(expected, Parse(args).NoTracer);

    [Fact]
    public void A_boolean_does_not_take_the_next_argument_as_in_go() =>
        Assert.Equal("unexpected argument: false", Error("-n", "false"));

    [Fact]
    public void A_value_may_start_with_a_dash() => Assert.Equal("-raw.log", Parse("-o", "-raw.log").RawLog);

    [Fact]
    public void The_last_of_a_repeated_flag_wins_and_a_list_flag_collects()
    {
        Assert.Equal(5, Parse("-t", "4", "-t", "5").MergeThreshold);
        Assert.Equal(["a", "b", "c"], Parse("--allowed-host", "a", "--allowed-host", "b,c").AllowedHosts);
    }

    [Theory]
    [InlineData("4096", 4096)]
    [InlineData("0x1000", 4096)]
    [InlineData("0X1000", 4096)]
    [InlineData("0o17", 15)]
    [InlineData("017", 15)]
    [InlineData("0b101", 5)]
    [InlineData("1_000_000", 1_000_000)]
    [InlineData("0x_10", 16)]
    [InlineData("+7", 7)]
    [InlineData("0", 0)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Integers_are_read_as_go_reads_them(string text, long expected) =>
        Assert.Equal(expected, Parse("-t", text).MergeThreshold);

    [Theory]
    [InlineData("32M", "not an integer")]
    [InlineData("1.5", "not an integer")]
    [InlineData("", "not an integer")]
    [InlineData("0x", "not an integer")]
    [InlineData("08", "not an integer")]
    [InlineData("_1", "not an integer")]
    [InlineData("1__0", "not an integer")]
    [InlineData("1_", "not an integer")]
    [InlineData("9223372036854775808", "value out of range")]
    public void A_bad_integer_is_named_with_its_flag(string text, string why) =>
        Assert.Equal($"invalid value \"{text}\" for flag -t: {why}", Error("-t", text));

    [Theory]
    [InlineData("--push-interval", "abc", "invalid value \"abc\" for flag --push-interval: not a number")]
    [InlineData("--push-interval", "NaN", "invalid value \"NaN\" for flag --push-interval: not a number")]
    [InlineData("--push-interval", "0", "invalid value \"0\" for flag --push-interval: not a positive number")]
    [InlineData("--keep-1h", "-1", "invalid value \"-1\" for flag --keep-1h: not a positive number")]
    [InlineData("--process-retention", "0", "invalid value \"0\" for flag --process-retention: not a positive number")]
    [InlineData("--process-retention", "36501", "invalid value \"36501\" for flag --process-retention: use at most 36500 days")]
    [InlineData("--max-files", "0", "invalid value \"0\" for flag --max-files: use 1 to 2147483647")]
    [InlineData("--max-files", "2147483648", "invalid value \"2147483648\" for flag --max-files: use 1 to 2147483647")]
    [InlineData("-t", "-1", "-t and -s must not be negative")]
    [InlineData("-n=maybe", null, "invalid boolean value \"maybe\" for -n: use true or false")]
    public void Bad_numbers_and_booleans_say_which_flag_and_why(string flag, string? value, string message) =>
        Assert.Equal(message, Error(value is null ? [flag] : [flag, value]));

    [Theory]
    [InlineData("flag provided but not defined: -x", "-x")]
    [InlineData("flag provided but not defined: -x", "--x=1")]
    [InlineData("flag provided but not defined: -source2", "--source2", "auto")]
    [InlineData("bad flag syntax: ---a", "---a", "x")]
    [InlineData("bad flag syntax: -=1", "-=1")]
    [InlineData("flag needs an argument: -a", "-a")]
    [InlineData("flag needs an argument: --db", "-n", "--db")]
    [InlineData("unexpected argument: extra", "extra")]
    [InlineData("unexpected argument: -x", "-n", "--", "-x")]
    [InlineData("use one of", "-l", "verbose")]
    [InlineData("use one of", "--source", "strace")]
    [InlineData("-r needs -o FILE", "-r")]
    [InlineData("--source replay needs --replay FILE", "--source", "replay")]
    [InlineData("the port must be", "-a", "localhost:http")]
    [InlineData("expected host:port", "-a", "localhost")]
    public void Unknown_flags_missing_values_and_stray_arguments_are_errors(string message, params string[] args) =>
        Assert.Contains(message, Error(args));

    [Fact]
    public void Two_dashes_end_the_flags() => Assert.True(Parse("-n", "--").NoTracer);

    [Theory]
    [InlineData("-x")]
    [InlineData("-t", "32M")]
    [InlineData("-a")]
    [InlineData("-r")]
    public void A_wrong_command_line_prints_the_error_and_the_usage_and_exits_2(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, CommandLine.ParseOrExit(args, output, errors, out _));
        Assert.Equal("", output.ToString());
        Assert.Equal(Error(args), errors.ToString().Split('\n')[0]);
        Assert.EndsWith(CommandLine.Usage(), errors.ToString());
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-help")]
    [InlineData("--help")]
    [InlineData("-n", "--h")]
    public void Help_prints_the_usage_and_exits_0(params string[] args)
    {
        var output = new StringWriter();
        Assert.Equal(0, CommandLine.ParseOrExit(args, output, TextWriter.Null, out _));
        Assert.Equal(CommandLine.Usage(), output.ToString());
    }

    [Fact]
    public void A_good_command_line_goes_on_with_its_options()
    {
        Assert.Null(CommandLine.ParseOrExit(["-n", "-t", "0x10"], TextWriter.Null, TextWriter.Null, out var options));
        Assert.Equal(16, options.MergeThreshold);
    }

    [Fact]
    public async Task The_executable_exits_2_on_a_bad_flag_and_0_on_help()
    {
        var (bad, badOutput) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "-t", "32M");
        Assert.Equal(2, bad);
        Assert.Contains("invalid value \"32M\" for flag -t: not an integer", badOutput);
        var (help, helpOutput) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "-h");
        Assert.Equal(0, help);
        Assert.Equal(CommandLine.Usage().ReplaceLineEndings(), helpOutput.ReplaceLineEndings());
    }

    [Theory]
    [InlineData("127.0.0.1:8092", "http://127.0.0.1:8092")]
    [InlineData(":8092", "http://0.0.0.0:8092")]
    [InlineData("[::1]:8092", "http://[::1]:8092")]
    [InlineData("localhost:0", "http://localhost:0")]
    [InlineData("[::ffff:127.0.0.1]:8092", "http://127.0.0.1:8092")]
    [InlineData("::1:8092", "http://[::1]:8092")]
    public void Listen_addresses_are_read_like_go(string address, string url)
    {
        Assert.True(ListenAddress.TryParse(address, out var parsed, out _));
        Assert.Equal(url, parsed);
    }
}
