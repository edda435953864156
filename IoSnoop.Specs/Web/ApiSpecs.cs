using System.Net;
using System.Text;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Web;

/// <summary>Every route of docs/compat.md, on real Kestrel, against a replayed trace.</summary>
public sealed class ApiSpecs : IAsyncLifetime
{
    private static readonly string[] OddNames = ["Google Chrome He", "100% done", "C# compiler", "what?", "Микро", "we\"ird", "back\\"];
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-api-").FullName;
    private RunningDaemon _daemon = null!;
    private string _trace = null!;

    public async ValueTask InitializeAsync()
    {
        var lines = new List<string>();
        for (var i = 0; i < OddNames.Length; i++)
        {
            lines.Add($"{OddNames[i]}|0|{1000 + i}|/data/{i}/file with space.txt");
            lines.Add($"{OddNames[i]}|1|{10 + i}|/data/{i}/a|b");
        }
        lines.Add("cc|0|4096|??/obj/x.o");
        lines.Add("not a trace line");
        _trace = Path.Combine(_dir, "api.trace");
        await File.WriteAllTextAsync(_trace, string.Join("\n", lines) + "\n");
        _daemon = await RunningDaemon.Start(new DaemonOptions { Source = "replay", ReplayFile = _trace });
        await _daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "stopped",
            TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private async Task<JsonElement> Get(string path)
    {
        using var response = await _daemon.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task Stats_has_the_original_keys_and_the_sums_of_the_trace()
    {
        var stats = await Get("/api/stats");
        Assert.Equal(["events", "processStats"], Keys(stats));
        var expected = TraceFiles.Sum(_trace);
        Assert.Equal(expected.Events, stats.GetProperty("events").GetInt64());
        var processes = stats.GetProperty("processStats");
        Assert.Equal(expected.Processes.Keys.Order(), Keys(processes).Order());
        foreach (var (name, (reads, writes)) in expected.Processes)
        {
            var p = processes.GetProperty(name);
            Assert.Equal(["writes", "reads", "lastUpdated"], Keys(p));
            Assert.Equal(writes, p.GetProperty("writes").GetInt64());
            Assert.Equal(reads, p.GetProperty("reads").GetInt64());
            Assert.True(DateTimeOffset.TryParse(p.GetProperty("lastUpdated").GetString(), out _));
        }
    }

    [Fact]
    public async Task One_process_is_found_by_its_url_encoded_name()
    {
        for (var i = 0; i < OddNames.Length; i++)
        {
            var files = await Get("/api/stats/" + Uri.EscapeDataString(OddNames[i]));
            Assert.Equal([$"/data/{i}/file with space.txt", $"/data/{i}/a|b"], Keys(files).Order().Reverse().ToArray());
            var entry = files.GetProperty($"/data/{i}/file with space.txt");
            Assert.Equal(["writes", "reads", "lastUpdated"], Keys(entry));
            Assert.Equal(1000 + i, entry.GetProperty("writes").GetInt64());
            Assert.Equal(10 + i, files.GetProperty($"/data/{i}/a|b").GetProperty("reads").GetInt64());
        }
        Assert.Equal(4096, (await Get("/api/stats/cc")).GetProperty("/obj/x.o").GetProperty("writes").GetInt64());
    }

    [Fact]
    public async Task An_unknown_process_is_an_empty_object()
    {
        var files = await Get("/api/stats/" + Uri.EscapeDataString("no such process"));
        Assert.Equal(JsonValueKind.Object, files.ValueKind);
        Assert.Empty(Keys(files));
    }

    [Fact]
    public async Task Stats_full_has_every_file_in_the_original_layout()
    {
        var full = await Get("/api/stats-full");
        Assert.Equal(["processStats", "events"], Keys(full));
        var processes = full.GetProperty("processStats");
        Assert.Equal(OddNames.Length + 1, Keys(processes).Length);
        var weird = processes.GetProperty("we\"ird");
        Assert.Equal(2, Keys(weird).Length);
        Assert.Equal(["writes", "reads", "lastUpdated"], Keys(weird.GetProperty("/data/5/a|b")));
        Assert.Equal(TraceFiles.Sum(_trace).Events, full.GetProperty("events").GetInt64());
    }

    [Fact]
    public async Task Deleting_one_process_forgets_it()
    {
        var name = Uri.EscapeDataString("100% done");
        using var response = await _daemon.Http.DeleteAsync("/api/stats/" + name);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(Keys(await Get("/api/stats/" + name)));
        Assert.False((await Get("/api/stats")).GetProperty("processStats").TryGetProperty("100% done", out _));
    }

    [Fact]
    public async Task Deleting_all_resets_the_stats()
    {
        using var response = await _daemon.Http.DeleteAsync("/api/stats");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var stats = await Get("/api/stats");
        Assert.Equal(0, stats.GetProperty("events").GetInt64());
        Assert.Empty(Keys(stats.GetProperty("processStats")));
    }

    [Fact]
    public async Task Metrics_use_the_original_names_with_escaped_labels()
    {
        var text = await _daemon.Http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE iosnoopng_read_bytes_total counter", text);
        Assert.Contains("# TYPE iosnoopng_written_bytes_total counter", text);
        Assert.Contains("iosnoopng_written_bytes_total{process_name=\"Google Chrome He\"} 1000", text);
        Assert.Contains("iosnoopng_read_bytes_total{process_name=\"100% done\"} 11", text);
        Assert.Contains("iosnoopng_written_bytes_total{process_name=\"we\\\"ird\"} 1005", text);
        Assert.Contains("iosnoopng_written_bytes_total{process_name=\"back\\\\\"} 1006", text);
        Assert.Contains("iosnoopng_written_bytes_total{process_name=\"Микро\"} 1004", text);
        Assert.Contains("iosnoopng_malformed_lines_total 1", text);
        Assert.Contains($"iosnoopng_events_total {TraceFiles.Sum(_trace).Events}", text);
        // Two files per odd name and cc's object file; the paths are shared with other daemons of this
        // test run (one pool per process), so at least as many.
        Assert.Contains($"iosnoopng_tracked_files {OddNames.Length * 2 + 1}", text);
        var paths = System.Text.RegularExpressions.Regex.Match(text, @"^iosnoopng_tracked_paths (\d+)$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(paths.Success, text);
        Assert.True(long.Parse(paths.Groups[1].Value) >= OddNames.Length * 2 + 1, paths.Value);
    }

    [Fact]
    public async Task Status_tells_the_source_and_the_malformed_lines()
    {
        var status = await Get("/api/status");
        Assert.Equal("replay", status.GetProperty("source").GetProperty("name").GetString());
        // A recorded line carries one byte count: file figures, no disk layer.
        Assert.Equal(["file"], status.GetProperty("source").GetProperty("layers").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("no disk figures", status.GetProperty("source").GetProperty("layersNote").GetString());
        Assert.Equal("events of a recorded trace file", status.GetProperty("source").GetProperty("measures").GetString());
        Assert.Equal(1, status.GetProperty("totals").GetProperty("malformedLines").GetInt64());
        Assert.Equal(OddNames.Length + 1, status.GetProperty("processes").GetInt32());
        Assert.False(status.GetProperty("readOnly").GetBoolean());
    }

    [Fact]
    public async Task A_stats_file_is_loaded_as_the_starting_point()
    {
        var full = await _daemon.Http.GetStringAsync("/api/stats-full");
        var file = Path.Combine(_dir, "saved.json");
        await File.WriteAllTextAsync(file, full, Encoding.UTF8);
        await using var second = await RunningDaemon.Start(new DaemonOptions { NoTracer = true, StatsFile = file });
        var loaded = JsonDocument.Parse(await second.Http.GetStringAsync("/api/stats-full")).RootElement;
        var original = JsonDocument.Parse(full).RootElement;
        Assert.Equal(original.GetProperty("events").GetInt64(), loaded.GetProperty("events").GetInt64());
        foreach (var process in original.GetProperty("processStats").EnumerateObject())
            foreach (var f in process.Value.EnumerateObject())
            {
                var l = loaded.GetProperty("processStats").GetProperty(process.Name).GetProperty(f.Name);
                Assert.Equal(f.Value.GetProperty("writes").GetInt64(), l.GetProperty("writes").GetInt64());
                Assert.Equal(f.Value.GetProperty("reads").GetInt64(), l.GetProperty("reads").GetInt64());
                Assert.Equal(f.Value.GetProperty("lastUpdated").GetDateTimeOffset(), l.GetProperty("lastUpdated").GetDateTimeOffset());
            }
    }
}
