using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// The daemon with the real bpftrace source and a database, stopped and started again without a tracer: the
/// disk figures a process had come back with its file figures, and the process tree with its instances and
/// tree totals (real kernel, root).
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

    private static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();

    [Fact]
    public async Task A_restart_keeps_the_process_tree_of_many_short_lived_children_with_exact_tree_totals()
    {
        const int Trues = 500, Writers = 10, Falses = 1;
        var cancel = TestContext.Current.CancellationToken;
        var db = Path.Combine(_work.Folder("db"), "iosnoopng.db");
        var shell = _work.Copy("/bin/bash", "forks");
        var writer = _work.Copy("/usr/bin/dd", "ddf");
        var file = Path.Combine(_work.Folder("data"), "out.bin");
        var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = _work.Folder("program") });
        var problems = source.Preflight();
        Assert.True(problems.Count == 0, "this machine cannot trace: " + string.Join("; ", problems));

        int pid;
        string before;
        await using (var first = await RunningDaemon.Start(new DaemonOptions { Database = db, FlushIntervalSeconds = 3600 }, source))
        {
            await first.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "running", TimeSpan.FromSeconds(60));
            // Many short-lived /bin/true and, every 50th, a writer of 4 KiB: all children of the uniquely named shell.
            var output = await Workload.RunAsync(shell.Path, ["-c", $$"""
                echo $$
                for ((i = 1; i <= {{Trues}}; i++)); do
                    /bin/true
                    if ((i % 50 == 0)); then "$1" if=/dev/zero of="$2" bs=4096 count=1 conv=notrunc status=none; fi
                done
                /bin/false || true
                """, shell.Name, writer.Path, file], cancel);
            pid = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"\d+").Value, CultureInfo.InvariantCulture);
            var tree = await Poll.Until(async () =>
                {
                    using var response = await first.Http.GetAsync($"/api/processes/{pid}", cancel);
                    return response.IsSuccessStatusCode ? JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel)).RootElement.Clone() : default;
                },
                t => t.ValueKind == JsonValueKind.Object && t.GetProperty("ended").ValueKind != JsonValueKind.Null
                     && t.GetProperty("children").GetArrayLength() == Trues + Writers + Falses
                     && t.GetProperty("children").EnumerateArray().All(c => c.GetProperty("ended").ValueKind != JsonValueKind.Null),
                TimeSpan.FromSeconds(60), $"the shell {pid} ended with its {Trues + Writers + Falses} children");
            var children = tree.GetProperty("children").EnumerateArray().ToArray();
            Assert.Equal(Trues, children.Count(c => c.GetProperty("name").GetString() == "true"));
            Assert.Equal(Writers, children.Count(c => c.GetProperty("name").GetString() == writer.Name));
            Assert.All(children.Where(c => c.GetProperty("name").GetString() == writer.Name), c => Assert.Equal(4096, Long(c, "writes")));
            // Exit statuses, as exit_group gave them.
            Assert.All(children.Where(c => c.GetProperty("name").GetString() != "false"), c => Assert.Equal(0, c.GetProperty("exitCode").GetInt32()));
            Assert.Equal(1, Assert.Single(children, c => c.GetProperty("name").GetString() == "false").GetProperty("exitCode").GetInt32());
            Assert.Equal(0, tree.GetProperty("exitCode").GetInt32());
            // Tree totals: the shell's own bytes plus every child's tree, exactly.
            Assert.Equal(Long(tree, "reads") + children.Sum(c => Long(c, "treeReads")), Long(tree, "treeReads"));
            Assert.Equal(Long(tree, "writes") + children.Sum(c => Long(c, "treeWrites")), Long(tree, "treeWrites"));
            Assert.True(Long(tree, "treeWrites") >= Writers * 4096L);
            before = tree.GetRawText();
        }

        // Started again (no tracer): the same instance, with the same figures and children, read from the database.
        await using var second = await RunningDaemon.Start(new DaemonOptions { Database = db, NoTracer = true });
        var after = JsonDocument.Parse(await second.Http.GetStringAsync($"/api/processes/{pid}", cancel)).RootElement;
        var was = JsonDocument.Parse(before).RootElement;
        foreach (var field in new[] { "reads", "writes", "treeReads", "treeWrites" })
            Assert.Equal(Long(was, field), Long(after, field));
        Assert.Equal(was.GetProperty("started").GetDateTimeOffset(), after.GetProperty("started").GetDateTimeOffset());
        Assert.Equal(was.GetProperty("ended").GetDateTimeOffset(), after.GetProperty("ended").GetDateTimeOffset());
        Assert.Equal(Trues + Writers + Falses, after.GetProperty("children").GetArrayLength());
        Assert.Equal(0, after.GetProperty("exitCode").GetInt32());
        var listed = JsonDocument.Parse(await second.Http.GetStringAsync("/api/processes?name=true&limit=100000", cancel)).RootElement;
        Assert.Equal(Trues, listed.EnumerateArray().Count(i => i.GetProperty("ppid").GetInt32() == pid));
    }
}
