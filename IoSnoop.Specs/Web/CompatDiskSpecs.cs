using System.Text;
using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Api;

namespace IoSnoop.Specs.Web;

/// <summary>
/// The original's routes (/api/stats, /api/stats/NAME, /api/stats-full) carry file figures only: an entry with
/// disk bytes and no file bytes (a filesystem's metadata, a file only mapped into memory) is left out rather than
/// shown as 0/0; an entry with file bytes keeps its keys and figures whatever its disk bytes.
/// </summary>
public sealed class CompatDiskSpecs
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly FileSummary Written = new("/data/log", 100, 4096, At, 2, false) { DiskWrites = 8192 };
    private static readonly FileSummary Metadata = new("<filesystem metadata 254:0>", 0, 0, At, 1, false) { DiskWrites = 4096 };
    private static readonly FileSummary MappedOnly = new("/usr/lib/libc.so.6", 0, 0, At, 1, false) { DiskReads = 65536 };

    private static async Task<JsonElement> Json(Func<Utf8JsonWriter, Task> write)
    {
        using var stream = new MemoryStream();
        await using (var json = new Utf8JsonWriter(stream))
            await write(json);
        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement.Clone();
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Stats_leaves_out_a_process_with_disk_bytes_only()
    {
        var overview = new Overview(new Totals(5, 0, 0, 100, 4096), SourceStatus.None,
        [
            new ProcessSummary("dd", 100, 4096, At, 3, 2) { DiskWrites = 12288 },
            new ProcessSummary("kworker", 0, 0, At, 1, 1) { DiskWrites = 4096 },
        ]);
        var stats = await Json(json => CompatJson.WriteStats(json, overview, () => ValueTask.CompletedTask));
        Assert.Equal(["events", "processStats"], Keys(stats));
        var processes = stats.GetProperty("processStats");
        Assert.Equal(["dd"], Keys(processes));
        Assert.Equal(["writes", "reads", "lastUpdated"], Keys(processes.GetProperty("dd")));
        Assert.Equal(4096, processes.GetProperty("dd").GetProperty("writes").GetInt64());
    }

    [Fact]
    public async Task One_process_and_the_full_dump_leave_out_files_with_disk_bytes_only()
    {
        var files = await Json(json => CompatJson.WriteFiles(json, [Written, Metadata, MappedOnly], () => ValueTask.CompletedTask));
        Assert.Equal(["/data/log"], Keys(files));
        Assert.Equal(["writes", "reads", "lastUpdated"], Keys(files.GetProperty("/data/log")));
        Assert.Equal(100, files.GetProperty("/data/log").GetProperty("reads").GetInt64());

        var dump = new FullDump(5, new Dictionary<string, IReadOnlyList<FileSummary>>
        {
            ["dd"] = [Written, Metadata],
            ["jbd2/vda-8"] = [Metadata],
            ["touch"] = [new FileSummary("/data/empty", 0, 0, At, 1, false)], // no bytes at all: as the original shows it
        });
        var full = await Json(json => CompatJson.WriteFull(json, dump, () => ValueTask.CompletedTask));
        Assert.Equal(["processStats", "events"], Keys(full));
        var processes = full.GetProperty("processStats");
        Assert.Equal(["dd", "touch"], Keys(processes).Order());
        Assert.Equal(["/data/log"], Keys(processes.GetProperty("dd")));
        Assert.Equal(["/data/empty"], Keys(processes.GetProperty("touch")));
    }
}
