using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using Xunit;

namespace IoSnoop.Specs.MacOs;

/// <summary>The sources' commands run end to end against the stand-in tracers in Fixtures/macos/bin.</summary>
public sealed class FsUsageStandInSpecs
{
    private static Task<TracerRun> Run(string scenario, TracerCommand? command = null, Func<RecordingSink, bool>? stopWhen = null, bool hold = false)
    {
        var source = new FsUsageSource();
        var environment = new Dictionary<string, string> { ["IOSNOOP_FS_USAGE_SCENARIO"] = scenario };
        if (hold)
            environment["IOSNOOP_STANDIN_HOLD"] = "1";
        return TracerHarness.RunAsync(source, command ?? source.Prepare(), environment, TestContext.Current.CancellationToken, stopWhen);
    }

    [Fact]
    public void The_stand_ins_are_executable_in_the_test_output()
    {
        Assert.NotNull(ExecutableLocator.Find("fs_usage", MacFixtures.StandInFolder));
        Assert.NotNull(ExecutableLocator.Find("dtrace", MacFixtures.StandInFolder));
    }

    [Fact]
    public async Task The_prepared_command_reads_every_disk_io_line_of_the_recording()
    {
        var run = await Run("diskio");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Sink.Rejected);
        Assert.Empty(run.Stderr);
        Assert.Equal(20, run.Sink.Events.Count);
        Assert.Equal(962_560, run.Sink.Reads);
        Assert.Equal(12_288, run.Sink.Writes);
        Assert.IsType<FsUsageParser>(run.Parser);
        var direct = MacFixtures.ParseAll(new FsUsageParser(), MacFixtures.Lines("diskio-wide.txt"));
        Assert.Equal(direct.Events, run.Sink.Events);
    }

    [Fact]
    public async Task Buffer_overruns_on_stderr_are_counted_as_drops()
    {
        var run = await Run("overrun");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, run.StderrDrops);
        Assert.Equal(20, run.Sink.Events.Count);
        Assert.Empty(run.Problems);
    }

    [Fact]
    public async Task A_busy_ktrace_session_fails_the_run_with_the_busy_problem()
    {
        var run = await Run("busy");

        Assert.Equal(1, run.ExitCode);
        Assert.Empty(run.Sink.Events);
        Assert.Equal([FsUsageSource.BusyMessage], run.Problems);
    }

    [Fact]
    public async Task Running_without_root_fails_with_the_root_problem()
    {
        var run = await Run("notroot");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal([FsUsageSource.NotRootMessage], run.Problems);
    }

    [Fact]
    public async Task Without_w_every_line_is_rejected_as_narrow()
    {
        var run = await Run("diskio", new TracerCommand("fs_usage", ["-f", "diskio", "-e"]));

        Assert.Empty(run.Sink.Events);
        Assert.Equal(4, run.Sink.Rejected.Count);
        Assert.All(run.Sink.Rejected, r => Assert.Equal(FsUsageParser.Reasons.NarrowMode, r.Reason));
    }

    [Fact]
    public async Task Without_f_diskio_syscall_lines_are_rejected_and_disk_io_still_counted()
    {
        var run = await Run("diskio", new TracerCommand("fs_usage", ["-w", "-e"]));

        Assert.Equal(20, run.Sink.Events.Count);
        Assert.Equal(3, run.Sink.Rejected.Count);
        Assert.All(run.Sink.Rejected, r => Assert.Equal(FsUsageParser.Reasons.NotDiskIo, r.Reason));
    }

    [Fact]
    public async Task A_held_stand_in_keeps_running_until_SIGTERM_and_then_exits_cleanly()
    {
        var run = await Run("diskio", stopWhen: sink => sink.Events.Count == 20, hold: true);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(20, run.Sink.Events.Count);
    }
}

public sealed class DtraceStandInSpecs
{
    private static Task<TracerRun> Run(string scenario)
    {
        var source = new DtraceSource(forceAfterSleep: false);
        return TracerHarness.RunAsync(
            source,
            source.Prepare(),
            new Dictionary<string, string> { ["IOSNOOP_DTRACE_SCENARIO"] = scenario },
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_prepared_command_signals_ready_and_reads_every_line_and_every_drop()
    {
        var run = await Run("io");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1, run.Sink.ReadyCount);
        Assert.Empty(run.Sink.Rejected);
        Assert.Equal(7, run.Sink.Events.Count);
        Assert.Equal(16_384 + 4096 + 512, run.Sink.Reads);
        Assert.Equal(1_048_576 + 8192 + 65_536, run.Sink.Writes);
        Assert.Contains(new IoEvent("a|b 1 R 2", 777, "/tmp/odd name|with|bars.txt", IoDirection.Write, 8192), run.Sink.Events);
        Assert.Equal(11, run.StderrDrops);
        Assert.Equal(1, run.Count(StderrKind.Warning));
        Assert.Equal(0, run.Count(StderrKind.Noise));
        Assert.Empty(run.Problems);
    }

    [Fact]
    public async Task System_Integrity_Protection_fails_the_run_with_the_SIP_problem()
    {
        var run = await Run("sip");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(0, run.Sink.ReadyCount);
        Assert.Empty(run.Sink.Events);
        Assert.NotEmpty(run.Problems);
        Assert.All(run.Problems, p => Assert.Equal(DtraceSource.SipMessage, p));
    }

    [Fact]
    public async Task Running_without_root_fails_with_the_root_problem()
    {
        var run = await Run("notroot");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal([DtraceSource.NotRootMessage], run.Problems);
    }
}
