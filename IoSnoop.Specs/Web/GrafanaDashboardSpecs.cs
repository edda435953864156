using System.Text.Json;
using System.Text.RegularExpressions;
using IoSnoop.Specs.Host;

namespace IoSnoop.Specs.Web;

/// <summary>The shipped Grafana dashboard queries the original's metric names, per host.</summary>
public sealed class GrafanaDashboardSpecs
{
    private static JsonElement Dashboard() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "grafana-dashboard.json"))).RootElement;

    private static IEnumerable<string> Expressions(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!);

    [Fact]
    public void It_has_a_host_variable_and_the_original_process_filter()
    {
        var variables = Dashboard().GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => v.GetProperty("name").GetString()).ToList();
        Assert.Contains("host", variables);
        Assert.Contains("process", variables);
    }

    /// <summary>The metrics labelled by process; the device metrics are per disk, filtered by host only.</summary>
    private static readonly string[] PerProcess = ["iosnoopng_read_bytes_total", "iosnoopng_written_bytes_total",
        "iosnoopng_disk_read_bytes_total", "iosnoopng_disk_written_bytes_total"];

    [Fact]
    public void Every_byte_panel_uses_the_original_metric_names_filtered_by_host_and_process()
    {
        var byteQueries = Expressions(Dashboard()).Where(e => e.Contains("_bytes_total")).ToList();
        Assert.Contains(byteQueries, e => e.Contains("rate(iosnoopng_read_bytes_total{"));
        Assert.Contains(byteQueries, e => e.Contains("rate(iosnoopng_written_bytes_total{"));
        Assert.Contains(byteQueries, e => e.Contains("increase(iosnoopng_written_bytes_total{") && e.Contains("[$__range]"));
        Assert.All(byteQueries, e => Assert.Contains("instance=~\"$host\"", e));
        Assert.All(byteQueries.Where(e => PerProcess.Any(e.Contains)), e => Assert.Contains("process_name=~\".*(?i)$process.*\"", e));
    }

    [Fact]
    public void It_shows_the_disk_bytes_per_process_and_each_disk_beside_the_part_charged_to_processes()
    {
        var queries = Expressions(Dashboard()).ToList();
        Assert.Contains(queries, e => e.Contains("rate(iosnoopng_disk_read_bytes_total{"));
        Assert.Contains(queries, e => e.Contains("rate(iosnoopng_disk_written_bytes_total{"));
        Assert.Contains(queries, e => e.Contains("increase(iosnoopng_disk_written_bytes_total{") && e.Contains("[$__range]"));
        var devicePanel = Dashboard().GetProperty("panels").EnumerateArray()
            .Single(p => p.GetProperty("targets").EnumerateArray().Any(t => t.GetProperty("expr").GetString()!.Contains("iosnoopng_device_read_bytes_total")));
        var expressions = devicePanel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.Contains(expressions, e => e.Contains("rate(iosnoopng_device_written_bytes_total{"));
        Assert.Contains(expressions, e => e.StartsWith("sum by (instance) (rate(iosnoopng_disk_read_bytes_total{", StringComparison.Ordinal));
        Assert.Contains(expressions, e => e.StartsWith("sum by (instance) (rate(iosnoopng_disk_written_bytes_total{", StringComparison.Ordinal));
    }

    [Fact]
    public void It_shows_the_disk_bytes_per_group_filtered_by_host()
    {
        var queries = Expressions(Dashboard()).ToList();
        Assert.Contains(queries, e => e.Contains("rate(iosnoopng_group_disk_written_bytes_total{instance=~\"$host\"}"));
        Assert.Contains(queries, e => e.Contains("rate(iosnoopng_group_disk_read_bytes_total{instance=~\"$host\"}"));
    }

    [Fact]
    public void Panels_have_distinct_ids_and_do_not_overlap()
    {
        var panels = Dashboard().GetProperty("panels").EnumerateArray().ToList();
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        var boxes = panels.Select(p => p.GetProperty("gridPos")).Select(g =>
            (X: g.GetProperty("x").GetInt32(), Y: g.GetProperty("y").GetInt32(), W: g.GetProperty("w").GetInt32(), H: g.GetProperty("h").GetInt32())).ToList();
        Assert.All(boxes, b => Assert.True(b.X >= 0 && b.X + b.W <= 24, $"panel at x {b.X} width {b.W} leaves the 24 columns"));
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                Assert.False(a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H, $"panels {i} and {j} overlap");
            }
    }

    [Fact]
    public void Every_metric_it_queries_is_one_the_daemon_exports()
    {
        // The names the daemon's web part registers, read from its sources.
        var sources = Directory.EnumerateFiles(Repository.File("IoSnoop.Web"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText);
        var exported = sources.SelectMany(s => Regex.Matches(s, "\"(iosnoopng_[a-z_]+)\"").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.Contains("iosnoopng_device_written_bytes_total", exported);
        var used = Expressions(Dashboard()).SelectMany(e => Regex.Matches(e, @"iosnoopng_[a-z_]+").Select(m => m.Value)).Distinct();
        Assert.All(used, m => Assert.Contains(m, exported));
    }
}
