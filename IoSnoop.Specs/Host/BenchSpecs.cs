using IoSnoop.Host;
using IoSnoop.Specs.Support;
using IoSnoop.Actors.Events;

namespace IoSnoop.Specs.Host;

/// <summary><c>iosnoopng bench FILE</c>: the whole pipeline over a generated trace, and its figures.</summary>
public sealed class BenchSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-bench-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static Dictionary<string, string> Figures(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Key: line.Length > 16 ? line[..16].Trim() : line.Trim(), Value: line.Length > 16 ? line[16..].Trim() : ""))
            .ToDictionary(f => f.Key, f => f.Value);

    [Fact]
    public async Task The_whole_pipeline_counts_every_event_and_the_cap_bounds_the_files()
    {
        var trace = TraceFiles.Generate(_dir, events: 60_000, procs: 30, paths: 5_000, seed: 3);
        var expected = TraceFiles.Sum(trace);
        var output = new StringWriter();

        Assert.Equal(0, await Bench.Run([trace, "--max-files", "1000"], output, TextWriter.Null));

        var figures = Figures(output.ToString());
        Assert.StartsWith($"{expected.Events:N0} ", figures["events"]);
        var files = figures["processes"];
        Assert.StartsWith($"{expected.Processes.Count:N0}, files ", files);
        var tracked = int.Parse(files.Split("files ")[1].Split(' ')[0], System.Globalization.NumberStyles.AllowThousands);
        Assert.InRange(tracked, 1, 1000 + 8_192);
        foreach (var key in new[] { "events/s", "cpu time", "alloc/event", "gc gen0/1/2", "gc pauses", "peak working set", "path pool", "live data" })
            Assert.True(figures.ContainsKey(key), $"no '{key}' line in:\n{output}");
        // The empty file replayed first to start the stream machinery is gone.
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), $"iosnoopng-bench-empty-{Environment.ProcessId}.trace")));
    }

    [Fact]
    public async Task Parse_only_counts_every_event()
    {
        var trace = TraceFiles.Generate(_dir, events: 20_000, procs: 10, paths: 500, seed: 4);
        var output = new StringWriter();
        Assert.Equal(0, await Bench.Run(["-parse-only", trace], output, TextWriter.Null));
        Assert.StartsWith($"{TraceFiles.Sum(trace).Events:N0} events in ", Figures(output.ToString())["parse only"]);
    }

    [Fact]
    public async Task With_a_warm_up_the_second_replay_is_measured_from_empty_tables()
    {
        var trace = TraceFiles.Generate(_dir, events: 30_000, procs: 20, paths: 2_000, seed: 5);
        var expected = TraceFiles.Sum(trace);
        var output = new StringWriter();

        Assert.Equal(0, await Bench.Run([trace, "--warm-up"], output, TextWriter.Null));

        var figures = Figures(output.ToString());
        Assert.StartsWith($"{expected.Events:N0} events, then reset", figures["warm-up"]);
        // The measured replay counts the file once, not twice.
        Assert.StartsWith($"{expected.Events:N0} ", figures["events"]);
        Assert.StartsWith($"{expected.Processes.Count:N0}, files ", figures["processes"]);
    }

    [Theory]
    [InlineData("missing.trace")]
    [InlineData("t.trace", "--max-files", "0")]
    [InlineData("t.trace", "--max-files", "many")]
    [InlineData("t.trace", "--files", "10")]
    [InlineData("t.trace", "--max-files", "2147483648")]
    [InlineData("t.trace", "--warm-up=maybe")]
    [InlineData("t.trace", "t.trace")]
    public async Task Bad_arguments_print_the_usage_and_exit_2(string file, params string[] flags)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "t.trace"), "cc|0|1|/a\n", TestContext.Current.CancellationToken);
        var errors = new StringWriter();
        Assert.Equal(2, await Bench.Run([Path.Combine(_dir, file), .. flags], TextWriter.Null, errors));
        Assert.Contains("Usage: iosnoopng bench", errors.ToString());
    }
}
