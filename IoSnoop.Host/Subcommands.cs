using IoSnoop.Host.Daemon;

namespace IoSnoop.Host;

/// <summary>A subcommand: <c>iosnoopng NAME ...</c>.</summary>
/// <param name="Synopsis">What follows the name in the usage line.</param>
/// <param name="Summary">One line for the daemon's help.</param>
/// <param name="Run">Runs it with the arguments after its name; returns the exit code.</param>
public sealed record Subcommand(string Name, string Synopsis, string Summary, Func<IReadOnlyList<string>, TextWriter, TextWriter, Task<int>> Run);

/// <summary>The launchd options of <c>install-launchd</c>.</summary>
public sealed record LaunchdInstallOptions
{
    [Flag("label", "launchd `label` of the daemon")]
    public string Label { get; init; } = LaunchdPlist.DefaultLabel;

    [Flag("stdout", "`path` of the daemon's standard output")]
    public string Stdout { get; init; } = LaunchdPlist.DefaultStdoutPath;

    [Flag("stderr", "`path` of the daemon's standard error")]
    public string Stderr { get; init; } = LaunchdPlist.DefaultStderrPath;

    [Flag("dir", "`directory` to write the plist to")]
    public string Directory { get; init; } = LaunchdPlist.DaemonsDirectory;
}

/// <summary>The options of <c>install-systemd</c>.</summary>
public sealed record SystemdInstallOptions
{
    [Flag("dir", "`directory` to write the unit to")]
    public string Directory { get; init; } = SystemdUnit.UnitsDirectory;
}

/// <summary>The subcommands: installing iosnoopng as a system daemon, the benchmark, and running a command traced.</summary>
public static class Subcommands
{
    private const string DaemonFlags = "[flags] [-- DAEMON FLAGS...]";

    public static IReadOnlyList<Subcommand> All { get; } =
    [
        new("install-systemd", DaemonFlags, "write the systemd unit that runs the daemon at boot (Linux)",
            (args, output, errors) => Task.FromResult(InstallSystemd(args, output, errors))),
        new("install-launchd", DaemonFlags, "write the launchd plist that runs the daemon at boot (macOS)",
            (args, output, errors) => Task.FromResult(InstallLaunchd(args, output, errors))),
        new("bench", "[flags] TRACE_FILE", "replay a recorded trace through the pipeline and print its speed and memory", Bench.Run),
        new("run", Run.RunCommandLine.Synopsis, "run a command and report what it and its children read and wrote (Linux)", Run.RunCommand.Run),
    ];

    public static FlagSet<LaunchdInstallOptions> LaunchdFlags { get; } = new(() => new LaunchdInstallOptions());

    public static FlagSet<SystemdInstallOptions> SystemdFlags { get; } = new(() => new SystemdInstallOptions());

    public static string LaunchdUsage() => $"""
        Usage: iosnoopng install-launchd {DaemonFlags}

        Writes DIR/LABEL.plist so that launchd starts iosnoopng as root at boot and restarts it
        whenever it exits, then prints the command that loads it. Flags after -- are passed to
        the daemon unchanged, e.g.: iosnoopng install-launchd -- -a 127.0.0.1:8092 --source fs_usage

        Flags:

        """ + LaunchdFlags.Describe();

    public static string SystemdUsage() => $"""
        Usage: iosnoopng install-systemd {DaemonFlags}

        Writes DIR/{SystemdUnit.UnitName}.service so that systemd starts iosnoopng as root at boot and restarts
        it when it fails, then prints the commands that enable and start it. Flags after -- are passed
        to the daemon unchanged, e.g.: iosnoopng install-systemd -- -a 127.0.0.1:8092 --max-files 500000

        Flags:

        """ + SystemdFlags.Describe();

    /// <summary>Runs <c>install-launchd</c>; returns the exit code.</summary>
    public static int InstallLaunchd(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (LaunchdFlags.ParseOrExit(args, LaunchdUsage(), output, errors, out var o, out var daemonArgs) is { } exit)
            return exit;
        if (CheckDaemonFlags(daemonArgs, errors) is { } bad)
            return bad;
        try
        {
            var installed = LaunchdPlist.Write(o.Label, LaunchdPlist.CurrentProgramArguments(daemonArgs), o.Stdout, o.Stderr, o.Directory);
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

    /// <summary>Runs <c>install-systemd</c>; returns the exit code.</summary>
    public static int InstallSystemd(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (SystemdFlags.ParseOrExit(args, SystemdUsage(), output, errors, out var o, out var daemonArgs) is { } exit)
            return exit;
        if (CheckDaemonFlags(daemonArgs, errors) is { } bad)
            return bad;
        try
        {
            var installed = SystemdUnit.Write(LaunchdPlist.CurrentProgramArguments(daemonArgs), o.Directory);
            output.WriteLine($"Wrote {installed.UnitPath}");
            output.WriteLine("Enable and start the daemon:");
            output.WriteLine($"  {installed.EnableCommand}");
            output.WriteLine("If it runs already, restart it with the new unit:");
            output.WriteLine($"  {installed.RestartCommand}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"Cannot install the systemd unit: {e.Message}");
            return 1;
        }
    }

    /// <summary>The flags the installed daemon will get must start it: checked now, not at boot.</summary>
    private static int? CheckDaemonFlags(IReadOnlyList<string> daemonArgs, TextWriter errors)
    {
        if (CommandLine.TryParse(daemonArgs, out _, out var error))
            return null;
        errors.WriteLine($"The daemon flags are not valid: {error}");
        return 2;
    }
}
