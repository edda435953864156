using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace IoSnoop.Specs.Support;

/// <summary>The real <c>iosnoopng</c> executable as a child process on a free loopback port.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DaemonProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }
    public HttpClient Http { get; }
    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "iosnoopng.dll");

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static DaemonProcess Start(params string[] args) => StartListening(port => $"127.0.0.1:{port}", args);

    /// <summary>Starts it with <c>-a</c> made from a free port; <see cref="Http"/> still talks to 127.0.0.1 on that port.</summary>
    public static DaemonProcess StartListening(Func<int, string> listen, params string[] args)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Executable);
        info.ArgumentList.Add("-a");
        info.ArgumentList.Add(listen(port));
        foreach (var a in WithDatabase(args))
            info.ArgumentList.Add(a);
        return new DaemonProcess(Process.Start(info)!, port);
    }

    /// <summary>Runs the executable to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEnd(TimeSpan within, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Executable);
        foreach (var a in WithDatabase(args))
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(within);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Polls a JSON route until the condition holds, or fails after the deadline with the daemon's output.</summary>
    public async Task<JsonElement> WaitFor(string route, Func<JsonElement, bool> condition, TimeSpan within)
    {
        var answer = await Poll.Until(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"iosnoopng exited with {_process.ExitCode}: {Output}");
            try
            {
                return (JsonElement?)await Http.GetFromJsonAsync<JsonElement>(route);
            }
            catch (HttpRequestException)
            {
                return null; // not listening yet
            }
        }, last => last is { } json && condition(json), within, route, last => $"{last}; output: {Output}");
        return answer!.Value;
    }

    /// <summary>A spec never writes the default database: without <c>--db</c> it runs with <c>--db none</c>.</summary>
    private static IEnumerable<string> WithDatabase(string[] args) =>
        args.Any(a => a is "--db" or "-db" || a.StartsWith("--db=", StringComparison.Ordinal) || a.StartsWith("-db=", StringComparison.Ordinal))
        || args is ["install-launchd" or "bench", ..]
            ? args
            : [.. args, "--db", "none"];

    /// <summary>Sends SIGKILL (no shutdown at all) and waits for the exit.</summary>
    public async Task Kill(TimeSpan within)
    {
        Process.Start("kill", ["-KILL", Pid.ToString()]).WaitForExit();
        using var cancel = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(cancel.Token);
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> Terminate(TimeSpan within)
    {
        Process.Start("kill", ["-TERM", Pid.ToString()]).WaitForExit();
        using var cancel = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Waits for the exit code (after a signal sent by the caller).</summary>
    public async Task<int> WaitForExit(TimeSpan within)
    {
        using var cancel = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
