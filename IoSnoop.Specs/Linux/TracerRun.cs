using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Tracing;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// Runs the bpftrace source the way the daemon will: starts its command, feeds every stdout line to
/// its parser, waits for READY, and stops it with SIGINT, reading stdout to the end.
/// </summary>
internal sealed class TracerRun : IAsyncDisposable
{
    public const int SigInt = 2, SigStop = 19;

    private readonly Process _process;
    private readonly BpftraceParser _parser;
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly StringBuilder _errors = new();
    private readonly MemoryStream _output = new();
    private readonly object _gate = new();
    private long _intervals;
    private DirectoryInfo? _programFolder;

    private TracerRun(BpftraceSource source, Process process)
    {
        Source = source;
        _process = process;
        _parser = (BpftraceParser)source.CreateParser();
        _stdout = Task.Run(ReadStdoutAsync);
        _stderr = Task.Run(ReadStderrAsync);
    }

    public BpftraceSource Source { get; }

    public CollectingSink Sink { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public bool Finished { get { lock (_gate) return _parser.Finished; } }

    /// <summary>How many interval markers the tracer printed so far.</summary>
    public long Intervals => Interlocked.Read(ref _intervals);

    public string Stderr { get { lock (_errors) return _errors.ToString(); } }

    /// <summary>Everything the tracer printed on stdout so far.</summary>
    public byte[] Output { get { lock (_gate) return _output.ToArray(); } }

    /// <summary>
    /// Checks the machine (failing with its problems), starts the tracer with its program in a
    /// temporary folder (removed again on dispose) and waits for READY.
    /// </summary>
    public static async Task<TracerRun> StartAsync(CancellationToken cancellation)
    {
        var folder = Directory.CreateTempSubdirectory("iosnoop-program-");
        try
        {
            var run = await StartAsync(new BpftraceSource(new BpftraceOptions { ProgramDirectory = folder.FullName }), cancellation);
            run._programFolder = folder;
            return run;
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>Checks the machine (failing with its problems), starts the tracer and waits for READY.</summary>
    public static async Task<TracerRun> StartAsync(BpftraceSource source, CancellationToken cancellation)
    {
        var problems = source.Preflight();
        if (problems.Count > 0)
            throw new InvalidOperationException("This machine cannot trace with bpftrace: " + string.Join(" ", problems));

        var command = source.Prepare();
        var start = new ProcessStartInfo(command.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
            start.ArgumentList.Add(argument);
        var run = new TracerRun(source, Process.Start(start) ?? throw new InvalidOperationException($"Could not start {command}"));
        try
        {
            await run.WaitUntilAsync(() => run.Sink.ReadyCount > 0, source.ReadyTimeout, "bpftrace to print READY", cancellation);
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
        return run;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails when the time is up or the tracer died.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellation)
    {
        await Poll.Until(() => condition() || _process.HasExited || cancellation.IsCancellationRequested, timeout,
            $"{what} (bpftrace)", () => $"stderr:\n{Stderr}");
        cancellation.ThrowIfCancellationRequested();
        if (condition())
            return;
        await _stdout;
        if (!condition())
            throw new InvalidOperationException($"bpftrace exited with {_process.ExitCode} while waiting for {what}. stderr:\n{Stderr}");
    }

    /// <summary>Waits until the tracer has closed <paramref name="count"/> more intervals.</summary>
    public Task WaitForIntervalsAsync(int count, CancellationToken cancellation)
    {
        var target = Intervals + count;
        return WaitUntilAsync(() => Intervals >= target, TimeSpan.FromSeconds(30 + 3 * count), $"{count} more interval(s)", cancellation);
    }

    /// <summary>Sends SIGINT and reads stdout to its end; true when bpftrace exited within the grace period.</summary>
    public async Task<bool> StopAsync()
    {
        if (!_process.HasExited)
            Signal(_process.Id, SigInt);
        var ended = Task.WhenAll(_stdout, _process.WaitForExitAsync());
        if (await Task.WhenAny(ended, Task.Delay(Source.StopGracePeriod)) == ended)
        {
            await _stderr;
            return true;
        }
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            await StopAsync();
        _process.Dispose();
        _programFolder?.Delete(recursive: true);
    }

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private async Task ReadStdoutAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 16];
        var pending = new List<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_gate)
            {
                _output.Write(buffer, 0, read);
                var chunk = buffer.AsSpan(0, read);
                while (!chunk.IsEmpty)
                {
                    var end = chunk.IndexOf((byte)'\n');
                    if (end < 0)
                    {
                        pending.AddRange(chunk);
                        break;
                    }
                    if (pending.Count == 0)
                        Line(chunk[..end]);
                    else
                    {
                        pending.AddRange(chunk[..end]);
                        Line(pending.ToArray());
                        pending.Clear();
                    }
                    chunk = chunk[(end + 1)..];
                }
            }
        }
        lock (_gate)
        {
            if (pending.Count > 0)
                Line(pending.ToArray());
        }
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        _parser.Parse(line, Sink);
        if (line.StartsWith("T "u8))
            Interlocked.Increment(ref _intervals);
    }

    private async Task ReadStderrAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_errors)
                _errors.AppendLine(line);
        }
    }
}
