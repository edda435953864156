using System.Text.Json;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.EndToEnd;

/// <summary>The real executable fed a generated trace; totals checked against sums computed from the file.</summary>
public sealed class ReplayEndToEndSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static void AssertTotals(TraceFiles.Expected expected, JsonElement stats)
    {
        Assert.Equal(expected.Events, stats.GetProperty("events").GetInt64());
        var processes = stats.GetProperty("processStats");
        Assert.Equal(expected.Processes.Count, processes.EnumerateObject().Count());
        foreach (var (name, (reads, writes)) in expected.Processes)
        {
            Assert.True(processes.TryGetProperty(name, out var p), $"missing {name}");
            Assert.Equal((reads, writes), (p.GetProperty("reads").GetInt64(), p.GetProperty("writes").GetInt64()));
        }
    }

    [Fact]
    public async Task A_replayed_trace_gives_the_totals_of_the_file()
    {
        var trace = TraceFiles.Generate(_dir, events: 200_000, procs: 150, paths: 5_000, hostile: true);
        var expected = TraceFiles.Sum(trace);
        await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", trace);
        await daemon.WaitFor("/api/status", s => s.GetProperty("source").GetProperty("state").GetString() == "stopped",
            TimeSpan.FromSeconds(60));
        AssertTotals(expected, await daemon.WaitFor("/api/stats", _ => true, TimeSpan.FromSeconds(30)));
        var status = await daemon.WaitFor("/api/status", _ => true, TimeSpan.FromSeconds(30));
        var lines = File.ReadAllBytes(trace).Count(b => b == (byte)'\n');
        Assert.Equal(lines - expected.Events, status.GetProperty("totals").GetProperty("malformedLines").GetInt64());
        Assert.Equal(0, await daemon.Terminate(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_replayed_bpftrace_recording_with_disk_figures_says_it_measures_both_layers()
    {
        const uint disk = 254u << 20; // 254:0
        var trace = Path.Combine(_dir, "bpftrace.trace");
        await File.WriteAllLinesAsync(trace,
        [
            "READY",
            $"@B0[42, reader, {disk}, 77, 9, 0]: 8192",
            $"@N0[42, reader, {disk}, 77, 9, 0]: 2",
            $"@C0[{disk}, 77, 9, 0, 5]: a.bin",
            $"@C0[{disk}, 77, 9, 1, 4]: data",
            $"@C0[{disk}, 77, 9, 2, 0]: /",
            $"@D0[42, reader, {disk}, 77, 9, 0]: 4096",
            $"@K0[{disk}, 0, 0]: 12288",
            $"@K0[{disk}, 1, 0]: 8192",
            $"@Q0[{disk}, 0, 0]: 3",
            $"@Q0[{disk}, 1, 0]: 2",
            "T 1",
        ]);
        await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", trace, "--db", "none");
        var status = await daemon.WaitFor("/api/status", s => s.GetProperty("source").GetProperty("state").GetString() == "stopped",
            TimeSpan.FromSeconds(60));
        var source = status.GetProperty("source");
        Assert.Equal(["file", "disk"], source.GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("disk figures", source.GetProperty("layersNote").GetString());
        Assert.DoesNotContain("no disk figures", source.GetProperty("layersNote").GetString());
        var totals = status.GetProperty("totals");
        Assert.Equal((8192, 4096), (totals.GetProperty("reads").GetInt64(), totals.GetProperty("diskReads").GetInt64()));
        Assert.Equal(0, await daemon.Terminate(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task The_original_way_to_replay_a_raw_log_without_tracing_works()
    {
        var trace = TraceFiles.Generate(_dir, events: 50_000, procs: 40, paths: 2_000, seed: 3);
        var expected = TraceFiles.Sum(trace);
        await using var daemon = DaemonProcess.Start("-r", "-o", trace, "-n");
        var stats = await daemon.WaitFor("/api/stats", s => s.GetProperty("events").GetInt64() == expected.Events,
            TimeSpan.FromSeconds(60));
        AssertTotals(expected, stats);
        Assert.Equal(0, await daemon.Terminate(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Sigterm_stops_the_daemon_with_exit_code_zero()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "x|0|1|/x\n");
        await using var daemon = DaemonProcess.Start("-r", "-o", trace, "-n", "-l", "debug");
        await daemon.WaitFor("/api/stats", s => s.GetProperty("events").GetInt64() == 1, TimeSpan.FromSeconds(30));
        Assert.Equal(0, await daemon.Terminate(TimeSpan.FromSeconds(60)));
        Assert.Contains("Application is shutting down", daemon.Output);
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("--nope")]
    [InlineData("-t", "lots")]
    [InlineData("-l", "loud")]
    [InlineData("-a")]
    [InlineData("stray")]
    [InlineData("-r")]
    public async Task Bad_command_lines_print_usage_and_exit_non_zero(params string[] args)
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), args);
        Assert.Equal(2, code);
        Assert.Contains("Usage: iosnoopng", output);
    }
}
