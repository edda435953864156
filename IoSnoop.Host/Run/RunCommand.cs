using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IoSnoop.Host.Run;

/// <summary>
/// <c>iosnoopng run -- CMD</c>. CMD must not run before the tracer follows it, yet its pid is known only once it
/// started: so a small shell starts first and waits on a FIFO; its pid is followed, then the FIFO releases it and
/// it <c>exec</c>s CMD (through <c>setpriv</c> to the sudo caller's ids when started through sudo), keeping the
/// pid. CMD inherits standard input, output and error and this process's group, so the terminal's Ctrl-C reaches
/// it directly; this process ignores SIGINT and SIGQUIT while CMD runs and passes SIGTERM and SIGHUP on to it.
/// </summary>
public static class RunCommand
{
    /// <summary>The exit code of run's own failures (as <c>env</c> and <c>timeout</c> use it).</summary>
    public const int Failure = 125;

    /// <summary>How long run waits for the tracer to report the command's end.</summary>
    public static TimeSpan EndWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Waits on the FIFO ($1), then becomes the command (the rest).</summary>
    private const string Wrapper = "read -r _ < \"$1\" || exit 125; shift; exec \"$@\"";

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (RunCommandLine.Parse(args, out var error) is not var (options, command))
        {
            if (error.Length == 0)
            {
                output.Write(RunCommandLine.Usage());
                return 0;
            }
            errors.WriteLine(error);
            errors.Write(RunCommandLine.Usage());
            return ExitCodes.Usage;
        }
        try
        {
            return await Run(options, command, errors);
        }
        catch (Exception e) when (e is RunFailure or HttpRequestException or OperationCanceledException or TimeoutException
                                      or Akka.Actor.AskTimeoutException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"iosnoopng run: {e.Message}");
            return Failure;
        }
    }

    private static async Task<int> Run(RunOptions options, IReadOnlyList<string> command, TextWriter errors)
    {
        var cancel = CancellationToken.None;
        var address = RunCommandLine.DaemonUrl(options.Address)!;
        ITreeFollower? follower = await DaemonFollower.Connect(address, options.TokenFile, cancel);
        if (follower is null)
        {
            if (!OperatingSystem.IsLinux())
                throw new RunFailure(NoDaemonOffLinux(options.Address));
            errors.WriteLine($"iosnoopng run: no daemon answers at {options.Address}: tracing this run with a tracer of its own");
            follower = await OwnTracerFollower.Start(cancel);
        }
        await using var _ = follower;
        var asUser = SudoCaller();

        var folder = Directory.CreateTempSubdirectory("iosnoopng-run-");
        try
        {
            var fifo = Path.Combine(folder.FullName, "release");
            if (mkfifo(fifo, 0b110_000_000) != 0)
                throw new RunFailure($"cannot make the FIFO {fifo}: error {Marshal.GetLastPInvokeError()}");
            var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Wrapper);
            info.ArgumentList.Add("iosnoopng-run");
            info.ArgumentList.Add(fifo);
            if (asUser is var (uid, gid))
            {
                info.ArgumentList.Add(Setpriv());
                info.ArgumentList.Add($"--reuid={uid}");
                info.ArgumentList.Add($"--regid={gid}");
                info.ArgumentList.Add("--init-groups");
                info.ArgumentList.Add("--");
            }
            foreach (var word in command)
                info.ArgumentList.Add(word);

            using var child = Process.Start(info) ?? throw new RunFailure("cannot start /bin/sh");
            var pid = child.Id;
            Stopwatch clock;
            try
            {
                await follower.Follow(pid, cancel);
                await Settle(follower, pid, child, cancel);
                await Release(fifo, child);
                clock = Stopwatch.StartNew();
            }
            catch
            {
                Kill(child);
                throw;
            }

            int exitCode;
            using (PassSignals(pid))
            {
                await child.WaitForExitAsync(cancel);
                // .NET gives 128 + N for a process a signal N ended, as shells do.
                exitCode = child.ExitCode;
            }
            var elapsed = clock.Elapsed.TotalSeconds;

            // The command has run: whatever happens to the report, its exit status is run's.
            try
            {
                var (tree, complete) = await Figures(follower, pid, cancel);
                await follower.Unfollow(pid, cancel);
                var report = new RunReport(command, exitCode, elapsed, follower.Tracer, complete, tree);
                var text = options.Json ? report.Json() + "\n" : report.Text((int)options.Top);
                if (options.Output is { } file)
                    await File.WriteAllTextAsync(file, text, cancel);
                else
                    errors.Write(text);
            }
            catch (Exception e) when (e is RunFailure or HttpRequestException or OperationCanceledException or TimeoutException
                                          or Akka.Actor.AskTimeoutException or IOException or UnauthorizedAccessException)
            {
                errors.WriteLine($"iosnoopng run: no report: {e.Message}");
            }
            return exitCode;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The followed tree once the tracer has reported the command's end (or after <see cref="EndWait"/>).</summary>
    private static async Task<(IoSnoop.Actors.Instances.FollowReport Tree, bool Complete)> Figures(ITreeFollower follower, int pid, CancellationToken cancel)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var report = await follower.Report(pid, cancel)
                         ?? throw new RunFailure($"the tracer no longer follows pid {pid}");
            if (report.Ended is not null)
                return (report, true);
            if (deadline.Elapsed > EndWait)
                return (report, false);
            await Task.Delay(100, cancel);
        }
    }

    /// <summary>
    /// Holds the shell until the tracer has reported its start (within an interval of the fork). The tree may first
    /// know the pid from /proc, or hold an instance of an earlier process with that pid; when the kernel's record
    /// shows another instance, the followed one ends at once: it is followed again, so that the command's tree is
    /// the one followed.
    /// </summary>
    private static async Task Settle(ITreeFollower follower, int pid, Process child, CancellationToken cancel)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < SettleTime && !child.HasExited)
        {
            if (await follower.Report(pid, cancel) is { Ended: not null })
            {
                await follower.Unfollow(pid, cancel);
                await follower.Follow(pid, cancel);
            }
            await Task.Delay(100, cancel);
        }
    }

    /// <summary>How long the shell is held for the tracer to report it: its interval (1 s) and a margin.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1.5);

    /// <summary>Lets the waiting shell go on: opening the FIFO for writing waits for it to open it for reading.</summary>
    private static async Task Release(string fifo, Process child)
    {
        var open = Task.Run(() =>
        {
            using var release = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            release.WriteByte((byte)'\n');
        });
        var waited = Stopwatch.StartNew();
        while (!open.IsCompleted)
        {
            if (child.HasExited || waited.Elapsed > TimeSpan.FromSeconds(30))
                throw new RunFailure("the command's shell did not wait for its start");
            await Task.WhenAny(open, Task.Delay(50));
        }
        await open;
    }

    /// <summary>
    /// While CMD runs: SIGINT and SIGQUIT (the terminal sends them to CMD too, in the same process group) do not
    /// end this process; SIGTERM and SIGHUP, sent to this process alone, go on to CMD.
    /// </summary>
    private static IDisposable PassSignals(int pid)
    {
        var registrations = new List<PosixSignalRegistration>
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, c => c.Cancel = true),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                kill(pid, 15);
            }),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                kill(pid, 1);
            }),
        };
        return new Registrations(registrations);
    }

    private sealed class Registrations(List<PosixSignalRegistration> all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in all)
                registration.Dispose();
        }
    }

    /// <summary>The ids of the user who called sudo, when this process runs as root through sudo; otherwise null.</summary>
    public static (uint Uid, uint Gid)? SudoCaller() => SudoCaller(
        Environment.IsPrivilegedProcess, Environment.GetEnvironmentVariable("SUDO_UID"), Environment.GetEnvironmentVariable("SUDO_GID"));

    /// <summary>Root with a <c>SUDO_UID</c> (and <c>SUDO_GID</c>) of another user: that user's ids.</summary>
    /// <exception cref="RunFailure">The variables are set but not numbers.</exception>
    public static (uint Uid, uint Gid)? SudoCaller(bool root, string? sudoUid, string? sudoGid)
    {
        if (!root || string.IsNullOrEmpty(sudoUid))
            return null;
        if (!uint.TryParse(sudoUid, System.Globalization.NumberStyles.None, null, out var uid)
            || !uint.TryParse(sudoGid, System.Globalization.NumberStyles.None, null, out var gid))
            throw new RunFailure($"SUDO_UID and SUDO_GID must be numbers (they are \"{sudoUid}\" and \"{sudoGid}\")");
        return uid == 0 ? null : (uid, gid);
    }

    /// <summary>Why run stops when no daemon answers and this is not Linux: it traces by itself only with bpftrace, and it
    /// does not start DTrace on its own (SIP off, and DTrace can freeze a Mac that slept since boot).</summary>
    public static string NoDaemonOffLinux(string address) =>
        $"no daemon answers at {address}; without one run traces with bpftrace, which needs Linux. On macOS, start the " +
        "daemon with --source dtrace (it follows process trees; fs_usage gives no process ids) and run again: run does " +
        "not start DTrace by itself";

    private static string Setpriv()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin").Append("/bin"))
        {
            var path = Path.Combine(folder.Length == 0 ? "." : folder, "setpriv");
            if (File.Exists(path))
                return path;
        }
        throw new RunFailure("started through sudo, CMD runs as the calling user, which needs setpriv (util-linux): not found; " +
                             "with a daemon tracing, run needs no root: start it without sudo");
    }

    private static void Kill(Process child)
    {
        try
        {
            child.Kill();
        }
        catch (InvalidOperationException)
        {
            // It has exited already.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
