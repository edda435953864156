using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// The daemon with the real bpftrace source and a database, stopped and started again without a tracer: the
/// disk figures a process had come back with its file figures (real kernel, root).
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceRestartSpecs : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly Workload _work = new();

    public void Dispose() => _work.Dispose();

    private static async Task<long> DiskWritten(RunningDaemon daemon, string process)
    {
        var text = await daemon.Http.GetStringAsync("/metrics");
        var m = Regex.Match(text, $"^iosnoopng_disk_written_bytes_total\\{{process_name=\"{Regex.Escape(process)}\"\\}} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task A_restart_keeps_the_disk_figures_of_each_process_and_file()
    {
        var cancel = TestContext.Current.CancellationToken;
        var db = Path.Combine(_work.Folder("db"), "iosnoopng.db");
        var writer = _work.Copy("/usr/bin/dd", "ddo");
        var file = Path.Combine(_work.Folder("data"), "direct.bin");
        var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = _work.Folder("program") });
        var problems = source.Preflight();
        Assert.True(problems.Count == 0, "this machine cannot trace: " + string.Join("; ", problems));

        long diskBefore;
        string filesBefore;
        await using (var first = await RunningDaemon.Start(new DaemonOptions { Database = db, FlushIntervalSeconds = 3600 }, source))
        {
            await first.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
            // O_DIRECT: the disk writes are charged at the call, no writeback to wait for.
            await Workload.RunAsync(writer.Path, ["if=/dev/zero", $"of={file}", "bs=1M", "count=8", "oflag=direct", "status=none"], cancel);
            diskBefore = await Poll.Until(() => DiskWritten(first, writer.Name), d => d >= 8 * MiB, TimeSpan.FromSeconds(30), "disk writes of " + writer.Name);
            filesBefore = await first.Http.GetStringAsync("/api/stats/" + Uri.EscapeDataString(writer.Name), cancel);
            Assert.Equal(8 * MiB, JsonDocument.Parse(filesBefore).RootElement.GetProperty(file).GetProperty("writes").GetInt64());
        }

        await using var second = await RunningDaemon.Start(new DaemonOptions { Database = db, NoTracer = true });
        Assert.Equal(diskBefore, await Poll.Until(() => DiskWritten(second, writer.Name), d => d > 0, TimeSpan.FromSeconds(30), "disk writes after the restart"));
        var filesAfter = JsonDocument.Parse(await second.Http.GetStringAsync("/api/stats/" + Uri.EscapeDataString(writer.Name), cancel)).RootElement;
        Assert.Equal(8 * MiB, filesAfter.GetProperty(file).GetProperty("writes").GetInt64());
        var totals = (await second.WaitForStatus(_ => true, TimeSpan.FromSeconds(30))).GetProperty("totals");
        Assert.True(totals.GetProperty("diskWrites").GetInt64() >= diskBefore);
    }
}
