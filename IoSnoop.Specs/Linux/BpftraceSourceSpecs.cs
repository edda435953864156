using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

public sealed class BpftraceSourceSpecs
{
    [Fact]
    public void It_names_itself_and_what_it_measures()
    {
        var source = new BpftraceSource();

        Assert.Equal("bpftrace", source.Name);
        Assert.Equal("file I/O at the system-call layer (page-cache hits included) and disk I/O (page-cache misses and readahead, dirtied bytes, O_DIRECT; per-disk block-layer totals)", source.Measures);
        Assert.True(source.SignalsReady);
        Assert.True(source.ReadyTimeout >= TimeSpan.FromSeconds(20));
        Assert.InRange(source.StopGracePeriod, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.IsType<BpftraceParser>(source.CreateParser());
    }

    [Fact]
    public void The_command_hands_the_shells_pid_to_the_program_and_execs_bpftrace_with_its_settings()
    {
        var source = new BpftraceSource(new BpftraceOptions { MapKeysMax = 5000, StringLength = 100 });

        var command = source.Command("/usr/bin/bpftrace", "/run/iosnoopng/iosnoop.bt");

        Assert.Equal("sh", command.Program);
        Assert.Equal(
            ["-c", "exec env BPFTRACE_MAP_KEYS_MAX=5000 BPFTRACE_STRLEN=100 \"$1\" -B line -q --no-warnings \"$2\" $$", "sh", "/usr/bin/bpftrace", "/run/iosnoopng/iosnoop.bt"],
            command.Arguments);
    }

    [Fact]
    public void The_program_is_embedded_and_written_where_configured()
    {
        var directory = Directory.CreateTempSubdirectory("iosnoop-program-");
        try
        {
            var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = directory.FullName });

            var command = source.Prepare();

            var written = Path.Combine(directory.FullName, "iosnoop.bt");
            Assert.Equal(BpftraceSource.ProgramText, File.ReadAllText(written));
            Assert.Equal(written, command.Arguments[^1]);
            Assert.Single(directory.GetFiles());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_program_traces_all_thirteen_calls_at_both_ends()
    {
        var program = BpftraceSource.ProgramText;
        string[] calls = ["read", "pread64", "readv", "preadv", "preadv2", "write", "pwrite64", "writev", "pwritev", "pwritev2", "sendfile64", "copy_file_range", "splice"];

        Assert.All(calls, call =>
        {
            Assert.Matches($@"tracepoint:syscalls:sys_enter_{call}\b", program);
            Assert.Matches($@"tracepoint:syscalls:sys_exit_{call}\b", program);
        });
        Assert.Contains("printf(\"READY\\n\")", program);
        Assert.Contains("/pid != $1/", program);
    }

    [Theory]
    [InlineData("ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try \"ulimit -l 8192\" to fix the problem", StderrKind.Noise, 0)]
    [InlineData("", StderrKind.Noise, 0)]
    [InlineData("Lost 42 events", StderrKind.Dropped, 42)]
    [InlineData("Lost some events", StderrKind.Dropped, 1)]
    [InlineData("WARNING: something odd", StderrKind.Warning, 0)]
    [InlineData("Attaching 40 probes...", StderrKind.Warning, 0)]
    public void Stderr_lines_are_classified(string line, StderrKind kind, long drops)
    {
        var classified = BpftraceSource.ClassifyStderrLine(line);

        Assert.Equal(kind, classified.Kind);
        Assert.Equal(drops, classified.Drops);
    }

    [Fact]
    public void Errors_other_than_the_memlock_one_are_problems_to_show()
    {
        var notRoot = BpftraceSource.ClassifyStderrLine("ERROR: bpftrace currently only supports running as the root user.");
        var attach = BpftraceSource.ClassifyStderrLine("ERROR: Error attaching probe: tracepoint:syscalls:sys_enter_read");

        Assert.Equal(new StderrLine(StderrKind.Problem, Message: "bpftrace must run as root: run iosnoopng as root."), notRoot);
        Assert.Equal(StderrKind.Problem, attach.Kind);
        Assert.Equal("bpftrace failed: Error attaching probe: tracepoint:syscalls:sys_enter_read", attach.Message);
    }
}
