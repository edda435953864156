using System.Diagnostics;
using System.Text;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// The real executable stopped by a signal while it is reading a live feed (a named pipe whose writer
/// stays open, so its read blocks as on a running tracer): it exits 0, without any of its stop deadlines having to step in.
/// </summary>
public sealed class ShutdownSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-shutdown-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_the_daemon_reading_a_live_feed_with_exit_code_zero_within_seconds(string signal)
    {
        await using var pipe = NamedPipe.Create(_dir);
        await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", pipe.Path);
        var writer = await pipe.Writer(TimeSpan.FromSeconds(30));
        await writer.WriteAsync(Encoding.UTF8.GetBytes("cc|0|100|/o/a.o\nld|1|7|/bin/app\n"), TestContext.Current.CancellationToken);
        await writer.FlushAsync(TestContext.Current.CancellationToken);
        await daemon.WaitFor("/api/stats", s => s.GetProperty("events").GetInt64() == 2, TimeSpan.FromSeconds(30));

        var stopwatch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", [$"-{signal}", daemon.Pid.ToString()]))
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        var code = await daemon.WaitForExit(TimeSpan.FromSeconds(60));
        TestContext.Current.TestOutputHelper?.WriteLine($"stopped in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, code);
        Assert.Contains("Application is shutting down", daemon.Output);
        // The blocked read ended with the stop: none of the daemon's deadlines (the tracer actor's, the shutdown
        // phase's) had to cut it short, which a slow machine makes take longer but not happen.
        Assert.DoesNotContain("did not end in time", daemon.Output);
        Assert.DoesNotContain("did not stop within", daemon.Output);
        Assert.DoesNotContain("timed out", daemon.Output);
    }
}
