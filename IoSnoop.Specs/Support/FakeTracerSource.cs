using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Specs.Support;

/// <summary>
/// A trace source that runs the stand-in tracer script <c>Fixtures/bin/fake-tracer</c> and reads the
/// original line format. The script's <c>READY</c> line marks readiness; <c>DROP N</c> on stderr is a drop.
/// </summary>
public sealed class FakeTracerSource(params string[] arguments) : ITraceSource
{
    public static string Script => Path.Combine(AppContext.BaseDirectory, "Fixtures", "bin", "fake-tracer");

    public string Name => "fake";
    public string Measures => "stand-in events";
    public bool SignalsReady { get; init; }
    // Generous, so that a busy machine does not run into them; the specs of these deadlines set short ones.
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    public int Prepared { get; private set; }

    public IReadOnlyList<string> Preflight() => [];

    public TracerCommand Prepare()
    {
        Prepared++;
        return new TracerCommand(Script, arguments);
    }

    public ITraceParser CreateParser() => new ReadyAwareParser();

    public StderrLine ClassifyStderr(string line) =>
        line.StartsWith("DROP ", StringComparison.Ordinal) ? new StderrLine(StderrKind.Dropped, long.Parse(line[5..]))
        : line.StartsWith("BUSY", StringComparison.Ordinal) ? new StderrLine(StderrKind.Problem, Message: "the stand-in is busy")
        : StderrLine.Warning;

    private sealed class ReadyAwareParser : ITraceParser
    {
        private readonly OriginalLineParser _lines = new();

        public void Parse(ReadOnlySpan<byte> line, ITraceSink sink)
        {
            if (line.SequenceEqual("READY"u8))
                sink.Ready();
            else
                _lines.Parse(line, sink);
        }
    }
}

/// <summary>Helpers to see whether a process is still alive.</summary>
public static class ChildProcesses
{
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static async Task<int> ReadPidFile(string path, TimeSpan within) =>
        (await Poll.Until(async () => File.Exists(path) && int.TryParse((await File.ReadAllTextAsync(path)).Trim(), out var pid) ? pid : (int?)null,
            pid => pid is not null, within, $"a pid in {path}"))!.Value;
}
