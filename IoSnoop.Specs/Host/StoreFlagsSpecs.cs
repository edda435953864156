using IoSnoop.Actors.Processes;
using IoSnoop.Host;

namespace IoSnoop.Specs.Host;

/// <summary>The flags of the database, the history and the file cap.</summary>
public sealed class StoreFlagsSpecs
{
    private static DaemonOptions Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out var options, out var error), error);
        return options;
    }

    [Fact]
    public void The_command_line_defaults_to_the_platforms_database_and_code_to_memory_only()
    {
        var o = Parse();
        Assert.Equal(OperatingSystem.IsMacOS() ? "/Library/Application Support/iosnoopng/iosnoopng.db" : "/var/lib/iosnoopng/iosnoopng.db", o.DatabasePath);
        Assert.Equal((5.0, 200_000L, 24.0, 31.0, 365.0), (o.FlushIntervalSeconds, o.MaxFiles, o.Keep10SecondHours, o.Keep1MinuteDays, o.Keep1HourDays));
        Assert.Null(new DaemonOptions().DatabasePath);
        Assert.Null(Parse("--db", "none").DatabasePath);
        Assert.Equal("/tmp/x.db", Parse("-db=/tmp/x.db").DatabasePath);
    }

    [Fact]
    public void The_flags_are_read()
    {
        var o = Parse("--flush-interval", "0.5", "--max-files", "1000", "--keep-10s", "2", "--keep-1m", "3", "--keep-1h", "4");
        Assert.Equal((0.5, 1000L, 2.0, 3.0, 4.0), (o.FlushIntervalSeconds, o.MaxFiles, o.Keep10SecondHours, o.Keep1MinuteDays, o.Keep1HourDays));
        var policy = DaemonApp.MergePolicyFor(Parse("-t", "10", "-s", "120", "-d", "--max-files", "7"));
        Assert.Equal(new MergePolicy(10, TimeSpan.FromSeconds(120), 7, true), policy);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.PassInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), (policy with { Idle = TimeSpan.FromSeconds(5) }).PassInterval);
        var history = DaemonApp.HistorySettingsFor(Parse("--keep-10s", "2", "--keep-1m", "3", "--keep-1h", "4"));
        Assert.Equal([TimeSpan.FromHours(2), TimeSpan.FromDays(3), TimeSpan.FromDays(4)], history.Levels.Select(l => l.Retention));
    }

    [Theory]
    [InlineData("--max-files", "0")]
    [InlineData("--max-files", "-5")]
    [InlineData("--flush-interval", "0")]
    [InlineData("--db", "")]
    [InlineData("--keep-1m", "400")]
    [InlineData("--keep-10s", "48", "--keep-1m", "1")]
    public void Bad_values_are_errors(params string[] args) =>
        Assert.False(CommandLine.TryParse(args, out _, out _));
}
