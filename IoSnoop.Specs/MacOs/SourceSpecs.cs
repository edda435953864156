using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;
using Xunit;

namespace IoSnoop.Specs.MacOs;

public sealed class FsUsageSourceSpecs
{
    private static MacOsMachine Mac(bool isRoot = true, string? searchPath = null) =>
        new(IsMacOs: true, isRoot, searchPath ?? MacFixtures.StandInFolder, () => new SleepTimes(0, 0));

    [Fact]
    public void It_runs_fs_usage_wide_on_disk_io_excluding_itself()
    {
        var command = new FsUsageSource().Prepare();

        Assert.Equal("fs_usage", command.Program);
        Assert.Equal(["-w", "-f", "diskio", "-e"], command.Arguments);
        Assert.Equal("fs_usage -w -f diskio -e", command.ToString());
    }

    [Fact]
    public void Its_name_and_what_it_measures_are_fixed()
    {
        var source = new FsUsageSource();

        Assert.Equal(("fs_usage", "physical disk I/O", false), (source.Name, source.Measures, source.SignalsReady));
        Assert.True(source.StopGracePeriod > TimeSpan.Zero);
    }

    [Fact]
    public void An_executable_path_replaces_the_lookup_on_PATH()
    {
        var command = new FsUsageSource("/opt/test/fs_usage").Prepare();

        Assert.Equal("/opt/test/fs_usage", command.Program);
    }

    [Fact]
    public void Each_run_gets_a_fresh_parser()
    {
        var source = new FsUsageSource();

        Assert.NotSame(source.CreateParser(), source.CreateParser());
        Assert.IsType<FsUsageParser>(source.CreateParser());
    }

    [Fact]
    public void Preflight_passes_on_a_Mac_as_root_with_fs_usage_on_PATH()
    {
        Assert.Empty(new FsUsageSource(machine: Mac()).Preflight());
    }

    [Fact]
    public void Preflight_asks_for_root()
    {
        Assert.Equal([FsUsageSource.NotRootMessage], new FsUsageSource(machine: Mac(isRoot: false)).Preflight());
    }

    [Fact]
    public void Preflight_says_where_fs_usage_lives_when_it_is_not_on_PATH()
    {
        var problem = Assert.Single(new FsUsageSource(machine: Mac(searchPath: MacFixtures.Folder)).Preflight());

        Assert.Contains("/usr/bin/fs_usage", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Preflight_checks_an_executable_path_given_instead()
    {
        Assert.Empty(new FsUsageSource(Path.Combine(MacFixtures.StandInFolder, "fs_usage"), Mac(searchPath: "")).Preflight());
        var problem = Assert.Single(new FsUsageSource("/nonexistent/fs_usage", Mac()).Preflight());
        Assert.Contains("/nonexistent/fs_usage", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Preflight_says_the_source_is_for_macOS_elsewhere()
    {
        var machine = Mac() with { IsMacOs = false };

        var problem = Assert.Single(new FsUsageSource(machine: machine).Preflight());

        Assert.Contains("only on macOS", problem, StringComparison.Ordinal);
    }
}

public sealed class DtraceSourceSpecs
{
    private static MacOsMachine Mac(SleepTimes? times, bool isRoot = true) =>
        new(IsMacOs: true, isRoot, MacFixtures.StandInFolder, () => times);

    [Fact]
    public void It_runs_the_io_start_and_process_program_quietly_with_a_large_buffer_and_a_fast_switch_rate()
    {
        var command = new DtraceSource(forceAfterSleep: false).Prepare();

        Assert.Equal("dtrace", command.Program);
        Assert.Equal(
            [
                "-q", "-b", "16m", "-x", "switchrate=10hz", "-n", DtraceSource.BeginClause, "-n", DtraceSource.IoClause,
                "-n", DtraceSource.StartClause, "-n", DtraceSource.ExeClause, "-n", DtraceSource.ExecClause,
                "-n", DtraceSource.ExitClause, "-n", DtraceSource.TickClause,
            ],
            command.Arguments);
    }

    [Fact]
    public void The_io_record_prints_pid_parent_start_direction_bytes_name_length_name_and_path_in_that_order()
    {
        Assert.StartsWith("io:::start {", DtraceSource.IoClause, StringComparison.Ordinal);
        Assert.Contains(
            "printf(\"io %d %d %d %s %d %d %s %s\\n\", pid, ppid, " + DtraceSource.ProcessStart + ", " +
            "(args[0]->b_flags & B_READ) ? \"R\" : \"W\", args[0]->b_bcount, strlen(execname), execname, args[2]->fi_pathname);",
            DtraceSource.IoClause, StringComparison.Ordinal);
        Assert.Equal("(curpsinfo->pr_start_tv.tv_sec * 1000000 + curpsinfo->pr_start_tv.tv_usec)", DtraceSource.ProcessStart);
        Assert.Contains(DtraceParser.ReadyLine, DtraceSource.BeginClause, StringComparison.Ordinal);
        Assert.StartsWith("dtrace:::BEGIN", DtraceSource.BeginClause, StringComparison.Ordinal);
        // The ready line is the BEGIN clause's last: "tracing" only once everything before it is printed.
        Assert.EndsWith("printf(\"" + DtraceParser.ReadyLine + "\\n\"); }", DtraceSource.BeginClause, StringComparison.Ordinal);
    }

    [Fact]
    public void It_signals_readiness_with_its_BEGIN_line()
    {
        var source = new DtraceSource(forceAfterSleep: false);

        Assert.Equal(("dtrace", true), (source.Name, source.SignalsReady));
        Assert.True(source.ReadyTimeout > TimeSpan.Zero);
        Assert.IsType<DtraceParser>(source.CreateParser());
    }

    [Fact]
    public void An_executable_path_replaces_the_lookup_on_PATH()
    {
        Assert.Equal("/opt/test/dtrace", new DtraceSource(false, "/opt/test/dtrace").Prepare().Program);
    }

    [Fact]
    public void Preflight_passes_on_a_Mac_that_has_not_slept()
    {
        var source = new DtraceSource(false, machine: Mac(new SleepTimes(0, 0)));

        Assert.Empty(source.Preflight());
        Assert.Equal(SleepGuardVerdict.NeverSlept, source.SleepDecision?.Verdict);
    }

    [Fact]
    public void Preflight_refuses_on_a_Mac_that_has_slept_and_points_to_fs_usage()
    {
        var source = new DtraceSource(false, machine: Mac(new SleepTimes(123_456, 234_567)));

        var problem = Assert.Single(source.Preflight());

        Assert.Equal(SleepGuard.SleptMessage, problem);
        Assert.Contains("--source fs_usage", problem, StringComparison.Ordinal);
        Assert.Contains("--force-dtrace-after-sleep", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Preflight_lets_a_forced_start_through_after_sleep_and_keeps_the_warning()
    {
        var source = new DtraceSource(true, machine: Mac(new SleepTimes(0, 42)));

        Assert.Empty(source.Preflight());
        Assert.Equal(new SleepGuardDecision(SleepGuardVerdict.Forced, SleepGuard.ForcedMessage), source.SleepDecision);
    }

    [Fact]
    public void Preflight_refuses_when_it_cannot_tell_whether_the_Mac_has_slept()
    {
        Assert.Equal([SleepGuard.UnknownMessage], new DtraceSource(false, machine: Mac(null)).Preflight());
    }

    [Fact]
    public void Preflight_asks_for_root_and_for_dtrace()
    {
        var machine = Mac(new SleepTimes(0, 0), isRoot: false) with { SearchPath = MacFixtures.Folder };

        var problems = new DtraceSource(false, machine: machine).Preflight();

        Assert.Equal(2, problems.Count);
        Assert.Equal(DtraceSource.NotRootMessage, problems[0]);
        Assert.Contains("/usr/sbin/dtrace", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Preflight_says_the_source_is_for_macOS_elsewhere_without_reading_sysctls()
    {
        var machine = new MacOsMachine(false, true, MacFixtures.StandInFolder, () => throw new InvalidOperationException("no sysctl here"));

        var problem = Assert.Single(new DtraceSource(false, machine: machine).Preflight());

        Assert.Contains("only on macOS", problem, StringComparison.Ordinal);
    }
}

public sealed class SleepGuardSpecs
{
    [Theory]
    [InlineData(0UL, 0UL, false, SleepGuardVerdict.NeverSlept)]
    [InlineData(0UL, 0UL, true, SleepGuardVerdict.NeverSlept)]
    [InlineData(1UL, 0UL, false, SleepGuardVerdict.Refused)]
    [InlineData(0UL, 1UL, false, SleepGuardVerdict.Refused)]
    [InlineData(98_765_432_100UL, 98_765_999_999UL, false, SleepGuardVerdict.Refused)]
    [InlineData(ulong.MaxValue, ulong.MaxValue, false, SleepGuardVerdict.Refused)]
    [InlineData(1UL, 0UL, true, SleepGuardVerdict.Forced)]
    [InlineData(98_765_432_100UL, 98_765_999_999UL, true, SleepGuardVerdict.Forced)]
    public void Either_time_non_zero_means_the_Mac_has_slept(ulong sleep, ulong wake, bool force, SleepGuardVerdict verdict)
    {
        var decision = SleepGuard.Decide(sleep, wake, force);

        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(verdict != SleepGuardVerdict.Refused, decision.MayStart);
        Assert.Equal(verdict == SleepGuardVerdict.NeverSlept, decision.Message is null);
    }

    [Fact]
    public void A_refusal_explains_the_freeze_and_points_to_fs_usage_and_the_force_flag()
    {
        var message = SleepGuard.Decide(1, 1, force: false).Message!;

        Assert.Contains("freeze", message, StringComparison.Ordinal);
        Assert.Contains("--source fs_usage", message, StringComparison.Ordinal);
        Assert.Contains("--force-dtrace-after-sleep", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, SleepGuardVerdict.Refused)]
    [InlineData(true, SleepGuardVerdict.Forced)]
    public void Unreadable_times_count_as_may_have_slept(bool force, SleepGuardVerdict verdict)
    {
        Assert.Equal(verdict, SleepGuard.Decide(null, force).Verdict);
    }

    [Fact]
    public void The_sysctls_are_read_only_on_macOS()
    {
        Assert.Equal(OperatingSystem.IsMacOS(), MacOsMachine.Current.ReadSleepTimes() is not null);
    }
}
