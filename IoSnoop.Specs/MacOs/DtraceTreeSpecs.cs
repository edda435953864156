using System.Text;
using System.Text.RegularExpressions;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Parsing.MacOs;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Specs.Host;

namespace IoSnoop.Specs.MacOs;

/// <summary>
/// Process instances from the DTrace source: the records of <c>dtrace-tree.txt</c> (a small build, in the exact
/// format of <see cref="DtraceSource"/>'s clauses) through the parser and into the <see cref="ProcessTree"/>.
/// </summary>
public sealed partial class DtraceTreeSpecs
{
    private static readonly DateTimeOffset Boot = DateTimeOffset.Parse("2026-01-01T00:00:00Z");

    private const long S = 1_000_000_000, Ms = 1_000_000;

    // The clock line: walltimestamp 1765000000.123456789 s at timestamp 100 s, so boot is 1764999900 s (whole seconds).
    private const long BootUs = 1_764_999_900_000_000;

    /// <summary>Where each process's start lands: its start of day less boot, in nanoseconds.</summary>
    private static long SinceBoot(long startUs) => (startUs - BootUs) * 1000;

    private static readonly long Zsh = SinceBoot(1_764_999_950_000_000), Make = SinceBoot(1_765_000_000_500_000),
        Cc = SinceBoot(1_765_000_001_000_000), Sh = SinceBoot(1_765_000_001_100_000), Dd = SinceBoot(1_765_000_001_200_000),
        Ld = SinceBoot(1_765_000_002_000_000);

    private static RecordingSink ParseTree() => MacFixtures.ParseAll(new DtraceParser(), MacFixtures.Lines("dtrace-tree.txt"));

    private static ProcessTree TreeOf(IEnumerable<InstanceEvent> events)
    {
        var tree = new ProcessTree(maxExited: 100);
        foreach (var e in events)
            tree.Apply(e);
        return tree;
    }

    private static InstanceInfo Get(ProcessTree tree, int pid) => tree.Latest(pid, Boot)!.Instance;

    [Fact]
    public void The_build_s_records_become_instance_events_with_kernel_parents_exes_and_late_ends()
    {
        var sink = ParseTree();

        Assert.Empty(sink.Rejected);
        Assert.Equal(1, sink.ReadyCount);
        var started = sink.Instances.OfType<InstanceStarted>().ToList();
        Assert.Equal(
            [
                new InstanceStarted(412, SinceBoot(1_764_999_910_000_000), 1, DtraceParser.UnknownStart, "Google Chrome He"),
                new InstanceStarted(500, Zsh, 400, DtraceParser.UnknownStart, "zsh"),
                new InstanceStarted(600, Make, 500, Zsh, "zsh"),
                new InstanceStarted(601, Cc, 600, Make, "cc"),
                new InstanceStarted(603, Sh, 600, Make, "sh"),
                // dd's later I/O names launchd (its shell had exited): the start record's parent stays.
                new InstanceStarted(604, Dd, 603, Sh, "sh"),
                new InstanceStarted(601, Ld, 600, Make, "ld"),
            ],
            started);
        Assert.Equal(
            [
                new InstanceExecuted(600, Make, "make", "/usr/bin/make"),
                new InstanceExecuted(601, Cc, "cc", "/usr/bin/cc"),
                new InstanceExecuted(603, Sh, "sh", "/bin/sh"),
                new InstanceExecuted(604, Dd, "dd", "/bin/dd"),
                new InstanceExecuted(601, Ld, "ld", "/usr/bin/ld"),
            ],
            sink.Instances.OfType<InstanceExecuted>());
        Assert.Equal(
            [
                new InstanceEnded(601, Cc, 250 * Ms, "cc"),
                new InstanceEnded(603, Sh, 300 * Ms, "sh"),
                new InstanceEnded(601, Ld, 500 * Ms, "ld"),
                new InstanceEnded(604, Dd, 2 * S, "dd"),
                new InstanceEnded(600, Make, 3500 * Ms, "make"),
            ],
            sink.Instances.OfType<InstanceEnded>());
        // cc's exit was printed before its write (another CPU's buffer): the write still comes before the end,
        // and both before ld, on the same pid, starts.
        var ccWrite = sink.Instances.FindIndex(e => e is InstanceIo { Pid: 601, Writes: 8192 });
        var ccEnd = sink.Instances.FindIndex(e => e is InstanceEnded { Pid: 601, Name: "cc" });
        var ldStart = sink.Instances.FindIndex(e => e is InstanceStarted { Pid: 601, Name: "ld" });
        Assert.True(ccWrite >= 0 && ccWrite < ccEnd && ccEnd < ldStart, $"cc write {ccWrite}, cc end {ccEnd}, ld start {ldStart}");
        // The figures per name are the I/O lines as before, kernel_task's included.
        Assert.Equal(10, sink.Events.Count);
        Assert.Equal(16_384 + 1024 + 4096 + 2048, sink.Reads);
        Assert.Equal(1_048_576 + 512 + 8192 + 65_536 + 16_384 + 65_536, sink.Writes);
        Assert.Contains(new IoEvent("dd", 604, "/tmp/out file|1.bin", IoDirection.Write, 65_536), sink.Events);
    }

    [Fact]
    public void The_tree_has_the_right_parents_names_lifetimes_and_totals()
    {
        var tree = TreeOf(ParseTree().Instances);

        var zsh = Get(tree, 500);
        Assert.Equal((400, "zsh", (DateTimeOffset?)null), (zsh.Ppid, zsh.Name, zsh.Ended));
        Assert.Equal((1024L, 0L, 1024L + 4096 + 2048, 512L + 8192 + 131_072 + 16_384), (zsh.Reads, zsh.Writes, zsh.TreeReads, zsh.TreeWrites));

        var make = tree.Latest(600, Boot)!;
        Assert.Equal((500, "make", "/usr/bin/make"), (make.Instance.Ppid, make.Instance.Name, make.Instance.Exe));
        Assert.Equal(Boot.AddTicks(Make / 100), make.Instance.Started);
        Assert.Equal(Boot.AddTicks((Make + 3500 * Ms) / 100), make.Instance.Ended);
        Assert.Equal((0L, 512L, 6144L, 156_160L), (make.Instance.Reads, make.Instance.Writes, make.Instance.TreeReads, make.Instance.TreeWrites));
        // Children newest first: ld and cc share pid 601 and are two instances.
        Assert.Equal([(601, "ld"), (603, "sh"), (601, "cc")], make.Children.Select(c => (c.Pid, c.Name)));
        var cc = make.Children[2];
        Assert.Equal(("/usr/bin/cc", 4096L, 8192L), (cc.Exe, cc.Reads, cc.Writes));
        Assert.Equal(TimeSpan.FromMilliseconds(250), cc.Ended - cc.Started);
        var ld = make.Children[0];
        Assert.Equal(("/usr/bin/ld", 0L, 16_384L, TimeSpan.FromMilliseconds(500)), (ld.Exe, ld.Reads, ld.Writes, ld.Ended - ld.Started));

        var sh = tree.Latest(603, Boot)!;
        Assert.Equal((2048L, 0L, 2048L, 131_072L), (sh.Instance.Reads, sh.Instance.Writes, sh.Instance.TreeReads, sh.Instance.TreeWrites));
        Assert.Equal(TimeSpan.FromMilliseconds(300), sh.Instance.Ended - sh.Instance.Started);
        // dd outlived its shell and was handed to launchd: it stays under sh, with both writes.
        var dd = Assert.Single(sh.Children);
        Assert.Equal((604, 603, "dd", "/bin/dd", 131_072L), (dd.Pid, dd.Ppid, dd.Name, dd.Exe, dd.Writes));
        Assert.Equal(TimeSpan.FromSeconds(2), dd.Ended - dd.Started);

        var chrome = Get(tree, 412);
        Assert.Equal(("Google Chrome He", 1, 16_384L, (DateTimeOffset?)null), (chrome.Name, chrome.Ppid, chrome.TreeReads, chrome.Ended));
        Assert.Null(tree.Latest(0, Boot)); // kernel_task is no instance
        Assert.Equal((7, 2), (tree.Count, tree.Running));
    }

    [Fact]
    public void The_end_comes_when_the_output_ends_without_a_last_tick()
    {
        // Without make's exit and the last two ticks: dd's end, read before the tick that is left, is still held.
        var lines = MacFixtures.Lines("dtrace-tree.txt").SkipLast(3).ToList();
        var parser = new DtraceParser();
        var sink = MacFixtures.ParseAll(parser, lines);
        Assert.DoesNotContain(sink.Instances, e => e is InstanceEnded { Pid: 604 });

        parser.Finish(sink);

        Assert.Contains(new InstanceEnded(604, Dd, 2 * S, "dd"), sink.Instances);
        Assert.Null(Get(TreeOf(sink.Instances), 600).Ended);
    }

    [Fact]
    public void A_replay_of_the_log_detects_the_dtrace_format_and_gives_the_same_tree()
    {
        var replay = RecordedFormats.CreateReplayParser();
        var sink = MacFixtures.ParseAll(replay, MacFixtures.Lines("dtrace-tree.txt"));
        replay.Finish(sink);

        Assert.IsType<DtraceParser>(replay.Chosen);
        Assert.Empty(sink.Rejected);
        Assert.Equal(ParseTree().Instances, sink.Instances);
        Assert.Equal(156_160L, Get(TreeOf(sink.Instances), 600).TreeWrites);
    }

    [Theory]
    [InlineData("iosnoopng-dtrace-clock 1765000000123456789 100000000000")]
    [InlineData("io 601 600 1765000001000000 W 8192 2 cc ??/build/main.o")]
    [InlineData("start 601 600 1765000001000000 2 cc")]
    [InlineData("exe 600 /usr/bin/cc")]
    [InlineData("exec 601 600 1765000001000000 2 cc")]
    [InlineData("exit 601 600 1765000001000000 1765000001250000000 2 cc")]
    [InlineData("tick 101000000000")]
    public void Each_new_record_decides_a_replay_for_the_dtrace_format_and_no_other(string line)
    {
        var replay = RecordedFormats.CreateReplayParser();
        var sink = new RecordingSink();

        replay.Parse(Encoding.UTF8.GetBytes(line), sink);

        Assert.Empty(sink.Rejected);
        Assert.IsType<DtraceParser>(replay.Chosen);
    }

    [Fact]
    public void Older_logs_replay_as_before_and_records_appended_to_them_are_read()
    {
        // A log written by the previous program (no process records), then by this one (-o appends).
        var older = MacFixtures.Lines("dtrace-io.txt");
        var replay = RecordedFormats.CreateReplayParser();
        var sink = MacFixtures.ParseAll(replay, older);
        Assert.Equal(7, sink.Events.Count);
        Assert.Empty(sink.Instances);

        foreach (var line in MacFixtures.Lines("dtrace-tree.txt"))
            replay.Parse(line, sink);

        Assert.Empty(sink.Rejected);
        Assert.Equal(7 + 10, sink.Events.Count);
        Assert.Equal(156_160L, Get(TreeOf(sink.Instances), 600).TreeWrites);

        var original = MacFixtures.ParseAll(RecordedFormats.CreateReplayParser(), MacFixtures.Lines("dtrace-original.txt"));
        Assert.Equal((5, 0), (original.Events.Count, original.Instances.Count));
    }

    [Theory]
    [InlineData("io 601 600 1765000001000000 X 8192 2 cc ??/a", DtraceParser.ProcessReasons.BadIo)]
    [InlineData("io 601 600 notatime W 8192 2 cc ??/a", DtraceParser.ProcessReasons.BadIo)]
    [InlineData("io 601 600 1765000001000000 W 8192 9 cc ??/a", DtraceParser.ProcessReasons.BadIo)]
    [InlineData("io 601 600 1765000001000000 W 8192 2 cc ??", DtraceParser.ProcessReasons.BadIo)]
    [InlineData("start 601 600 1765000001000000 2 ccc", DtraceParser.ProcessReasons.BadStart)]
    [InlineData("exe 600", DtraceParser.ProcessReasons.BadExe)]
    [InlineData("exec -1 600 1765000001000000 2 cc", DtraceParser.ProcessReasons.BadExec)]
    [InlineData("exit 601 600 1765000001000000 never 2 cc", DtraceParser.ProcessReasons.BadExit)]
    [InlineData("tick soon", DtraceParser.ProcessReasons.BadTick)]
    [InlineData("iosnoopng-dtrace-clock 5 9", DtraceParser.ProcessReasons.BadClock)]
    public void A_bad_record_is_reported_with_its_reason(string line, string reason)
    {
        var sink = MacFixtures.ParseAll(new DtraceParser(), [Encoding.UTF8.GetBytes(line)]);

        Assert.Equal(new[] { (line, reason) }, sink.Rejected);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public void An_original_line_whose_process_name_starts_like_a_record_is_read_as_the_original_s()
    {
        var sink = MacFixtures.ParseAll(new DtraceParser(), [Encoding.UTF8.GetBytes("exec 1|16|4096|??/a b")]);

        Assert.Empty(sink.Rejected);
        Assert.Equal([new IoEvent("exec 1", 0, "/a b", IoDirection.Read, 4096)], sink.Events);
    }

    [Fact]
    public void An_exec_whose_path_names_another_program_gets_no_exe()
    {
        var lines = new[]
        {
            "start 700 1 1765000001000000 4 bash", "exe 700 /bin/ls", "exec 700 1 1765000001000000 3 cat", "tick 1",
        }.Select(Encoding.UTF8.GetBytes);

        var sink = MacFixtures.ParseAll(new DtraceParser(), lines);

        // No clock line: the start stays in nanoseconds since the epoch.
        Assert.Equal([new InstanceExecuted(700, 1_765_000_001_000_000L * 1000, "cat", null)],
            sink.Instances.OfType<InstanceExecuted>());
    }

    private static RecordingSink ParseLines(params string[] lines)
    {
        var parser = new DtraceParser();
        var sink = MacFixtures.ParseAll(parser, lines.Select(Encoding.UTF8.GetBytes));
        parser.Finish(sink);
        Assert.Empty(sink.Rejected);
        return sink;
    }

    // A clock of 10^18 ns (10^12 µs) of wall time at timestamp 0: a start of 10^15 + N µs is N µs after boot.
    private const string Clock = "iosnoopng-dtrace-clock 1000000000000000000 0";

    [Fact]
    public void Io_printed_after_the_tick_that_followed_its_process_s_exit_still_counts_before_the_end()
    {
        var sink = ParseLines(
            Clock,
            "start 700 1 1000000001000000 3 cat",
            "exit 700 1 1000000001000000 1000000002000000000 3 cat",
            "tick 1",
            "io 700 1 1000000001000000 R 4096 3 cat ??/late",
            "tick 2");

        var tree = TreeOf(sink.Instances);

        var cat = Get(tree, 700);
        Assert.Equal((1, 4096L, TimeSpan.FromSeconds(1)), (tree.Count, cat.Reads, cat.Ended - cat.Started));
    }

    [Fact]
    public void A_pid_reused_within_one_interval_gives_each_instance_its_bytes_and_its_end()
    {
        var sink = ParseLines(
            Clock,
            "start 800 1 1000000000000000 4 bash",
            "io 800 1 1000000000000000 W 1 4 bash ??/x",
            "tick 1",
            "start 700 800 1000000001000000 4 bash",
            "exec 700 800 1000000001000000 3 cat",
            "io 700 800 1000000001000000 R 100 3 cat ??/a",
            "exit 700 800 1000000001000000 1000000001500000000 3 cat",
            "start 700 800 1000000001700000 4 bash",
            "io 700 800 1000000001700000 R 200 4 bash ??/b",
            "tick 2");

        var tree = TreeOf(sink.Instances);

        var children = tree.Latest(800, Boot)!.Children;
        Assert.Equal([("bash", 200L, (TimeSpan?)null), ("cat", 100L, TimeSpan.FromMilliseconds(500))],
            children.Select(c => (c.Name, c.Reads, c.Ended - c.Started)));
        Assert.Equal(301L, Get(tree, 800).TreeReads + Get(tree, 800).TreeWrites);
    }

    [Fact]
    public void A_child_whose_parent_the_parser_has_not_met_joins_the_running_instance_of_its_parent_pid()
    {
        // The tracer restarted: the tree knows bash (900) from the last run, this run of the parser does not.
        var tree = new ProcessTree(maxExited: 100);
        tree.Apply(new InstanceStarted(900, 5 * S, 1, 0, "bash"));
        var sink = ParseLines(Clock, "start 901 900 1000000009000000 4 bash", "io 901 900 1000000009000000 W 64 4 bash ??/y", "tick 1");

        Assert.Equal(new InstanceStarted(901, 9 * S, 900, DtraceParser.UnknownStart, "bash"), sink.Instances[0]);
        foreach (var e in sink.Instances)
            tree.Apply(e);

        Assert.Equal((900, 64L), (Get(tree, 901).Ppid, Get(tree, 900).TreeWrites));
        Assert.Equal(901, Assert.Single(tree.Latest(900, Boot)!.Children).Pid);
    }

    [Fact]
    public void Records_without_ticks_are_reported_once_too_many_are_held()
    {
        var parser = new DtraceParser();
        var sink = new RecordingSink();
        for (var pid = 1; pid <= DtraceParser.MaxHeld + 1; pid++)
            parser.Parse(Encoding.UTF8.GetBytes($"start {pid} 1 1000000001000000 2 sh"), sink);

        Assert.Equal(DtraceParser.MaxHeld + 1, sink.Instances.Count);
        Assert.All(sink.Instances, e => Assert.IsType<InstanceStarted>(e));
    }

    // ---- The D program, checked as far as it can be without a Mac ----

    [GeneratedRegex(@"^(?<probe>[a-z]+:[a-z]*:[a-z]*:[A-Za-z0-9-]+) \{ (?<body>.*) \}$")]
    private static partial Regex Clause();

    [GeneratedRegex(@"printf\(""(?<format>(?:[^""\\]|\\.)*)""(?<args>(?:, (?:[^;])+)?)\);")]
    private static partial Regex Printf();

    [GeneratedRegex(@"%[ds]")]
    private static partial Regex Conversion();

    private static readonly string[] Clauses = DtraceSource.Arguments.Where((_, i) => i > 0 && DtraceSource.Arguments[i - 1] == "-n").ToArray();

    /// <summary>The arguments of a printf, split at the commas outside parentheses and quotes.</summary>
    private static List<string> SplitArguments(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var quoted = false;
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == '(')
                depth++;
            else if (!quoted && c == ')')
                depth--;
            if (c == ',' && depth == 0 && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0)
            parts.Add(current.ToString().Trim());
        return parts;
    }

    [Fact]
    public void Every_clause_is_one_probe_with_printfs_whose_conversions_match_their_arguments()
    {
        Assert.Equal(
            ["dtrace:::BEGIN", "io:::start", "proc:::start", "proc:::exec", "proc:::exec-success", "proc:::exit", "profile:::tick-1sec"],
            Clauses.Select(c => Clause().Match(c).Groups["probe"].Value));
        foreach (var clause in Clauses)
        {
            Assert.Equal(clause.Count(c => c == '('), clause.Count(c => c == ')'));
            Assert.Equal(0, clause.Count(c => c == '"') % 2);
            var body = Clause().Match(clause).Groups["body"].Value;
            var printfs = Printf().Matches(body);
            Assert.NotEmpty(printfs);
            Assert.Equal(body, string.Join(" ", printfs.Select(p => p.Value)));
            foreach (Match printf in printfs)
            {
                var arguments = printf.Groups["args"].Value;
                var count = arguments.Length == 0 ? 0 : SplitArguments(arguments[2..]).Count;
                Assert.Equal(Conversion().Matches(printf.Groups["format"].Value).Count, count);
                Assert.EndsWith("\\n", printf.Groups["format"].Value, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>What each expression of the program prints for cc (pid 601) writing 8 KiB, and its exit.</summary>
    private static readonly Dictionary<string, string> Sample = new()
    {
        ["pid"] = "601",
        ["ppid"] = "600",
        [DtraceSource.ProcessStart] = "1765000001000000",
        ["(args[0]->b_flags & B_READ) ? \"R\" : \"W\""] = "W",
        ["args[0]->b_bcount"] = "8192",
        ["strlen(execname)"] = "2",
        ["execname"] = "cc",
        ["args[2]->fi_pathname"] = "??/build/main.o",
        ["stringof(args[0])"] = "/usr/bin/cc",
        ["walltimestamp"] = "1765000001250000000",
        ["timestamp"] = "101000000000",
    };

    /// <summary>Each printf of the program filled with <see cref="Sample"/>'s values, as dtrace would print it.</summary>
    private static List<string> Render(string clause) =>
        Printf().Matches(Clause().Match(clause).Groups["body"].Value).Select(printf =>
        {
            var values = new Queue<string>(printf.Groups["args"].Value.Length == 0
                ? []
                : SplitArguments(printf.Groups["args"].Value[2..]).Select(a => Sample[a]));
            var text = Conversion().Replace(printf.Groups["format"].Value, _ => values.Dequeue());
            Assert.EndsWith("\\n", text, StringComparison.Ordinal);
            return text[..^2];
        }).ToList();

    [Fact]
    public void What_the_program_prints_is_what_the_parser_reads()
    {
        var printed = Clauses.SelectMany(Render).ToList();
        Assert.Equal(
            [
                "iosnoopng-dtrace-clock 1765000001250000000 101000000000",
                DtraceParser.ReadyLine,
                "io 601 600 1765000001000000 W 8192 2 cc ??/build/main.o",
                "start 601 600 1765000001000000 2 cc",
                "exe 601 /usr/bin/cc",
                "exec 601 600 1765000001000000 2 cc",
                "exit 601 600 1765000001000000 1765000001250000000 2 cc",
                "tick 101000000000",
            ],
            printed);

        var parser = new DtraceParser();
        var sink = MacFixtures.ParseAll(parser, printed.Select(Encoding.UTF8.GetBytes));
        parser.Finish(sink);

        Assert.Empty(sink.Rejected);
        Assert.Equal(1, sink.ReadyCount);
        var start = SinceBoot(1_765_000_001_000_000);
        Assert.Equal(
            [
                new InstanceStarted(601, start, 600, DtraceParser.UnknownStart, "cc"),
                new InstanceExecuted(601, start, "cc", "/usr/bin/cc"),
                new InstanceIo(601, "cc", 0, 8192),
                new InstanceEnded(601, start, 250 * Ms, "cc"),
            ],
            sink.Instances);
    }

    [Fact]
    public void The_program_uses_only_the_probes_the_readme_documents()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        var section = readme[readme.IndexOf("### Process trees on macOS", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n## ", StringComparison.Ordinal)];
        foreach (var probe in Clauses.Select(c => Clause().Match(c).Groups["probe"].Value))
            Assert.Contains($"`{probe}`", section, StringComparison.Ordinal);
    }
}
