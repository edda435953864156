using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// The real executable with its real tracer child (bpftrace, Linux as root), stopped with SIGTERM: the
/// tracer is asked to stop, prints its last interval, which is read to the end (the raw log ends with the
/// program's closing line), no tracer is left behind, and the daemon exits 0 within seconds.
/// </summary>
public sealed class TracerShutdownSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-stop-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static IEnumerable<int> Children(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Select(task => Path.Combine(task, "children"))
            .Where(File.Exists)
            .SelectMany(file => File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse);

    private static string Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    [Fact]
    public async Task Sigterm_stops_the_tracer_child_reads_its_last_output_and_exits_zero_within_seconds()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "bpftrace is the Linux source");
        var problems = new BpftraceSource().Preflight();
        Assert.True(problems.Count == 0, "this machine cannot trace: " + string.Join("; ", problems));
        var cancel = TestContext.Current.CancellationToken;
        var port = DaemonProcess.FreePort();
        var rawLog = Path.Combine(_dir, "raw.log");
        var output = new StringBuilder();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The bpftrace program goes into this spec's folder.
            Environment = { ["RUNTIME_DIRECTORY"] = _dir },
        };
        foreach (var a in new[] { DaemonProcess.Executable, "--source", "bpftrace", "-a", $"127.0.0.1:{port}", "-o", rawLog, "--db", "none" })
            info.ArgumentList.Add(a);
        using var daemon = Process.Start(info)!;
        daemon.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        daemon.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Poll.Until(async () =>
            {
                Assert.False(daemon.HasExited, $"iosnoopng exited: {Said(output)}");
                try
                {
                    var status = await http.GetFromJsonAsync<JsonElement>("/api/status", cancel);
                    return status.GetProperty("source").GetProperty("state").GetString() == "running";
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }
            }, TimeSpan.FromSeconds(90), "bpftrace to become ready", () => Said(output));
            var tracer = Children(daemon.Id).Single(pid => Command(pid) == "bpftrace");

            var stopwatch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", daemon.Id.ToString()]))
                await kill.WaitForExitAsync(cancel);
            using (var within = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
                await daemon.WaitForExitAsync(within.Token);
            var took = stopwatch.Elapsed;
            var said = Said(output);

            Assert.Equal(0, daemon.ExitCode);
            Assert.False(ChildProcesses.IsAlive(tracer) && Command(tracer) == "bpftrace", "the tracer outlived the daemon");
            // bpftrace needs a few seconds after SIGINT to print its last sums (BpftraceOptions.StopGracePeriod): it
            // stopped by itself, no deadline of the daemon's had to cut the stop short.
            Assert.DoesNotContain("did not stop within", said);
            Assert.DoesNotContain("did not end in time", said);
            Assert.DoesNotContain("timed out", said);
            var lastLine = File.ReadLines(rawLog).LastOrDefault(l => l.Length > 0);
            Assert.StartsWith("@zend: ", lastLine);
            TestContext.Current.TestOutputHelper?.WriteLine($"stopped in {took.TotalSeconds:0.0} s");
        }
        finally
        {
            if (!daemon.HasExited)
                daemon.Kill(entireProcessTree: true);
        }
    }

    private static string Said(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }
}
