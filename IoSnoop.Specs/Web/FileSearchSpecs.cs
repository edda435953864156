using System.Net;
using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Web;

/// <summary>Search across the files of all processes: the pure search, and the hub method and route on a real daemon.</summary>
public sealed class FileSearchSpecs
{
    private static readonly DateTimeOffset T = DateTimeOffset.Parse("2024-05-01T12:00:00Z");

    private static FileSummary F(string path, long reads, long writes, bool merged = false) => new(path, reads, writes, T, 1, merged);

    private static FullDump Dump() => new(10, new Dictionary<string, IReadOnlyList<FileSummary>>
    {
        ["postgres"] = [F("/var/lib/postgresql/16/main/base/1", 100, 9000), F("/var/lib/postgresql/16/main/pg_wal/0001", 0, 5000),
            F("/var/lib/postgresql/16/main/base/2", 10, 0), F("/var/lib/postgresql/x", 1, 1), F("/etc/passwd", 50, 0)],
        ["backup"] = [F("/var/lib/postgresql/16/main/base/1", 9000, 0), F("/srv/backup.tar", 0, 9000)],
        ["cc"] = [F("/src/a.c", 40, 0), F("<Smaller Files of cc>", 1, 1, merged: true)],
    });

    [Fact]
    public void A_prefix_or_a_part_of_a_path_finds_the_processes_with_their_bytes_on_matching_files_only()
    {
        var r = FileSearch.Search(Dump(), "/var/lib/postgresql", 10);
        Assert.False(r.Truncated);
        Assert.Equal(["postgres", "backup"], r.Processes.Select(p => p.Name));
        var pg = r.Processes[0];
        Assert.Equal((111, 14001, 4), (pg.Reads, pg.Writes, pg.Files));
        // The busiest matching paths, at most three, most first.
        Assert.Equal(["/var/lib/postgresql/16/main/base/1", "/var/lib/postgresql/16/main/pg_wal/0001", "/var/lib/postgresql/16/main/base/2"],
            pg.Top.Select(t => t.Path));
        Assert.Equal((9000, 0, 1), (r.Processes[1].Reads, r.Processes[1].Writes, r.Processes[1].Files));

        Assert.Equal(["postgres", "backup"], FileSearch.Search(Dump(), "main/base", 10).Processes.Select(p => p.Name));
        // Case-sensitive like the paths; merged rows are no paths.
        Assert.Empty(FileSearch.Search(Dump(), "/VAR", 10).Processes);
        Assert.Empty(FileSearch.Search(Dump(), "Smaller Files", 10).Processes);
    }

    [Fact]
    public void Sums_of_huge_files_stop_at_the_largest_figure_and_still_rank_first()
    {
        var dump = new FullDump(4, new Dictionary<string, IReadOnlyList<FileSummary>>
        {
            ["huge"] = [F("/d/a", long.MaxValue - 1, long.MaxValue), F("/d/b", long.MaxValue, 5)],
            ["small"] = [F("/d/c", 1, 1)],
        });
        var r = FileSearch.Search(dump, "/d/", 10);
        Assert.Equal(["huge", "small"], r.Processes.Select(p => p.Name));
        Assert.Equal((long.MaxValue, long.MaxValue), (r.Processes[0].Reads, r.Processes[0].Writes));
        Assert.Equal(["/d/a", "/d/b"], r.Processes[0].Top.Select(t => t.Path).Order());
    }

    [Fact]
    public void Disk_figures_are_summed_like_the_file_figures_for_the_hits_and_their_top_paths()
    {
        static FileSummary D(string path, long reads, long writes, long diskReads, long diskWrites) =>
            F(path, reads, writes) with { DiskReads = diskReads, DiskWrites = diskWrites };
        var dump = new FullDump(6, new Dictionary<string, IReadOnlyList<FileSummary>>
        {
            // cc read its sources mostly from the cache, and wrote its objects; a readahead read more than asked.
            ["cc"] = [D("/src/a.c", 4000, 0, 100, 0), D("/src/b.c", 1000, 0, 1200, 0), D("/src/a.o", 0, 3000, 0, 3000), D("/etc/x", 50, 0, 50, 0)],
            ["huge"] = [D("/src/h", 1, 1, long.MaxValue, long.MaxValue - 1), D("/src/i", 1, 1, 5, 5)],
            ["plain"] = [F("/src/p", 10, 10)],
        });
        var r = FileSearch.Search(dump, "/src/", 10);
        var cc = r.Processes.Single(p => p.Name == "cc");
        Assert.Equal((5000, 3000, 1300, 3000), (cc.Reads, cc.Writes, cc.DiskReads, cc.DiskWrites));
        Assert.Equal([("/src/a.c", 100L, 0L), ("/src/a.o", 0L, 3000L), ("/src/b.c", 1200L, 0L)],
            cc.Top.Select(t => (t.Path, t.DiskReads, t.DiskWrites)));
        var huge = r.Processes.Single(p => p.Name == "huge");
        Assert.Equal((long.MaxValue, long.MaxValue), (huge.DiskReads, huge.DiskWrites));
        // Files without disk figures: 0, and the order stays by file bytes.
        Assert.Equal((0, 0), (r.Processes.Single(p => p.Name == "plain").DiskReads, r.Processes.Single(p => p.Name == "plain").DiskWrites));
        Assert.Equal(["cc", "plain", "huge"], r.Processes.Select(p => p.Name));
    }

    [Fact]
    public void The_answer_is_bounded_by_the_limit_and_says_when_more_matched()
    {
        var r = FileSearch.Search(Dump(), "/", 1);
        Assert.True(r.Truncated);
        Assert.Equal(["backup"], r.Processes.Select(p => p.Name));
        Assert.NotNull(FileSearch.Invalid("", 10));
        Assert.NotNull(FileSearch.Invalid("/x", 0));
        Assert.NotNull(FileSearch.Invalid("/x", FileSearch.MaxLimit + 1));
        Assert.Null(FileSearch.Invalid("/x", null));
    }

    [Fact]
    public async Task The_hub_and_the_api_answer_from_the_daemons_figures()
    {
        var dir = Directory.CreateTempSubdirectory("iosnoop-search-").FullName;
        try
        {
            var trace = Path.Combine(dir, "s.trace");
            await File.WriteAllTextAsync(trace, "postgres|0|100|/var/lib/postgresql/a\npostgres|1|40|/etc/x\nbackup|1|7|/var/lib/postgresql/a\ncc|0|5|/src/a.c\n",
                TestContext.Current.CancellationToken);
            await using var daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace });
            await daemon.WaitForStatus(s => s.GetProperty("processes").GetInt32() == 3, TimeSpan.FromSeconds(30));
            await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
            await hub.StartAsync(TestContext.Current.CancellationToken);

            var viaHub = await hub.InvokeAsync<JsonElement>("SearchFiles", "/var/lib/postgresql", 10, TestContext.Current.CancellationToken);
            Assert.Equal(["postgres", "backup"], viaHub.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            var pg = viaHub.GetProperty("processes")[0];
            Assert.Equal((0, 100, 1), (pg.GetProperty("reads").GetInt64(), pg.GetProperty("writes").GetInt64(), pg.GetProperty("files").GetInt32()));
            Assert.False(viaHub.GetProperty("truncated").GetBoolean());
            await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<JsonElement>("SearchFiles", "", 10, TestContext.Current.CancellationToken));

            var viaApi = JsonDocument.Parse(await daemon.Http.GetStringAsync("/api/search?q=%2Fvar%2Flib&limit=1", TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(["postgres"], viaApi.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
            Assert.True(viaApi.GetProperty("truncated").GetBoolean());
            var bad = await daemon.Http.GetAsync("/api/search", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
