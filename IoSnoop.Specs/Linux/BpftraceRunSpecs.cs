using System.Diagnostics;
using System.Text.Json;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// <c>iosnoopng run --json -- SCRIPT</c> as a program of its own, on the real kernel (root): a uniquely named script
/// reads a line from standard input, prints it, and starts uniquely named copies of dd that write known sizes (one in
/// the background), then exits 3. With a daemon (in this process, on a free loopback port) and without one (run's
/// own tracer): exact tree totals and per-file figures, the exit status, standard input and output passed through,
/// and the command run as the sudo caller.
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BpftraceRunSpecs : IAsyncLifetime
{
    private const int Nobody = 65534;
    private readonly Workload _work = new();
    private RunningDaemon? _daemon;

    private CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        var problems = new BpftraceSource(new BpftraceOptions()).Preflight();
        Assert.True(problems.Count == 0, "this machine cannot trace: " + string.Join("; ", problems));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        _work.Dispose();
    }

    private async Task<string> StartDaemon()
    {
        var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = _work.Folder("program") });
        _daemon = await RunningDaemon.Start(new DaemonOptions(), source);
        await _daemon.WaitForStatus(s => s.GetProperty("source").GetProperty("state").GetString() == "running",
            TimeSpan.FromSeconds(60));
        return _daemon.Address.Authority;
    }

    /// <summary>The script and its dd, readable and writable for <see cref="Nobody"/> too.</summary>
    private (string Script, string ScriptName, string Dd, string Data) Job()
    {
        var dd = _work.Copy("/usr/bin/dd", "dd");
        var data = _work.Folder("data");
        File.SetUnixFileMode(_work.Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.GetDirectoryName(dd.Path)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(data, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(dd.Path, (UnixFileMode)0b111_101_101);
        var name = "run" + Guid.NewGuid().ToString("N")[..10];
        var script = _work.Script(name, $"""
            #!/bin/sh
            read line
            echo "got $line"
            '{dd.Path}' if=/dev/zero of='{data}/a.bin' bs=1000 count=3 2>/dev/null
            '{dd.Path}' if=/dev/zero of='{data}/b.bin' bs=1000 count=4 2>/dev/null &
            '{dd.Path}' if=/dev/zero of='{data}/c.bin' bs=1000 count=5 2>/dev/null
            wait
            echo "uid $(id -u)"
            exit 3

            """);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        return (script, name, dd.Name, data);
    }

    /// <summary>Runs <c>iosnoopng run</c> with "hello" on its standard input; its exit code, output and last line of standard error.</summary>
    private async Task<(int ExitCode, string Output, string Errors)> Run(string address, string script, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var word in new[] { DaemonProcess.Executable, "run", "--json", "-a", address, "--", script })
            info.ArgumentList.Add(word);
        foreach (var (name, value) in environment ?? [])
            info.Environment[name] = value;
        using var run = Process.Start(info)!;
        try
        {
            var output = run.StandardOutput.ReadToEndAsync(Cancel);
            var errors = run.StandardError.ReadToEndAsync(Cancel);
            await run.StandardInput.WriteLineAsync("hello");
            run.StandardInput.Close();
            await run.WaitForExitAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(150), Cancel);
            return (run.ExitCode, await output, await errors);
        }
        finally
        {
            if (!run.HasExited)
                run.Kill(entireProcessTree: true);
        }
    }

    private static JsonElement Report(string errors)
    {
        var last = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        try
        {
            return JsonDocument.Parse(last).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException("the report is not the last line of standard error: " + errors);
        }
    }

    private static void AssertTree(JsonElement report, string scriptName, string ddName, string data)
    {
        Assert.Equal(3, report.GetProperty("exitCode").GetInt32());
        Assert.True(report.GetProperty("complete").GetBoolean(), report.ToString());
        Assert.Equal(0, report.GetProperty("running").GetInt32());
        // Only the dd's write to files: the script's output goes to a pipe.
        Assert.True(report.GetProperty("treeWrites").GetInt64() == 3000 + 4000 + 5000, $"tree writes of 12000 expected: {report}");
        Assert.True(report.GetProperty("treeReads").GetInt64() > 0, "the loader and the script read files");
        Assert.True(report.GetProperty("elapsedSeconds").GetDouble() > 0);
        var files = report.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("writes").GetInt64());
        Assert.Equal((3000L, 4000L, 5000L), (files[$"{data}/a.bin"], files[$"{data}/b.bin"], files[$"{data}/c.bin"]));
        var processes = report.GetProperty("processes").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal((3, 12_000L), (processes[ddName].GetProperty("instances").GetInt32(), processes[ddName].GetProperty("writes").GetInt64()));
        Assert.Equal(1, processes[scriptName].GetProperty("instances").GetInt32());
        var folder = Assert.Single(report.GetProperty("folders").EnumerateArray(), f => f.GetProperty("path").GetString() == data);
        Assert.Equal(12_000, folder.GetProperty("writes").GetInt64());
        Assert.Equal(12_000, report.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("writes").GetInt64()));
    }

    [Fact]
    public async Task With_a_daemon_run_reports_the_exact_tree_and_passes_the_exit_status_and_standard_streams_through()
    {
        var address = await StartDaemon();
        var (script, scriptName, ddName, data) = Job();

        var (exitCode, output, errors) = await Run(address, script);

        Assert.Equal(3, exitCode);
        Assert.Equal("got hello\nuid 0\n", output);
        Assert.DoesNotContain("no daemon", errors);
        var report = Report(errors);
        Assert.Equal("daemon", report.GetProperty("tracer").GetString());
        AssertTree(report, scriptName, ddName, data);
        // The follow ended with the run.
        using var gone = await _daemon!.Http.GetAsync($"/api/follow/{report.GetProperty("pid").GetInt32()}", Cancel);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Without_a_daemon_run_traces_itself_and_says_so()
    {
        var (script, scriptName, ddName, data) = Job();
        // Other programs on this machine may run bpftrace too: run's own carries this mark in its environment.
        var mark = "IOSNOOP_SPEC_RUN=" + Guid.NewGuid().ToString("N");

        var (exitCode, output, errors) = await Run($"127.0.0.1:{DaemonProcess.FreePort()}", script,
            new() { [mark[..mark.IndexOf('=')]] = mark[(mark.IndexOf('=') + 1)..] });

        Assert.Equal(3, exitCode);
        Assert.Equal("got hello\nuid 0\n", output);
        Assert.Contains("no daemon answers at 127.0.0.1:", errors);
        var report = Report(errors);
        Assert.Equal("own", report.GetProperty("tracer").GetString());
        AssertTree(report, scriptName, ddName, data);
        // Its tracer stopped with it.
        Assert.Empty(Tracers(mark));
    }

    [Fact]
    public async Task Started_through_sudo_the_command_runs_as_the_calling_user()
    {
        var address = await StartDaemon();
        var (script, scriptName, ddName, data) = Job();

        var (exitCode, output, errors) = await Run(address, script,
            new() { ["SUDO_UID"] = $"{Nobody}", ["SUDO_GID"] = $"{Nobody}", ["SUDO_USER"] = "nobody" });

        Assert.Equal(3, exitCode);
        Assert.Equal($"got hello\nuid {Nobody}\n", output);
        AssertTree(Report(errors), scriptName, ddName, data);
        Assert.Equal(Nobody, Owner(Path.Combine(data, "a.bin")));
    }

    [Fact]
    public async Task Run_outlives_a_sigint_meant_for_the_command_and_passes_sigterm_on_to_it()
    {
        var address = await StartDaemon();
        var sleep = _work.Copy("/usr/bin/sleep", "sl");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in new[] { DaemonProcess.Executable, "run", "--json", "-a", address, "--", sleep.Path, "120" })
            info.ArgumentList.Add(word);
        using var run = Process.Start(info)!;
        try
        {
            var errors = run.StandardError.ReadToEndAsync(Cancel);
            await Poll.Until(() => Task.FromResult(Process.GetProcessesByName(sleep.Name).Length), n => n == 1,
                TimeSpan.FromSeconds(60), "the command's start");
            // Ctrl-C reaches the whole process group; here only run gets it, and goes on.
            await Workload.RunAsync("kill", ["-INT", $"{run.Id}"], Cancel);
            await Workload.RunAsync("kill", ["-TERM", $"{run.Id}"], Cancel);
            await run.WaitForExitAsync(Cancel).WaitAsync(TimeSpan.FromSeconds(60), Cancel);

            Assert.Equal(128 + 15, run.ExitCode);
            var report = Report(await errors);
            Assert.Equal((128 + 15, true), (report.GetProperty("exitCode").GetInt32(), report.GetProperty("complete").GetBoolean()));
            Assert.Equal(sleep.Name, Assert.Single(report.GetProperty("processes").EnumerateArray(),
                p => p.GetProperty("instances").GetInt32() == 1).GetProperty("name").GetString());
        }
        finally
        {
            if (!run.HasExited)
                run.Kill(entireProcessTree: true);
            foreach (var left in Process.GetProcessesByName(sleep.Name))
                using (left)
                    left.Kill();
        }
    }

    private static int Owner(string path) => int.Parse(
        Workload.RunAsync("stat", ["-c", "%u", path], CancellationToken.None).GetAwaiter().GetResult().Trim(),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bpftrace processes whose environment holds <paramref name="mark"/>.</summary>
    private static int[] Tracers(string mark)
    {
        var processes = Process.GetProcessesByName("bpftrace");
        var marked = new List<int>();
        foreach (var process in processes)
        {
            try
            {
                var environment = File.ReadAllText($"/proc/{process.Id}/environ");
                if (environment.Split('\0').Contains(mark))
                    marked.Add(process.Id);
            }
            catch (IOException)
            {
                // It has exited meanwhile.
            }
            process.Dispose();
        }
        return marked.ToArray();
    }
}
