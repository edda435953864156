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
/// bytes show under that group in <c>/api/groups</c>, on its instance and in <c>/metrics</c>; and a script's dd that
/// writes with fsync shows its disk bytes on its instance, in the script's tree and in its group.
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

    /// <summary>The answer, or null when it is a 404.</summary>
    private async Task<JsonElement?> Found(string path)
    {
        using var response = await _daemon.Http.GetAsync(path, Cancel);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
    }

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

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_process_that_writes_to_the_disk_shows_its_disk_bytes_on_its_instance_its_parents_tree_and_its_group()
    {
        const long Size = 16L << 20;
        var mount = Cgroups.UnifiedMount(await File.ReadAllTextAsync("/proc/self/mountinfo", Cancel));
        Assert.True(mount is not null, "this machine has no cgroup v2 hierarchy mounted");
        var name = "iosnoopng-spec-" + Guid.NewGuid().ToString("N")[..12];
        _cgroup = Path.Combine(mount, name);
        Directory.CreateDirectory(_cgroup);
        var group = "/" + name;

        // A uniquely named script moves itself into the cgroup and runs dd, which writes 16 MiB and fsyncs them
        // (the spec's folder is on the machine's disk). The script keeps the group it started in until it runs a
        // program; dd, forked after the move, starts in the new one.
        var dd = _work.Copy("/usr/bin/dd", "dd");
        var output = Path.Combine(_work.Folder("data"), "disk.bin");
        var scriptName = "dk" + Guid.NewGuid().ToString("N")[..10];
        var script = _work.Script(scriptName, $"""
            #!/bin/sh
            echo $$ > '{_cgroup}/cgroup.procs'
            '{dd.Path}' if=/dev/zero of='{output}' bs=1M count=16 conv=fsync status=none
            exit 0

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var writer = Process.Start(new ProcessStartInfo(script) { UseShellExecute = false })!;
        var scriptPid = writer.Id;
        await writer.WaitForExitAsync(Cancel);
        Assert.Equal(0, writer.ExitCode);
        Assert.Equal(Size, new FileInfo(output).Length);

        static long Long(JsonElement e, string property) => e.GetProperty(property).GetInt64();
        // A 404 until the tracer has reported the script.
        var parent = (await Poll.Until(() => Found($"/api/processes/{scriptPid}"),
            i => i is { } found && found.GetProperty("children").EnumerateArray().Any(c => c.GetProperty("name").GetString() == dd.Name
                                                                    && Long(c, "writes") == Size
                                                                    && c.GetProperty("ended").ValueKind == JsonValueKind.String),
            TimeSpan.FromSeconds(30), $"/api/processes/{scriptPid}", i => i?.ToString() ?? "not found"))!.Value;
        var child = parent.GetProperty("children").EnumerateArray().Single(c => c.GetProperty("name").GetString() == dd.Name);

        // dd's own disk writes: what it dirtied, within 5 % of what it wrote (exact on a quiet machine).
        var diskWrites = Long(child, "diskWrites");
        TestContext.Current.TestOutputHelper?.WriteLine($"dd wrote {Long(child, "writes")} bytes, dirtied {diskWrites}, read {Long(child, "diskReads")} from the disk");
        Assert.True(Math.Abs(diskWrites - Size) <= Size / 20, $"dd's diskWrites {diskWrites}, expected {Size} ± 5 %: {child}");
        Assert.Equal((Long(child, "diskReads"), diskWrites), (Long(child, "treeDiskReads"), Long(child, "treeDiskWrites")));
        // The script's tree holds them: its own disk bytes plus its children's trees.
        var children = parent.GetProperty("children").EnumerateArray().ToArray();
        Assert.Equal(Long(parent, "diskWrites") + children.Sum(c => Long(c, "treeDiskWrites")), Long(parent, "treeDiskWrites"));
        Assert.Equal(Long(parent, "diskReads") + children.Sum(c => Long(c, "treeDiskReads")), Long(parent, "treeDiskReads"));
        Assert.True(Long(parent, "treeDiskWrites") >= diskWrites, parent.ToString());

        // The group sums the bytes of its instances (dd), disk bytes included, in the API and in Prometheus.
        var groups = await Poll.Until(() => Get("/api/groups"),
            g => g.TryGetProperty(group, out var mine) && Long(mine, "diskWrites") >= diskWrites, TimeSpan.FromSeconds(30),
            "/api/groups", g => g.ToString());
        var figures = groups.GetProperty(group);
        var members = (await Get("/api/processes?group=" + Uri.EscapeDataString(group))).EnumerateArray().ToArray();
        Assert.Contains(members, m => m.GetProperty("pid").GetInt32() == child.GetProperty("pid").GetInt32());
        // processes counts every instance that was in the group, one that moved on included (the script, when its record
        // of the move came first): at least those in it now.
        var summed = (members.Sum(m => Long(m, "writes")), members.Sum(m => Long(m, "diskReads")), members.Sum(m => Long(m, "diskWrites")));
        Assert.True(summed == (Long(figures, "writes"), Long(figures, "diskReads"), Long(figures, "diskWrites")) && Long(figures, "processes") >= members.Length,
            $"the group {figures}, its instances {string.Join(", ", members.Select(m => m.ToString()))}; the script {await Get($"/api/processes/{scriptPid}")}");
        Assert.True(Math.Abs(Long(figures, "diskWrites") - Size) <= Size / 20, figures.ToString());
        var metrics = await _daemon.Http.GetStringAsync("/metrics", Cancel);
        Assert.Contains($"iosnoopng_group_disk_written_bytes_total{{group=\"{group}\"}} {Long(figures, "diskWrites")}", metrics);
        Assert.Contains($"iosnoopng_group_disk_read_bytes_total{{group=\"{group}\"}} {Long(figures, "diskReads")}", metrics);
    }
}
