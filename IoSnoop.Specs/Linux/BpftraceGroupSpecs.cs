using System.Diagnostics;
using System.Text.Json;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// Groups through the whole daemon with the real bpftrace source on the real kernel (root): the spec makes a
/// cgroup of its own under the unified hierarchy, a uniquely named dd moves into it before it writes, and its
/// bytes show under that group in <c>/api/groups</c>, on its instance and in <c>/metrics</c>.
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceGroupSpecs : IAsyncLifetime
{
    private RunningDaemon _daemon = null!;
    private readonly Workload _work = new();
    private string? _cgroup;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
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
        if (_cgroup is not null && Directory.Exists(_cgroup))
        {
            // Its processes have exited (the spec waited for them); the kernel may take a moment to let it go.
            await Poll.Until(() => Task.FromResult(TryRemove(_cgroup)), removed => removed, TimeSpan.FromSeconds(10),
                "the spec's cgroup removed", _ => _cgroup);
        }
        _work.Dispose();
    }

    private static bool TryRemove(string cgroup)
    {
        try
        {
            Directory.Delete(cgroup);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task<JsonElement> Get(string path) =>
        JsonDocument.Parse(await _daemon.Http.GetStringAsync(path, Cancel)).RootElement.Clone();

    [Fact]
    public async Task A_process_moved_into_a_cgroup_before_it_writes_shows_its_bytes_under_that_group()
    {
        var mount = Cgroups.UnifiedMount(await File.ReadAllTextAsync("/proc/self/mountinfo", Cancel));
        Assert.True(mount is not null, "this machine has no cgroup v2 hierarchy mounted");
        var name = "iosnoopng-spec-" + Guid.NewGuid().ToString("N")[..12];
        _cgroup = Path.Combine(mount, name);
        Directory.CreateDirectory(_cgroup);
        var group = "/" + name; // not a systemd unit or a container: the path as it is
        Assert.Equal(group, Cgroups.ReadableName(group));

        var dd = _work.Copy("/usr/bin/dd", "dd");
        var output = Path.Combine(_work.Folder("data"), "out.bin");
        // The shell moves itself into the cgroup, then becomes dd, which writes 5 × 1000 bytes.
        using var writer = Process.Start(new ProcessStartInfo("/bin/sh",
            ["-c", $"echo $$ > '{_cgroup}/cgroup.procs' && exec '{dd.Path}' if=/dev/zero of='{output}' bs=1000 count=5 status=none"])
        {
            UseShellExecute = false,
        })!;
        var pid = writer.Id;
        await writer.WaitForExitAsync(Cancel);
        Assert.Equal(0, writer.ExitCode);
        Assert.Equal(5000, new FileInfo(output).Length);

        var groups = await Poll.Until(() => Get("/api/groups"),
            g => g.TryGetProperty(group, out var mine) && mine.GetProperty("writes").GetInt64() == 5000, TimeSpan.FromSeconds(30),
            "/api/groups", g => g.ToString());
        var figures = groups.GetProperty(group);
        var listed = await Get("/api/processes?group=" + Uri.EscapeDataString(group));
        Assert.True(figures.GetProperty("processes").GetInt64() == 1, $"{groups}; the group's instances: {listed}");
        Assert.Equal([pid], listed.EnumerateArray().Select(i => i.GetProperty("pid").GetInt32()));

        // The instance carries it, and the list filters by it.
        var instance = await Get($"/api/processes/{pid}");
        Assert.Equal((group, dd.Name, 5000L), (instance.GetProperty("group").GetString(), instance.GetProperty("name").GetString(),
            instance.GetProperty("writes").GetInt64()));
        Assert.Equal(figures.GetProperty("reads").GetInt64(), instance.GetProperty("reads").GetInt64());

        // Prometheus.
        var metrics = await _daemon.Http.GetStringAsync("/metrics", Cancel);
        Assert.Contains($"iosnoopng_group_written_bytes_total{{group=\"{group}\"}} 5000", metrics);
        Assert.Contains($"iosnoopng_group_read_bytes_total{{group=\"{group}\"}} {figures.GetProperty("reads").GetInt64()}", metrics);
    }
}
