using System.Net;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Web;

/// <summary><c>/api/processes</c> on real Kestrel, against a replayed bpftrace trace with process lines.</summary>
public sealed class ProcessTreeApiSpecs : IAsyncLifetime
{
    private const uint Disk = 266338304; // 254:0
    private const long S = 1_000_000_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-tree-api-").FullName;
    private RunningDaemon _daemon = null!;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // sh (100) starts 101 (dd, ends in the first interval) and 102 (dd, still running); 102 starts 103 (cat).
        // 101 dirties 4096 bytes in the interval it ends in; 103 reads 8192 bytes from the disk.
        var trace = Path.Combine(_dir, "tree.trace");
        await File.WriteAllTextAsync(trace, $"""
            READY
            @B0[100, sh, {Disk}, 1, 1, 0]: 10
            @B0[101, dd, {Disk}, 2, 1, 1]: 3000
            @B0[102, dd, {Disk}, 3, 1, 1]: 500
            @D0[101, dd, {Disk}, 2, 1, 1]: 4096
            @C0[{Disk}, 1, 1, 0, 1]: a
            @C0[{Disk}, 1, 1, 1, 0]: /
            @C0[{Disk}, 2, 1, 0, 1]: b
            @C0[{Disk}, 2, 1, 1, 0]: /
            @C0[{Disk}, 3, 1, 0, 1]: c
            @C0[{Disk}, 3, 1, 1, 0]: /
            @C0[{Disk}, 9, 1, 0, 2]: dd
            @C0[{Disk}, 9, 1, 1, 0]: /
            @P0[100, {1 * S + 5}, 1, 0]: bash
            @P0[101, {2 * S + 5}, 100, {1 * S + 5}]: sh
            @P0[102, {3 * S + 5}, 100, {1 * S + 5}]: sh
            @E0[100, {1 * S + 5}, 1, 0, 0, 0]: sh
            @E0[101, {2 * S + 5}, 2, {Disk}, 9, 1]: dd
            @E0[102, {3 * S + 5}, 3, {Disk}, 9, 1]: dd
            @X0[101, {2 * S + 5}, {S / 2}]: dd
            T 1
            @B1[102, dd, {Disk}, 3, 1, 1]: 700
            @B1[103, cat, {Disk}, 1, 1, 0]: 40
            @D1[103, cat, {Disk}, 1, 1, 0]: 8192
            @P1[103, {4 * S + 5}, 102, {3 * S + 5}]: dd
            @E1[103, {4 * S + 5}, 4, 0, 0, 0]: cat
            T 2

            """);
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = trace });
        await _daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "stopped",
            TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Get(string path)
    {
        using var response = await _daemon.Http.GetAsync(path, Cancel);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.Clone());
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    private static (long, long, long, long) Figures(JsonElement e) => (e.GetProperty("reads").GetInt64(), e.GetProperty("writes").GetInt64(),
        e.GetProperty("treeReads").GetInt64(), e.GetProperty("treeWrites").GetInt64());

    private static (long, long, long, long) DiskFigures(JsonElement e) => (e.GetProperty("diskReads").GetInt64(),
        e.GetProperty("diskWrites").GetInt64(), e.GetProperty("treeDiskReads").GetInt64(), e.GetProperty("treeDiskWrites").GetInt64());

    [Fact]
    public async Task One_instance_has_its_own_and_its_tree_bytes_and_its_children()
    {
        // The tree actor takes the batches after the replay's end is reported: wait for its figures.
        var sh = await Poll.Until(async () => await Get("/api/processes/100"),
            r => r.Status == HttpStatusCode.OK && r.Body.GetProperty("treeReads").GetInt64() == 50, TimeSpan.FromSeconds(10), "/api/processes/100",
            r => r.Body.ToString());

        var body = sh.Body;
        Assert.Equal(["pid", "ppid", "name", "exe", "group", "started", "ended", "reads", "writes", "treeReads", "treeWrites",
            "diskReads", "diskWrites", "treeDiskReads", "treeDiskWrites", "children", "exitCode"], Keys(body));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("exitCode").ValueKind);   // running
        Assert.Equal((100, 1, "sh"), (body.GetProperty("pid").GetInt32(), body.GetProperty("ppid").GetInt32(), body.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("exe").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("group").ValueKind); // a replay's cgroup ids are not this machine's
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ended").ValueKind);
        Assert.Equal((10L, 0L, 50L, 4200L), Figures(body));
        var children = body.GetProperty("children").EnumerateArray().ToArray();
        Assert.Equal([102, 101], children.Select(c => c.GetProperty("pid").GetInt32()));
        Assert.DoesNotContain("children", Keys(children[0]));
        Assert.Equal(("dd", "/dd"), (children[1].GetProperty("name").GetString(), children[1].GetProperty("exe").GetString()));
        Assert.Equal((0L, 3000L, 0L, 3000L), Figures(children[1]));
        var started = children[1].GetProperty("started").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromSeconds(0.5), children[1].GetProperty("ended").GetDateTimeOffset() - started);
        Assert.Equal((0L, 1200L, 40L, 1200L), Figures(children[0]));
        // The disk layer beside: own and tree, on the instance and on its children.
        Assert.Equal((0L, 0L, 8192L, 4096L), DiskFigures(body));
        Assert.Equal((0L, 4096L, 0L, 4096L), DiskFigures(children[1]));
        Assert.Equal((0L, 0L, 8192L, 0L), DiskFigures(children[0]));
        Assert.Equal(["pid", "ppid", "name", "exe", "group", "started", "ended", "reads", "writes", "treeReads", "treeWrites",
            "diskReads", "diskWrites", "treeDiskReads", "treeDiskWrites", "exitCode"], Keys(children[0]));

        var dd = (await Get("/api/processes/102")).Body;
        Assert.Equal([103], dd.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("pid").GetInt32()));
        var cat = (await Get("/api/processes?name=cat")).Body[0];
        Assert.Equal((8192L, 0L, 8192L, 0L), DiskFigures(cat));
    }

    [Fact]
    public async Task The_list_is_newest_first_and_filters_by_name_running_and_limit()
    {
        await Poll.Until(async () => await Get("/api/processes"), r => r.Body.GetArrayLength() == 4, TimeSpan.FromSeconds(10),
            "/api/processes", r => r.Body.ToString());

        static int[] Pids(JsonElement list) => list.EnumerateArray().Select(i => i.GetProperty("pid").GetInt32()).ToArray();
        Assert.Equal(new[] { 103, 102, 101, 100 }, Pids((await Get("/api/processes")).Body));
        Assert.Equal(new[] { 102, 101 }, Pids((await Get("/api/processes?name=dd")).Body));
        Assert.Equal(new[] { 103, 102, 100 }, Pids((await Get("/api/processes?running=true")).Body));
        Assert.Equal(new[] { 103 }, Pids((await Get("/api/processes?limit=1")).Body));
        Assert.DoesNotContain("children", Keys((await Get("/api/processes?limit=1")).Body[0]));
    }

    [Fact]
    public async Task A_replay_has_no_groups_and_the_group_filter_lists_only_that_group()
    {
        await Poll.Until(async () => await Get("/api/processes"), r => r.Body.GetArrayLength() == 4, TimeSpan.FromSeconds(10),
            "/api/processes", r => r.Body.ToString());

        var (status, groups) = await Get("/api/groups");
        Assert.Equal((HttpStatusCode.OK, JsonValueKind.Object), (status, groups.ValueKind));
        Assert.Empty(Keys(groups));
        Assert.Equal(0, (await Get("/api/processes?group=nginx.service")).Body.GetArrayLength());
        Assert.Equal(4, (await Get("/api/processes?group=")).Body.GetArrayLength());
        var (tooLong, error) = await Get("/api/processes?group=" + new string('g', 1025));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong);
        Assert.StartsWith("group: ", error.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/api/processes?limit=0")]
    [InlineData("/api/processes?limit=x")]
    [InlineData("/api/processes?running=yes")]
    [InlineData("/api/processes/abc")]
    [InlineData("/api/processes/0")]
    [InlineData("/api/processes/-1")]
    public async Task Bad_arguments_are_a_400_with_the_reason(string path)
    {
        var (status, body) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task A_pid_not_held_is_a_404()
    {
        var (status, body) = await Get("/api/processes/99999");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("99999", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_running_process_is_followed_reported_and_unfollowed_and_bad_requests_are_refused()
    {
        await Poll.Until(async () => await Get("/api/processes/102"),
            r => r.Status == HttpStatusCode.OK && r.Body.GetProperty("treeWrites").GetInt64() == 1200, TimeSpan.FromSeconds(10),
            "/api/processes/102", r => r.Body.ToString());

        using (var followed = await _daemon.Http.PostAsync("/api/follow", new StringContent("{\"pid\": 102}", System.Text.Encoding.UTF8, "application/json"), Cancel))
        {
            Assert.Equal(HttpStatusCode.Created, followed.StatusCode);
            var body = JsonDocument.Parse(await followed.Content.ReadAsStringAsync(Cancel)).RootElement;
            Assert.Equal(
                ["pid", "name", "exe", "started", "ended", "running", "treeReads", "treeWrites", "diskReads", "diskWrites", "processes", "files"],
                Keys(body));
            // Its bytes and its child's from before the follow are in the totals; per file, nothing yet.
            Assert.Equal((102, 2, 40L, 1200L), (body.GetProperty("pid").GetInt32(), body.GetProperty("running").GetInt32(),
                body.GetProperty("treeReads").GetInt64(), body.GetProperty("treeWrites").GetInt64()));
            Assert.Equal(0, body.GetProperty("files").GetArrayLength());
        }
        var (status, report) = await Get("/api/follow/102");
        Assert.Equal((HttpStatusCode.OK, 1200L), (status, report.GetProperty("treeWrites").GetInt64()));
        var names = report.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["dd", "cat"], names);

        using (var unfollowed = await _daemon.Http.DeleteAsync("/api/follow/102", Cancel))
            Assert.Equal(HttpStatusCode.NoContent, unfollowed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/api/follow/102")).Status);

        foreach (var (body, expected) in new[] { ("{\"pid\": 101}", HttpStatusCode.NotFound), ("{\"pid\": 0}", HttpStatusCode.BadRequest),
                     ("not json", HttpStatusCode.BadRequest), ("{\"pid\": \"x\"}", HttpStatusCode.BadRequest) })
        {
            using var refused = await _daemon.Http.PostAsync("/api/follow", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Cancel);
            Assert.Equal(expected, refused.StatusCode);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await Get("/api/follow/x")).Status);
    }
}
