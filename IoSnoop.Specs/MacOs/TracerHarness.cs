using System.Diagnostics;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;

namespace IoSnoop.Specs.MacOs;

/// <summary>What one run of a tracer produced.</summary>
internal sealed record TracerRun(
    int ExitCode,
    ITraceParser Parser,
    RecordingSink Sink,
    IReadOnlyList<(string Line, StderrLine Meaning)> Stderr)
{
    public long StderrDrops => Stderr.Where(s => s.Meaning.Kind == StderrKind.Dropped).Sum(s => s.Meaning.Drops);

    public IReadOnlyList<string> Problems => [.. Stderr.Where(s => s.Meaning.Kind == StderrKind.Problem).Select(s => s.Meaning.Message!)];

    public int Count(StderrKind kind) => Stderr.Count(s => s.Meaning.Kind == kind);
}

/// <summary>
/// Runs a source's tracer as a plain child process with the stand-ins first on PATH: stdout framed into
/// lines for the source's parser, stderr lines through the source's classifier.
/// </summary>
internal static class TracerHarness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <param name="stopWhen">Checked after each stdout line; when true the tracer gets SIGTERM, as the pipeline stops it.</param>
    public static async Task<TracerRun> RunAsync(
        ITraceSource source,
        TracerCommand command,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken,
        Func<RecordingSink, bool>? stopWhen = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var token = timeout.Token;

        // Process.Start resolves a bare name on the PATH of this process, not of the child: resolve it here.
        var searchPath = MacFixtures.StandInFolder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var program = ExecutableLocator.Find(command.Program, searchPath)
            ?? throw new InvalidOperationException($"{command.Program} is not on {searchPath}");
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
            start.ArgumentList.Add(argument);
        start.Environment["PATH"] = searchPath;
        foreach (var (name, value) in environment)
            start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var parser = source.CreateParser();
        var sink = new RecordingSink();
        var stderr = new List<(string, StderrLine)>();
        var stderrDone = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(token) is { } line)
                stderr.Add((line, source.ClassifyStderr(line)));
        }, token);

        try
        {
            var stopped = false;
            await foreach (var line in ReadLinesAsync(process.StandardOutput.BaseStream, token))
            {
                parser.Parse(line, sink);
                if (!stopped && stopWhen?.Invoke(sink) == true)
                {
                    stopped = true;
                    Terminate(process.Id);
                }
            }
            await stderrDone;
            await process.WaitForExitAsync(token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new TracerRun(process.ExitCode, parser, sink, stderr);
    }

    /// <summary>Splits a byte stream on <c>\n</c> as the pipeline's framing does.</summary>
    private static async IAsyncEnumerable<byte[]> ReadLinesAsync(Stream stream, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        var buffer = new byte[4096];
        var pending = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer, token)) > 0)
        {
            var chunk = buffer.AsMemory(0, read);
            int newline;
            while ((newline = chunk.Span.IndexOf((byte)'\n')) >= 0)
            {
                pending.AddRange(chunk.Span[..newline]);
                yield return [.. pending];
                pending.Clear();
                chunk = chunk[(newline + 1)..];
            }
            pending.AddRange(chunk.Span);
        }
        if (pending.Count > 0)
            yield return [.. pending];
    }

    private static void Terminate(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
