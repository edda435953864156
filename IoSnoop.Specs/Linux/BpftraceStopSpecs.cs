using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Specs.Linux;

/// <summary>Stopping bpftrace the way the pipeline does: SIGINT, then stdout to its end.</summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceStopSpecs
{
    private const string Writer = """
        import os, random, sys
        d = sys.argv[1]
        i = 0
        while True:
            fd = os.open(os.path.join(d, "f%05d" % (i % 20000)), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.write(fd, b"x" * random.randint(1, 300))
            os.close(fd)
            i += 1
            if i % 100 == 0:
                print(i, flush=True)
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stop_in_the_middle_of_heavy_writing_loses_no_byte_counts_none_twice_and_leaves_no_bpftrace(bool awayFromTheMarker)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var work = new Workload();
        var python = work.Python();
        var script = work.Script("writer.py", Writer);
        var data = work.Folder("w");
        await using var run = await TracerRun.StartAsync(cancellation);

        var written = 0L;
        using var writer = new System.Diagnostics.Process
        {
            StartInfo = new System.Diagnostics.ProcessStartInfo(python.Path, [script, data]) { RedirectStandardOutput = true },
        };
        writer.OutputDataReceived += (_, line) =>
        {
            if (long.TryParse(line.Data, out var count))
                Interlocked.Exchange(ref written, count);
        };
        writer.Start();
        writer.BeginOutputReadLine();
        try
        {
            // Stop while the writer is busy and the tracer has handed out at least one interval of it.
            await run.WaitUntilAsync(() => run.Sink.Under(python.Name, IoDirection.Write, data).Count > 0, TimeSpan.FromSeconds(60), "the writer's first bytes", cancellation);
            await run.WaitForIntervalsAsync(1, cancellation);
            if (awayFromTheMarker)
            {
                // Right after a marker the hand-out is over; some hundred writes later it may be anywhere.
                var before = Interlocked.Read(ref written);
                await run.WaitUntilAsync(() => Interlocked.Read(ref written) >= before + 300, TimeSpan.FromSeconds(60), "300 more writes", cancellation);
            }
            TracerRun.Signal(writer.Id, TracerRun.SigStop); // its last write call has returned once it stops

            var stopped = await run.StopAsync();

            Assert.True(stopped, $"bpftrace did not exit within {run.Source.StopGracePeriod} of SIGINT");
            Assert.True(run.Finished, "the output did not end with @zend");
            // A file the writer stopped between open and write has no bytes and no event.
            var onDisk = new DirectoryInfo(data).GetFiles().Where(f => f.Length > 0).ToDictionary(f => f.FullName, f => f.Length);
            var traced = run.Sink.Under(python.Name, IoDirection.Write, data);
            Assert.True(onDisk.Count > 100, $"only {onDisk.Count} files were written");
            Assert.Equal(onDisk.Values.Sum(), traced.Values.Sum());
            Assert.Equal(onDisk.OrderBy(f => f.Key), traced.OrderBy(f => f.Key));
            Assert.Empty(run.Sink.MalformedLines);
            Assert.Equal(0, run.Sink.Dropped);
            Assert.False(Directory.Exists($"/proc/{run.Pid}"), $"bpftrace (pid {run.Pid}) is still there");
            Assert.DoesNotContain(BpftraceChildren(), pid => pid == run.Pid);
        }
        finally
        {
            writer.Kill(); // SIGKILL ends it even while stopped
            await writer.WaitForExitAsync(cancellation);
        }
    }

    /// <summary>bpftrace processes whose parent is this test process.</summary>
    private static IEnumerable<int> BpftraceChildren()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            if (stat.Contains("(bpftrace)", StringComparison.Ordinal) && int.Parse(fields[1]) == Environment.ProcessId)
                yield return pid;
        }
    }
}
