using System.Diagnostics;
using System.Text.Json;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// Process trees through the whole daemon with the real bpftrace source on the real kernel (root): a
/// uniquely named script starts, three levels deep, uniquely named copies of dd that write known sizes;
/// <c>/api/processes/{pid}</c> shows each level's own and tree bytes, names, executables and parents.
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceTreeSpecs : IAsyncLifetime
{
    private RunningDaemon _daemon = null!;
    private readonly Workload _work = new();
    private string? _ddName;

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
        // A background dd still waiting on its FIFO (the spec failed before feeding it) is ended: its name is ours alone.
        if (_ddName is not null)
            foreach (var left in Process.GetProcessesByName(_ddName))
                using (left)
                    left.Kill();
        await _daemon.DisposeAsync();
        _work.Dispose();
    }

    private async Task<JsonElement> Instance(int pid)
    {
        using var response = await _daemon.Http.GetAsync($"/api/processes/{pid}", Cancel);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone();
    }

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : -1;

    private static JsonElement[] Children(JsonElement e) => e.GetProperty("children").EnumerateArray().ToArray();

    private static JsonElement Named(IEnumerable<JsonElement> instances, string name) =>
        Assert.Single(instances, i => i.GetProperty("name").GetString() == name);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_script_tree_shows_exact_own_and_tree_bytes_at_each_level()
    {
        var dd = _work.Copy("/usr/bin/dd", "dd");
        _ddName = dd.Name;
        var data = _work.Folder("data");
        var fifo = Path.Combine(data, "fifo");
        await Workload.RunAsync("mkfifo", [fifo], Cancel);
        var shell = (await Workload.RunAsync("realpath", ["/bin/sh"], Cancel)).Trim();

        // Level 2: writes 7 bytes itself, runs dd (level 3) that copies 3000 bytes, and leaves a dd in the
        // background that writes 4000 bytes once the spec feeds its FIFO, after both scripts ended.
        var innerName = "in" + Guid.NewGuid().ToString("N")[..10];
        var inner = Executable(_work.Script(innerName, $"""
            #!/bin/sh
            printf 1234567 > '{data}/inner.txt'
            '{dd.Path}' if='{data}/c1.bin' of='{data}/g1.bin' bs=1000 2>/dev/null
            '{dd.Path}' if='{fifo}' of='{data}/g2.bin' bs=1000 count=4 iflag=fullblock </dev/null >/dev/null 2>&1 &
            exit 0

            """));
        // Level 1: a dd that writes 3000 bytes and exits before the script writes 5 bytes itself; then level 2.
        var outerName = "out" + Guid.NewGuid().ToString("N")[..10];
        var outer = Executable(_work.Script(outerName, $"""
            #!/bin/sh
            '{dd.Path}' if=/dev/zero of='{data}/c1.bin' bs=1000 count=3 2>/dev/null
            printf 12345 > '{data}/outer.txt'
            '{inner}'
            exit 0

            """));

        using var script = Process.Start(new ProcessStartInfo(outer) { UseShellExecute = false })!;
        var scriptPid = script.Id;
        await script.WaitForExitAsync(Cancel);
        Assert.Equal(0, script.ExitCode);
        // Opened for writing only, the FIFO waits for the background dd to open it for reading.
        await using (var input = await Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write), Cancel)
                         .WaitAsync(TimeSpan.FromSeconds(30), Cancel))
            await input.WriteAsync(new byte[4000], Cancel);

        const long allWrites = 5 + 3000 + 7 + 3000 + 4000;
        JsonElement top;
        try
        {
            top = await Poll.Until(() => Instance(scriptPid),
                i => Long(i, "treeWrites") == allWrites && Children(i).Length == 2, TimeSpan.FromSeconds(30),
                $"/api/processes/{scriptPid}", i => i.ToString());
        }
        catch (TimeoutException e)
        {
            // Where the bytes went instead: every dd instance, and the figures of the name.
            throw new TimeoutException($"{e.Message}; the dd instances: "
                + await _daemon.Http.GetStringAsync("/api/processes?name=" + dd.Name, Cancel)
                + "; the dd files: " + await _daemon.Http.GetStringAsync("/api/stats/" + dd.Name, Cancel), e);
        }
        var middle = Named(Children(top), innerName);
        var level2 = await Poll.Until(() => Instance(middle.GetProperty("pid").GetInt32()),
            i => Children(i).Length == 2 && Children(i).All(c => c.GetProperty("ended").ValueKind == JsonValueKind.String),
            TimeSpan.FromSeconds(30), "the background dd's end", i => i.ToString());

        // Level 1: the script itself, its dd and the inner script.
        Assert.Equal((outerName, shell), (top.GetProperty("name").GetString(), top.GetProperty("exe").GetString()));
        Assert.Equal(Environment.ProcessId, top.GetProperty("ppid").GetInt32());
        Assert.Equal(JsonValueKind.String, top.GetProperty("ended").ValueKind);
        Assert.Equal(5, Long(top, "writes"));
        var c1 = Named(Children(top), dd.Name);
        Assert.Equal((3000L, 3000L), (Long(c1, "writes"), Long(c1, "treeWrites")));
        Assert.Equal(dd.Path, c1.GetProperty("exe").GetString());
        Assert.True(c1.GetProperty("ended").GetDateTimeOffset() >= c1.GetProperty("started").GetDateTimeOffset());

        // Level 2 and 3: the inner script's own 7 bytes, its dd's copy, the background dd that outlived both.
        Assert.Equal((innerName, scriptPid, shell), (level2.GetProperty("name").GetString(), level2.GetProperty("ppid").GetInt32(),
            level2.GetProperty("exe").GetString()));
        Assert.Equal((7L, 7 + 3000 + 4000L), (Long(level2, "writes"), Long(level2, "treeWrites")));
        var ddsBelow = Children(level2);
        Assert.All(ddsBelow, g => Assert.Equal((dd.Name, dd.Path, level2.GetProperty("pid").GetInt32()),
            (g.GetProperty("name").GetString(), g.GetProperty("exe").GetString(), g.GetProperty("ppid").GetInt32())));
        var g1 = Assert.Single(ddsBelow, g => Long(g, "writes") == 3000);
        var g2 = Assert.Single(ddsBelow, g => Long(g, "writes") == 4000);
        Assert.True(Long(g1, "reads") >= 3000, g1.ToString()); // c1.bin, besides what the loader and locale read
        Assert.True(g2.GetProperty("ended").GetDateTimeOffset() > top.GetProperty("ended").GetDateTimeOffset(),
            "the background dd ended after the script");

        // Tree totals are own bytes plus the children's trees, at each level, reads included.
        Assert.Equal(Long(level2, "reads") + ddsBelow.Sum(g => Long(g, "treeReads")), Long(level2, "treeReads"));
        Assert.Equal(Long(top, "reads") + Children(top).Sum(c => Long(c, "treeReads")), Long(top, "treeReads"));
        Assert.Equal(Long(top, "writes") + Children(top).Sum(c => Long(c, "treeWrites")), Long(top, "treeWrites"));

        // The same bytes as the figures per name: the three dd instances are all the dd copy's processes.
        var files = JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/stats/" + Uri.EscapeDataString(dd.Name), Cancel)).RootElement;
        var perName = files.EnumerateObject().Aggregate((Reads: 0L, Writes: 0L),
            (sum, f) => (sum.Reads + f.Value.GetProperty("reads").GetInt64(), sum.Writes + f.Value.GetProperty("writes").GetInt64()));
        Assert.Equal((Long(c1, "reads") + Long(g1, "reads") + Long(g2, "reads"), 10_000L), perName);

        // The list: newest first, by name.
        var list = JsonDocument.Parse(await _daemon.Http.GetStringAsync("/api/processes?name=" + dd.Name, Cancel)).RootElement;
        Assert.Equal(3, list.GetArrayLength());
        var starts = list.EnumerateArray().Select(i => i.GetProperty("started").GetDateTimeOffset()).ToArray();
        Assert.Equal(starts.OrderDescending(), starts);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Executable(string path)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
