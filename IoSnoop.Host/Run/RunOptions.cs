using System.Globalization;

namespace IoSnoop.Host.Run;

/// <summary>The flags of <c>iosnoopng run</c>.</summary>
public sealed record RunOptions
{
    [Flag("json", "print the report as one JSON object")]
    public bool Json { get; init; }

    [Flag("a", "`address` of the daemon to ask (without one answering there, the tracer runs in this process: root needed)")]
    public string Address { get; init; } = "127.0.0.1:8092";

    [Flag("token-file", "send the token held in this `file` to the daemon")]
    public string? TokenFile { get; init; }

    [Flag("o", "write the report to this `file` instead of standard error")]
    public string? Output { get; init; }

    [Flag("top", "`number` of processes, files and folders in the printed report")]
    public long Top { get; init; } = 10;
}

/// <summary>The command line of <c>iosnoopng run</c>: its flags, then the command (after <c>--</c> or the first word that is not a flag).</summary>
public static class RunCommandLine
{
    public const string Synopsis = "[flags] -- CMD [ARGS...]";

    public static FlagSet<RunOptions> Flags { get; } = new(() => new RunOptions());

    public static string Usage() => $"""
        Usage: iosnoopng run {Synopsis}

        Runs CMD and, when it exits, reports what it and all the processes it started read and wrote: totals,
        the top processes (by name, with how many instances), files and folders, and the elapsed time, like
        time(1) does for CPU; exits with CMD's exit status (128 + N when a signal N ended it). The report goes
        to standard error, so CMD's own output stays as it is. The daemon at -a follows CMD's process tree (its
        source bpftrace on Linux or dtrace on macOS); with none answering there, this process runs bpftrace itself
        for the run (Linux, root needed). Started through sudo, CMD runs as the user who called sudo (SUDO_UID,
        SUDO_GID), not as root.

        Flags:

        """ + Flags.Describe();

    /// <summary>
    /// Splits the line into the flags and the command: the command starts after <c>--</c>, or at the first word
    /// that is neither a flag nor a flag's value, so that the command's own flags are never read as ours.
    /// </summary>
    /// <returns>The options and the command, or null with <paramref name="error"/> set (empty when help was asked for).</returns>
    public static (RunOptions Options, IReadOnlyList<string> Command)? Parse(IReadOnlyList<string> args, out string error)
    {
        var split = args.Count;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                split = i;
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                split = i;
                break;
            }
            var name = arg.TrimStart('-');
            var equals = name.IndexOf('=');
            if (equals >= 0)
                continue;
            var flag = Flags.Flags.FirstOrDefault(f => f.Name == name);
            if (flag is not null && !flag.IsBool)
                i++; // its value
        }
        var parsed = Flags.Parse(args.Take(split).ToArray());
        if (parsed.HelpRequested)
        {
            error = "";
            return null;
        }
        if (parsed.Error is not null)
        {
            error = parsed.Error;
            return null;
        }
        var options = parsed.Options!;
        var command = args.Skip(split < args.Count && args[split] == "--" ? split + 1 : split).ToArray();
        error = Check(options, command) ?? "";
        return error.Length == 0 ? (options, command) : null;
    }

    private static string? Check(RunOptions o, IReadOnlyList<string> command)
    {
        if (command.Count == 0 || command[0].Length == 0)
            return "no command given: iosnoopng run [flags] -- CMD [ARGS...]";
        if (o.Top < 1 || o.Top > 100_000)
            return $"invalid value \"{o.Top.ToString(CultureInfo.InvariantCulture)}\" for flag --top: use 1 to 100000";
        if (o.TokenFile is "")
            return "--token-file needs a file name";
        if (o.Output is "")
            return "-o needs a file name";
        if (DaemonUrl(o.Address) is null)
            return $"invalid value \"{o.Address}\" for flag -a: use HOST:PORT";
        return null;
    }

    /// <summary>The daemon's base URL for a listen address: an address of every interface (<c>:8092</c>) is asked on loopback.</summary>
    public static Uri? DaemonUrl(string address)
    {
        if (address.StartsWith(':'))
            address = "127.0.0.1" + address;
        if (!ListenAddress.TryParse(address, out var url, out _))
            return null;
        var text = url.Replace("://0.0.0.0:", "://127.0.0.1:").Replace("://[::]:", "://[::1]:")
            .Replace("://*:", "://127.0.0.1:").Replace("://+:", "://127.0.0.1:");
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }
}
