using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Event;

namespace IoSnoop.Actors.Tracing;

/// <summary>
/// One running tracer child process: its stdout read as bytes, its stderr read line by line (each line
/// cut at a bounded length) and classified, and a stop that asks politely (SIGINT) before it kills. Every started tracer is tracked
/// so that none outlives the daemon, even when the daemon exits without a clean shutdown.
/// </summary>
public sealed class TracerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly Task _stderrPump;
    private readonly FileStream? _rawLog;
    private readonly TimeSpan _grace;
    private readonly ILoggingAdapter _log;
    private readonly ConcurrentQueue<string> _lastStderr = new();
    private int _stopRequested;

    static TracerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private TracerProcess(Process process, TracerCommand command, TimeSpan grace, FileStream? rawLog,
        Action<string> onStderr, ILoggingAdapter log)
    {
        _process = process;
        Command = command;
        _grace = grace;
        _rawLog = rawLog;
        _log = log;
        _stdout = process.StandardOutput.BaseStream;
        _stderrPump = Task.Run(async () =>
        {
            try
            {
                await foreach (var line in StderrLines.Read(process.StandardError).ConfigureAwait(false))
                {
                    _lastStderr.Enqueue(line);
                    while (_lastStderr.Count > 5)
                        _lastStderr.TryDequeue(out _);
                    onStderr(line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The pipe closed with the process.
            }
        });
    }

    public TracerCommand Command { get; }

    public int Pid => _process.Id;

    /// <summary>The last few stderr lines, to explain a failed start.</summary>
    public string LastStderr => string.Join(" | ", _lastStderr);

    public bool HasExited => HasExitedSafe();

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public bool StopRequested => Volatile.Read(ref _stopRequested) != 0;

    /// <summary>Starts the tracer. Throws <see cref="TracerStartException"/> when it cannot be started.</summary>
    /// <param name="rawLogPath">When set, every stdout byte is appended to this file (the original's <c>-o</c>).</param>
    public static TracerProcess Start(TracerCommand command, TimeSpan grace, string? rawLogPath,
        Action<string> onStderr, ILoggingAdapter log)
    {
        var info = new ProcessStartInfo(command.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment)
            info.Environment[name] = value;

        FileStream? rawLog = null;
        if (rawLogPath is not null)
            rawLog = new FileStream(rawLogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new TracerStartException($"{command.Program} did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            rawLog?.Dispose();
            throw new TracerStartException($"cannot start {command.Program}: {e.Message}", e);
        }
        process.StandardInput.Close();
        Running[process.Id] = process;
        log.Info("Started tracer {0} (pid {1})", command, process.Id);
        return new TracerProcess(process, command, grace, rawLog, onStderr, log);
    }

    /// <summary>Reads the next piece of stdout into <paramref name="buffer"/>; 0 at the end of the stream.</summary>
    public async Task<int> ReadAsync(Memory<byte> buffer)
    {
        int read;
        try
        {
            read = await _stdout.ReadAsync(buffer).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            read = 0;
        }
        if (read > 0 && _rawLog is not null)
        {
            _rawLog.Write(buffer.Span[..read]);
            _rawLog.Flush();
        }
        return read;
    }

    /// <summary>Asks the tracer to finish (SIGINT): it prints what it still holds and exits.</summary>
    public void RequestStop()
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0 || _process.HasExited)
            return;
        if (!Signal(_process.Id, SigInt))
        {
            Kill();
            return;
        }
        // The grace period runs from the request, whether or not anyone reads stdout to its end.
        _ = Task.Delay(_grace).ContinueWith(_ =>
        {
            if (!HasExitedSafe())
            {
                _log.Warning("Tracer {0} (pid {1}) did not exit within {2} of SIGINT; killing it", Command.Program, Pid, _grace);
                Kill();
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Kills the tracer (and anything it started) at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private bool HasExitedSafe()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Waits for the process to exit after its stdout ended; kills it after the grace period.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var grace = new CancellationTokenSource(_grace);
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.Warning("Tracer {0} (pid {1}) did not exit within {2}; killing it", Command.Program, Pid, _grace);
            Kill();
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        await _stderrPump.ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Stops the tracer: SIGINT, then SIGKILL after the grace period.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                RequestStop();
                await WaitForExitAsync().ConfigureAwait(false);
            }
            else
            {
                await _stderrPump.ConfigureAwait(false);
            }
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _rawLog?.Dispose();
            _process.Dispose();
        }
    }

    private static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private const int SigInt = 2;

    private static bool Signal(int pid, int signal)
    {
        if (OperatingSystem.IsWindows())
            return false;
        return NativeMethods.kill(pid, signal) == 0;
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a plain P/Invoke is enough here
        public static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}

/// <summary>The tracer could not be started or did not become ready.</summary>
public sealed class TracerStartException(string message, Exception? inner = null) : Exception(message, inner);
