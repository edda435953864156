using IoSnoop.Host;

namespace IoSnoop.Specs.Host;

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
        Assert.False(o.ReplayRawLog || o.DedupLaunchd || o.NoTracer);
        Assert.Equal(33_554_432, o.MergeThreshold);
        Assert.Equal(3600, o.MergeIdleSeconds);
        Assert.Equal("auto", o.Source);
    }

    [Fact]
    public void Single_and_double_dash_flags_with_separate_or_joined_values_are_read()
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

    [Fact]
    public void Boolean_flags_take_go_style_values()
    {
        Assert.False(Parse("-n=false").NoTracer);
        Assert.True(Parse("-n=1").NoTracer);
        Assert.False(Parse("-n=F").NoTracer);
        Assert.Contains("invalid boolean", Error("-n=maybe"));
    }

    [Theory]
    [InlineData("flag provided but not defined: -x", "-x")]
    [InlineData("flag needs an argument: -a", "-a")]
    [InlineData("not an integer", "-t", "32M")]
    [InlineData("not an integer", "-s", "1.5")]
    [InlineData("unexpected argument: extra", "extra")]
    [InlineData("use one of", "-l", "verbose")]
    [InlineData("use one of", "--source", "strace")]
    [InlineData("-r needs -o FILE", "-r")]
    [InlineData("--source replay needs --replay FILE", "--source", "replay")]
    [InlineData("the port must be", "-a", "localhost:http")]
    [InlineData("expected host:port", "-a", "localhost")]
    [InlineData("must not be negative", "-t", "-1")]
    public void Bad_flags_and_values_are_errors(string message, params string[] args) =>
        Assert.Contains(message, Error(args));

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
