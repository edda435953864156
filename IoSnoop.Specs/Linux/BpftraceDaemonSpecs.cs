using System.Text.Json;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// The whole daemon with the real bpftrace source on the real kernel (root): short-lived processes under
/// unique names, files of known sizes, the HTTP API checked to the byte. Fails with the preflight's
/// reasons on a machine that cannot trace.
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceDaemonSpecs : IAsyncLifetime
{
    private RunningDaemon _daemon = null!;
    private readonly Workload _work = new();

    public async ValueTask InitializeAsync()
    {
        // The program goes into the spec's own folder, not /run/iosnoopng.
        var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = _work.Folder("program") });
        var problems = source.Preflight();
        Assert.True(problems.Count == 0, "this machine cannot trace: " + string.Join("; ", problems));
        _daemon = await RunningDaemon.Start(new DaemonOptions(), source);
        await _daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "running",
            TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _work.Dispose();
    }

    private Task<JsonElement> WaitForFiles(string process, Func<JsonElement, bool> condition) =>
        Poll.Until(async () => JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/stats/" + Uri.EscapeDataString(process))).RootElement,
            condition, TimeSpan.FromSeconds(30), $"/api/stats/{process}");

    [Fact]
    public async Task Short_lived_processes_show_in_the_api_with_exact_bytes_per_full_path()
    {
        var cancel = TestContext.Current.CancellationToken;
        var dd = _work.Copy("/usr/bin/dd", "dd");
        var folder = _work.Folder("data");
        var written = Path.Combine(folder, "written.bin");
        for (var run = 0; run < 3; run++) // three processes, one name: summed
            await Workload.RunAsync(dd.Path, ["if=/dev/zero", $"of={written}", "bs=4096", "count=10", "conv=notrunc"], cancel);
        await Workload.RunAsync(dd.Path, [$"if={written}", "of=/dev/null", "bs=1000"], cancel);

        var files = await WaitForFiles(dd.Name, f => f.TryGetProperty(written, out var w)
                                                      && w.GetProperty("writes").GetInt64() >= 3 * 40960
                                                      && w.GetProperty("reads").GetInt64() >= 40960);
        var entry = files.GetProperty(written);
        Assert.Equal(3 * 40960, entry.GetProperty("writes").GetInt64());
        Assert.Equal(40960, entry.GetProperty("reads").GetInt64());
        // /dev/zero and /dev/null are devices, not files.
        Assert.All(files.EnumerateObject(), f => Assert.StartsWith("/", f.Name));
        Assert.DoesNotContain(files.EnumerateObject(), f => f.Name.StartsWith("/dev/", StringComparison.Ordinal));

        var stats = JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/stats")).RootElement;
        Assert.True(stats.GetProperty("processStats").GetProperty(dd.Name).GetProperty("writes").GetInt64() >= 3 * 40960);
        var status = JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/status")).RootElement;
        Assert.Equal("file I/O at the system-call layer (page-cache hits included) and disk I/O (page-cache misses and readahead, dirtied bytes, O_DIRECT; per-disk block-layer totals)",
            status.GetProperty("source").GetProperty("measures").GetString());
        Assert.Equal(["file", "disk"], status.GetProperty("source").GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
    }
}
