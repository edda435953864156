using IoSnoop.Host.Daemon;

namespace IoSnoop.Host;

/// <summary>The subcommands that install iosnoopng as a system daemon.</summary>
public static class Subcommands
{
    public const string LaunchdUsage = """
        Usage: iosnoopng install-launchd [--label LABEL] [--stdout PATH] [--stderr PATH] [--dir DIR] [-- DAEMON FLAGS...]

        Writes DIR/LABEL.plist so that launchd starts iosnoopng as root at boot and restarts it
        whenever it exits, then prints the command that loads it. Flags after -- are passed to
        the daemon unchanged, e.g.: iosnoopng install-launchd -- -a 127.0.0.1:8092 --source fs_usage

          --label LABEL   launchd label (default com.iosnoopng.daemon)
          --stdout PATH   the daemon's standard output (default /var/log/iosnoopng.log)
          --stderr PATH   the daemon's standard error (default /var/log/iosnoopng.err.log)
          --dir DIR       where to write the plist (default /Library/LaunchDaemons)

        """;

    /// <summary>Runs <c>install-launchd</c>; returns the exit code.</summary>
    public static int InstallLaunchd(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        var label = LaunchdPlist.DefaultLabel;
        var stdout = LaunchdPlist.DefaultStdoutPath;
        var stderr = LaunchdPlist.DefaultStderrPath;
        var dir = LaunchdPlist.DaemonsDirectory;
        var daemonArgs = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                daemonArgs.AddRange(args.Skip(i + 1));
                break;
            }
            if (i + 1 >= args.Count || args[i] is not ("--label" or "--stdout" or "--stderr" or "--dir"))
            {
                errors.Write(LaunchdUsage);
                return 2;
            }
            var value = args[++i];
            switch (args[i - 1])
            {
                case "--label": label = value; break;
                case "--stdout": stdout = value; break;
                case "--stderr": stderr = value; break;
                default: dir = value; break;
            }
        }
        if (!CommandLine.TryParse(daemonArgs, out _, out var flagError))
        {
            errors.WriteLine($"The daemon flags are not valid: {flagError}");
            return 2;
        }
        try
        {
            var installed = LaunchdPlist.Write(label, LaunchdPlist.CurrentProgramArguments(daemonArgs), stdout, stderr, dir);
            output.WriteLine($"Wrote {installed.PlistPath}");
            output.WriteLine("If an older iosnoopng daemon is loaded, unload it first:");
            output.WriteLine($"  {installed.BootoutCommand}");
            output.WriteLine("Load and start the daemon:");
            output.WriteLine($"  {installed.BootstrapCommand}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"Cannot install the launchd daemon: {e.Message}");
            return 1;
        }
    }
}
