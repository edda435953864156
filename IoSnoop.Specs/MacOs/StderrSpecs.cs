using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using Xunit;

namespace IoSnoop.Specs.MacOs;

public sealed class FsUsageStderrSpecs
{
    private readonly FsUsageSource _source = new();

    [Theory]
    [InlineData("fs_usage: buffer overrun, events generated too quickly")]
    [InlineData("fs_usage: buffer overrun, events generated too quickly: 8192")]
    [InlineData("fs_usage: buffer overrun, events generated too quickly\r")]
    public void A_buffer_overrun_is_one_drop(string line)
    {
        Assert.Equal(new StderrLine(StderrKind.Dropped, 1), _source.ClassifyStderr(line));
    }

    [Fact]
    public void A_busy_ktrace_session_is_a_problem_that_names_the_other_tracers_and_the_retry()
    {
        var meaning = _source.ClassifyStderr("ktrace_start: Resource busy");

        Assert.Equal(StderrKind.Problem, meaning.Kind);
        Assert.Equal(FsUsageSource.BusyMessage, meaning.Message);
        Assert.Contains("another fs_usage, Instruments or other ktrace user holds the system's only ktrace session", meaning.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("retries", meaning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_ktrace_start_failure_is_a_problem_that_quotes_it()
    {
        var meaning = _source.ClassifyStderr("ktrace_start: Operation not permitted");

        Assert.Equal(StderrKind.Problem, meaning.Kind);
        Assert.Contains("Operation not permitted", meaning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Running_without_root_is_a_problem()
    {
        var meaning = _source.ClassifyStderr("'fs_usage' must be run as root...");

        Assert.Equal(new StderrLine(StderrKind.Problem, Message: FsUsageSource.NotRootMessage), meaning);
    }

    [Theory]
    [InlineData("", StderrKind.Noise)]
    [InlineData("Usage: fs_usage [-e] [-w] [-f mode]", StderrKind.Warning)]
    [InlineData("ERROR: cannot both include and exclude simultaneously", StderrKind.Warning)]
    public void Other_lines_are_warnings_and_blank_ones_noise(string line, StderrKind kind)
    {
        Assert.Equal(kind, _source.ClassifyStderr(line).Kind);
    }
}

public sealed class DtraceStderrSpecs
{
    private readonly DtraceSource _source = new(forceAfterSleep: false);

    [Theory]
    [InlineData("dtrace: 1 drop on CPU 0", 1)]
    [InlineData("dtrace: 12 drops on CPU 3", 12)]
    [InlineData("dtrace: 1 dynamic variable drop", 1)]
    [InlineData("dtrace: 4847 dynamic variable drops", 4847)]
    [InlineData("dtrace: 4847 dynamic variable drops with non-empty rinsing list", 4847)]
    [InlineData("dtrace: 1162255 dynamic variable drops with non-empty dirty list", 1162255)]
    [InlineData("dtrace: 1 aggregation drop on CPU 0", 1)]
    [InlineData("dtrace: 7 aggregation drops on CPU 2", 7)]
    [InlineData("dtrace: 3 speculative drops", 3)]
    [InlineData("dtrace: [drop-principal] 9 drops on CPU 1", 9)]
    [InlineData("dtrace: 2 drops on CPU 11\r", 2)]
    public void Drop_reports_count_the_events_they_name(string line, long drops)
    {
        Assert.Equal(new StderrLine(StderrKind.Dropped, drops), _source.ClassifyStderr(line));
    }

    [Fact]
    public void An_error_in_the_action_loses_that_one_event()
    {
        var meaning = _source.ClassifyStderr("dtrace: error on enabled probe ID 2 (ID 1034: io:::start): invalid address (0x0) in action #5");

        Assert.Equal(new StderrLine(StderrKind.Dropped, 1), meaning);
    }

    [Theory]
    [InlineData("dtrace: buffer size lowered to 8m")]
    [InlineData("dtrace: aggregation size lowered to 2m")]
    public void A_lowered_buffer_is_a_warning(string line)
    {
        Assert.Equal(StderrKind.Warning, _source.ClassifyStderr(line).Kind);
    }

    [Theory]
    [InlineData("dtrace: system integrity protection is on, some features will not be available")]
    [InlineData("dtrace: invalid probe specifier io:::start { printf(\"%d\", pid); }: probe description io:::start does not match any probes")]
    [InlineData("dtrace: failed to compile script /tmp/x.d: line 1: probe description io:::start does not match any probes")]
    [InlineData("dtrace: invalid probe specifier io:::start")]
    public void System_Integrity_Protection_blocking_the_io_probes_is_a_problem_that_says_what_to_do(string line)
    {
        var meaning = _source.ClassifyStderr(line);

        Assert.Equal(StderrKind.Problem, meaning.Kind);
        Assert.Equal(
            "System Integrity Protection blocks DTrace: use the default source (--source fs_usage) or run `csrutil enable --without dtrace` from Recovery",
            meaning.Message);
    }

    [Fact]
    public void Missing_privileges_are_a_problem()
    {
        var meaning = _source.ClassifyStderr("dtrace: failed to initialize dtrace: DTrace requires additional privileges");

        Assert.Equal(new StderrLine(StderrKind.Problem, Message: DtraceSource.NotRootMessage), meaning);
    }

    [Theory]
    [InlineData("dtrace: description 'io:::start ' matched 4 probes", StderrKind.Noise)]
    [InlineData("dtrace: description 'dtrace:::BEGIN ' matched 1 probe", StderrKind.Noise)]
    [InlineData("   ", StderrKind.Noise)]
    [InlineData("dtrace: processing aborted: Abort due to systemic unresponsiveness", StderrKind.Warning)]
    [InlineData("dtrace: 3 drops on the floor", StderrKind.Warning)]
    public void Announcements_are_noise_and_anything_else_a_warning(string line, StderrKind kind)
    {
        Assert.Equal(kind, _source.ClassifyStderr(line).Kind);
    }
}
