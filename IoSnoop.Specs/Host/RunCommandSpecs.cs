using System.Text.Json;
using IoSnoop.Actors.Instances;
using IoSnoop.Host.Run;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

/// <summary><c>iosnoopng run</c>: its command line, its report as text and as JSON, the sudo caller's ids.</summary>
public sealed class RunCommandSpecs
{
    private static (RunOptions Options, IReadOnlyList<string> Command) Parse(params string[] args)
    {
        var parsed = RunCommandLine.Parse(args, out var error);
        Assert.True(parsed is not null, error);
        return parsed.Value;
    }

    private static string Error(params string[] args)
    {
        Assert.Null(RunCommandLine.Parse(args, out var error));
        return error;
    }

    [Fact]
    public void Flags_come_before_the_command_and_the_commands_own_flags_are_not_ours()
    {
        var (o, command) = Parse("--json", "-a", "127.0.0.1:9000", "--token-file", "/t", "--", "make", "-j4", "--json");
        Assert.Equal((true, "127.0.0.1:9000", "/t"), (o.Json, o.Address, o.TokenFile));
        Assert.Equal(["make", "-j4", "--json"], command);

        // Without --, the first word that is not a flag or a flag's value starts the command.
        (o, command) = Parse("-a=127.0.0.1:9001", "--top", "3", "tar", "-a", "x");
        Assert.Equal(("127.0.0.1:9001", 3L, false), (o.Address, o.Top, o.Json));
        Assert.Equal(["tar", "-a", "x"], command);

        (o, command) = Parse("--", "ls");
        Assert.Equal(("127.0.0.1:8092", 10L, (string?)null), (o.Address, o.Top, o.Output));
        Assert.Equal(["ls"], command);
    }

    [Fact]
    public void A_line_without_a_command_or_with_bad_flags_says_what_is_wrong()
    {
        Assert.Equal("no command given: iosnoopng run [flags] -- CMD [ARGS...]", Error("--json"));
        Assert.Equal("no command given: iosnoopng run [flags] -- CMD [ARGS...]", Error("--json", "--"));
        Assert.Contains("--top", Error("--top", "0", "--", "ls"));
        Assert.Contains("-a", Error("-a", "nonsense", "--", "ls"));
        Assert.Contains("provided but not defined", Error("--jsn", "--", "ls"));
        Assert.Equal("", Error("-h"));
    }

    [Fact]
    public void The_daemon_is_asked_on_loopback_when_its_address_names_every_interface()
    {
        Assert.Equal(new Uri("http://127.0.0.1:8092"), RunCommandLine.DaemonUrl(":8092"));
        Assert.Equal(new Uri("http://127.0.0.1:8092"), RunCommandLine.DaemonUrl("0.0.0.0:8092"));
        Assert.Equal(new Uri("http://10.1.2.3:80"), RunCommandLine.DaemonUrl("10.1.2.3:80"));
        Assert.Null(RunCommandLine.DaemonUrl("no-port"));
    }

    [Fact]
    public async Task The_exit_code_of_a_bad_line_is_2_and_of_help_0()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(2, await RunCommand.Run(["--json"], output, errors));
        Assert.StartsWith("no command given", errors.ToString());
        Assert.Equal(0, await RunCommand.Run(["-h"], output, errors));
        Assert.StartsWith("Usage: iosnoopng run [flags] -- CMD [ARGS...]", output.ToString());
    }

    [Fact]
    public void A_daemon_whose_source_gives_no_process_ids_is_told_apart_with_the_source_it_needs()
    {
        var address = new Uri("http://127.0.0.1:8092/");
        Assert.Contains("--source dtrace", DaemonFollower.CannotFollow(address, "fs_usage"));
        Assert.Contains("per name only", DaemonFollower.CannotFollow(address, "fs_usage"));
        Assert.Contains("replays a recording", DaemonFollower.CannotFollow(address, "replay"));
        Assert.Null(DaemonFollower.CannotFollow(address, "bpftrace"));
        Assert.Null(DaemonFollower.CannotFollow(address, "dtrace"));
        Assert.Null(DaemonFollower.CannotFollow(address, null));  // another version's status: the follow itself says
        var offLinux = RunCommand.NoDaemonOffLinux("127.0.0.1:8092");
        Assert.Contains("no daemon answers at 127.0.0.1:8092", offLinux);
        Assert.Contains("--source dtrace", offLinux);
        Assert.Contains("does not start DTrace", offLinux);
    }

    [Fact]
    public async Task Run_with_a_daemon_that_cannot_follow_says_why_and_does_not_start_the_command()
    {
        var cancel = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("iosnoop-run-spec-").FullName;
        try
        {
            var trace = Path.Combine(dir, "t.trace");
            await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\n", cancel);
            await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", trace, "--db", "none");
            await daemon.WaitFor("/api/status", s => s.GetProperty("processes").GetInt32() == 1, TimeSpan.FromSeconds(60));
            var marker = Path.Combine(dir, "ran");
            var errors = new StringWriter();

            var exit = await RunCommand.Run(["-a", $"127.0.0.1:{daemon.Port}", "--", "touch", marker], new StringWriter(), errors);

            Assert.Equal(RunCommand.Failure, exit);
            Assert.Contains("replays a recording: it cannot follow a command run now", errors.ToString());
            Assert.False(File.Exists(marker), "the command ran although nothing could follow it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Started_through_sudo_by_a_user_the_command_gets_that_users_ids()
    {
        Assert.Equal((1000u, 1001u), RunCommand.SudoCaller(root: true, "1000", "1001"));
        Assert.Null(RunCommand.SudoCaller(root: false, "1000", "1001"));   // not root: nothing to change
        Assert.Null(RunCommand.SudoCaller(root: true, null, null));        // root, not through sudo
        Assert.Null(RunCommand.SudoCaller(root: true, "0", "0"));          // sudo by root
        Assert.Throws<RunFailure>(() => RunCommand.SudoCaller(root: true, "x", "1"));
    }

    private static RunReport Report(int exitCode = 3, int running = 0, bool complete = true) => new(
        ["make", "-j4"], exitCode, 2.5, "daemon", complete,
        new FollowReport(4242, "make", "/usr/bin/make", null, null, running, 20_480, 3_000_000, 0, 1_048_576,
            [new FollowedName("cc1", 12, 10_240, 2_000_000), new FollowedName("make", 1, 10_240, 1_000_000)],
            [
                new FollowedFile("/src/out/a.o", 0, 2_000_000, 0, 1_048_576),
                new FollowedFile("/src/out/b.o", 0, 1_000_000, 0, 0),
                new FollowedFile("/src/a.c", 20_480, 0, 0, 0),
                new FollowedFile("<filesystem metadata 254:0>", 0, 0, 0, 4096),
            ]));

    [Fact]
    public void The_text_report_gives_totals_processes_files_folders_and_time()
    {
        var text = Report().Text(top: 2);
        Assert.StartsWith("iosnoopng run: make -j4 (pid 4242): exit status 3, 2.50 s\n", text);
        Assert.Contains("  read 20.0 KiB, written 2.9 MiB (disk: read 0 B, written 1.0 MiB), 13 processes\n", text);
        Assert.Contains("  cc1         12    10.0 KiB     1.9 MiB\n", text);
        Assert.Contains("         0 B     1.9 MiB  /src/out/a.o\n", text);
        Assert.DoesNotContain("/src/a.c\n", text);                       // beyond the top 2
        Assert.Contains("         0 B     2.9 MiB  /src/out\n", text);  // its folder
        Assert.DoesNotContain("metadata", text);                         // disk bytes only: in the JSON
        Assert.DoesNotContain("still running", text);

        var partial = Report(exitCode: 130, running: 2, complete: false).Text(top: 10);
        Assert.Contains("exit status 130 (signal 2)", partial);
        Assert.Contains("2 processes of the tree still running", partial);
        Assert.Contains("the last second may be missing", partial);
    }

    [Fact]
    public void The_json_report_is_one_object_with_every_name_file_and_folder()
    {
        var json = Report().Json();
        Assert.DoesNotContain('\n', json);
        var o = JsonDocument.Parse(json).RootElement;
        Assert.Equal(
            ["pid", "command", "exitCode", "elapsedSeconds", "treeReads", "treeWrites", "diskReads", "diskWrites", "running", "complete",
                "tracer", "processes", "files", "folders"],
            o.EnumerateObject().Select(p => p.Name));
        Assert.Equal((4242, 3, 2.5, 20_480L, 3_000_000L), (o.GetProperty("pid").GetInt32(), o.GetProperty("exitCode").GetInt32(),
            o.GetProperty("elapsedSeconds").GetDouble(), o.GetProperty("treeReads").GetInt64(), o.GetProperty("treeWrites").GetInt64()));
        Assert.Equal(12, o.GetProperty("processes")[0].GetProperty("instances").GetInt32());
        Assert.Equal(4, o.GetProperty("files").GetArrayLength());
        Assert.Equal(1_048_576, o.GetProperty("files")[0].GetProperty("diskWrites").GetInt64());
        Assert.Equal(["/src/out", "/src", "."], o.GetProperty("folders").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(5L << 30, "5.0 GiB")]
    public void Bytes_are_written_as_people_read_them(long bytes, string text) => Assert.Equal(text, RunReport.Bytes(bytes));
}
