using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace IoSnoop.Specs.Faults;

/// <summary>A tracer that keeps failing, seen from outside: the status, the dashboard and <c>/metrics</c>.</summary>
public sealed class TracerMetricsSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-metrics-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static long Metric(string text, string name)
    {
        var match = Regex.Match(text, $"^{name} ([0-9.e+]+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{name} missing in:\n{text}");
        return (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Restarts_drops_and_malformed_lines_of_a_failing_tracer_are_counted_in_the_metrics()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nnot a trace line\n", TestContext.Current.CancellationToken);
        // Prints the trace, "DROP 3" and a warning on stderr, and exits with code 3: again and again.
        await using var daemon = await RunningDaemon.Start(new DaemonOptions(), new FakeTracerSource("print", trace, "3"));
        var status = await daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "failed",
            TimeSpan.FromSeconds(30));
        Assert.Contains("exited with code 3", status.GetProperty("source").GetProperty("message").GetString());

        var text = await daemon.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var restarts = Metric(text, "iosnoopng_tracer_restarts_total");
        Assert.True(restarts >= 3, $"restarts {restarts}");
        var dropped = Metric(text, "iosnoopng_dropped_events_total");
        var malformed = Metric(text, "iosnoopng_malformed_lines_total");
        Assert.True(dropped >= 3 * restarts && malformed >= restarts,
            $"restarts {restarts}, dropped {dropped}, malformed {malformed}\n{text}");
        Assert.Equal(Metric(text, "iosnoopng_events_total") * 100,
            Metric(text, "iosnoopng_written_bytes_total{process_name=\"cc\"}"));

        // The dashboard sees the same state.
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(daemon.Address, "/hub/stats")).Build();
        await hub.StartAsync(TestContext.Current.CancellationToken);
        var overview = await hub.InvokeAsync<JsonElement>("GetOverview", TestContext.Current.CancellationToken);
        var source = overview.GetProperty("source");
        Assert.True(source.GetProperty("state").GetString() is "failed" or "restarting");
        Assert.True(source.GetProperty("restarts").GetInt32() >= 3);
    }
}
