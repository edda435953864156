using System.Text.Json;
using System.Text.RegularExpressions;

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

    [Fact]
    public void Every_byte_panel_uses_the_original_metric_names_filtered_by_host_and_process()
    {
        var byteQueries = Expressions(Dashboard()).Where(e => e.Contains("_bytes_total")).ToList();
        Assert.Contains(byteQueries, e => e.Contains("rate(iosnoopng_read_bytes_total{"));
        Assert.Contains(byteQueries, e => e.Contains("rate(iosnoopng_written_bytes_total{"));
        Assert.Contains(byteQueries, e => e.Contains("increase(iosnoopng_written_bytes_total{") && e.Contains("[$__range]"));
        Assert.All(byteQueries, e =>
        {
            Assert.Contains("process_name=~\".*(?i)$process.*\"", e);
            Assert.Contains("instance=~\"$host\"", e);
        });
    }

    [Fact]
    public void Every_metric_it_queries_is_one_the_daemon_exports()
    {
        var exported = new[] { "iosnoopng_read_bytes_total", "iosnoopng_written_bytes_total", "iosnoopng_events_total",
            "iosnoopng_dropped_events_total", "iosnoopng_malformed_lines_total", "iosnoopng_tracer_restarts_total" };
        var used = Expressions(Dashboard()).SelectMany(e => Regex.Matches(e, @"iosnoopng_[a-z_]+").Select(m => m.Value)).Distinct();
        Assert.All(used, m => Assert.Contains(m, exported));
    }
}
