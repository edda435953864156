using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// A feed that writes far faster than the daemon can aggregate, into the real executable through a named
/// pipe: the daemon takes lines only as fast as it adds them up (the writer waits on the full pipe), so
/// what is in flight and the daemon's memory stay bounded, and every line is counted.
/// </summary>
public sealed class BackPressureSpecs : IDisposable
{
    private const int Processes = 200;
    private const int Paths = 2000;
    private const int LinesPerBlock = 40_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-flood-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static byte[] Block()
    {
        var text = new StringBuilder();
        for (var i = 0; i < LinesPerBlock; i++)
            text.Append($"flooder-{i % Processes}|{i % 3}|{i % 7 + 1}|/flood/dir-{i % 50}/file-{i % Paths}\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [Fact]
    public async Task A_flood_is_taken_only_as_fast_as_it_is_counted_and_memory_stays_bounded()
    {
        var cancel = TestContext.Current.CancellationToken;
        var block = Block();
        var bytesPerBlock = Enumerable.Range(0, LinesPerBlock).Sum(i => (long)(i % 7 + 1));
        await using var pipe = NamedPipe.Create(_dir);
        await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", pipe.Path);
        var writer = await pipe.Writer(TimeSpan.FromSeconds(30));
        // The replay may open the pipe before the HTTP server listens (slower on a loaded machine).
        await daemon.WaitFor("/api/status", _ => true, TimeSpan.FromSeconds(30));
        using var process = Process.GetProcessById(daemon.Pid);

        long blocksWritten = 0;
        var waiting = new Stopwatch();
        using var flood = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var writing = Task.Run(async () =>
        {
            while (!flood.IsCancellationRequested)
            {
                waiting.Start();
                await writer.WriteAsync(block, cancel);
                waiting.Stop();
                Interlocked.Increment(ref blocksWritten);
            }
        }, cancel);

        long maxBacklog = 0;
        long maxRss = 0;
        long rssAfterWarmUp = 0;
        var started = Stopwatch.StartNew();
        while (!writing.IsCompleted)
        {
            await Task.Delay(250, cancel);
            var written = Interlocked.Read(ref blocksWritten) * LinesPerBlock;
            var status = await daemon.Http.GetFromJsonAsync<JsonElement>("/api/status", cancel);
            var ingested = status.GetProperty("totals").GetProperty("events").GetInt64();
            process.Refresh();
            // The block being written when sampled may be partly ingested already.
            maxBacklog = Math.Max(maxBacklog, written - ingested);
            maxRss = Math.Max(maxRss, process.WorkingSet64);
            if (rssAfterWarmUp == 0 && started.Elapsed > TimeSpan.FromSeconds(2))
                rssAfterWarmUp = process.WorkingSet64;
        }
        await writing;
        await writer.DisposeAsync();

        var lines = blocksWritten * LinesPerBlock;
        var stats = await daemon.WaitFor("/api/status", s => s.GetProperty("source").GetProperty("state").GetString() == "stopped",
            TimeSpan.FromSeconds(60));
        var totals = stats.GetProperty("totals");
        Assert.Equal(lines, totals.GetProperty("events").GetInt64());
        Assert.Equal(blocksWritten * bytesPerBlock, totals.GetProperty("reads").GetInt64() + totals.GetProperty("writes").GetInt64());
        Assert.Equal(0, totals.GetProperty("malformedLines").GetInt64());

        var mib = 1024.0 * 1024;
        var figures = $"{lines:N0} lines in 8 s, the writer waited {waiting.Elapsed.TotalSeconds:0.0} s, backlog at most " +
                      $"{maxBacklog:N0} lines, RSS {rssAfterWarmUp / mib:0} MiB after 2 s, at most {maxRss / mib:0} MiB";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        // The writer spent most of its time waiting on the full pipe: the flood was faster than the daemon.
        Assert.True(waiting.Elapsed > TimeSpan.FromSeconds(4), figures);
        // In flight at most: the pipe, the stream's buffers and a batch or two (a batch stops at 1M events).
        Assert.True(maxBacklog < 3_000_000, figures);
        Assert.True(maxRss < rssAfterWarmUp + 200 * mib, figures);
        Assert.Equal(0, await daemon.Terminate(TimeSpan.FromSeconds(60)));
    }
}
