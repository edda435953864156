using System.Globalization;
using System.Text;

namespace IoSnoop.Host;

/// <summary>
/// The daemon's command line: the flags of <see cref="DaemonOptions"/> in Go's <c>flag</c> syntax
/// (<see cref="FlagSet{T}"/>), checked together; no positional arguments.
/// </summary>
public static class CommandLine
{
    public static FlagSet<DaemonOptions> Flags { get; } = new(DaemonOptions.CommandLineDefaults);

    public static readonly string[] LogLevels = ["trace", "debug", "info", "warn", "error", "fatal", "panic"];
    public static readonly string[] Sources = ["auto", "bpftrace", "fs_usage", "dtrace", "replay"];

    /// <summary>Parses the arguments; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out DaemonOptions options, out string error)
    {
        var parsed = Flags.Parse(args);
        options = parsed.Options ?? Flags.Defaults;
        error = parsed.HelpRequested ? "flag: help requested" : parsed.Error ?? Check(options, parsed.Arguments) ?? "";
        return error.Length == 0;
    }

    /// <summary>As a command: <c>-h</c> prints the usage (exit code 0); a wrong line prints what is wrong and
    /// the usage to <paramref name="errors"/> (exit code 2).</summary>
    /// <returns>Null when the daemon goes on with <paramref name="options"/>, otherwise the exit code.</returns>
    public static int? ParseOrExit(IReadOnlyList<string> args, TextWriter output, TextWriter errors, out DaemonOptions options)
    {
        if (Flags.ParseOrExit(args, Usage(), output, errors, out options, out var arguments) is { } exit)
            return exit;
        if (Check(options, arguments) is not { } error)
            return null;
        errors.WriteLine(error);
        errors.Write(Usage());
        return 2;
    }

    /// <summary>What is wrong with flags that parsed, alone or together, or null.</summary>
    private static string? Check(DaemonOptions o, IReadOnlyList<string> arguments)
    {
        if (arguments.Count > 0)
            return $"unexpected argument: {arguments[0]}";
        if (!LogLevels.Contains(o.LogLevel))
            return $"invalid value \"{o.LogLevel}\" for flag -l: use one of {string.Join(", ", LogLevels)}";
        if (!Sources.Contains(o.Source))
            return $"invalid value \"{o.Source}\" for flag --source: use one of {string.Join(", ", Sources)}";
        if (o.ReplayRawLog && string.IsNullOrEmpty(o.RawLog))
            return "-r needs -o FILE: it replays the raw log named by -o";
        if (o.Source == "replay" && string.IsNullOrEmpty(o.ReplayFile))
            return "--source replay needs --replay FILE";
        if (o.ReplayFile is not null && o.Source is not ("replay" or "auto"))
            return "--replay FILE goes with --source replay";
        if (o.MergeThreshold < 0 || o.MergeIdleSeconds < 0)
            return "-t and -s must not be negative";
        if (o.MaxFiles < 1 || o.MaxFiles > int.MaxValue)
            return $"invalid value \"{o.MaxFiles}\" for flag --max-files: use 1 to {int.MaxValue}";
        if (o.MaxProcesses < 0 || o.MaxProcesses > int.MaxValue)
            return $"invalid value \"{o.MaxProcesses}\" for flag --max-processes: use 0 to {int.MaxValue}";
        foreach (var (flag, value) in new[] { ("push-interval", o.PushIntervalSeconds), ("flush-interval", o.FlushIntervalSeconds),
                     ("keep-10s", o.Keep10SecondHours), ("keep-1m", o.Keep1MinuteDays), ("keep-1h", o.Keep1HourDays),
                     ("process-retention", o.ProcessRetentionDays) })
            if (value <= 0)
                return $"invalid value \"{value.ToString(CultureInfo.InvariantCulture)}\" for flag --{flag}: not a positive number";
        if (o.ProcessRetentionDays > MaxProcessRetentionDays)
            return $"invalid value \"{o.ProcessRetentionDays.ToString(CultureInfo.InvariantCulture)}\" for flag --process-retention: use at most {MaxProcessRetentionDays} days";
        if (o.Database is "")
            return "--db needs a path, or none";
        if (o.Keep10SecondHours / 24 > o.Keep1MinuteDays || o.Keep1MinuteDays > o.Keep1HourDays)
            return "history retention must not shrink with coarser buckets: --keep-10s (hours) <= --keep-1m (days) <= --keep-1h (days)";
        if (!ListenAddress.TryParse(o.Listen, out _, out var listenError))
            return $"invalid value \"{o.Listen}\" for flag -a: {listenError}";
        return DaemonAccess.Problem(o);
    }

    /// <summary>The longest <c>--process-retention</c>: a hundred years.</summary>
    public const int MaxProcessRetentionDays = 36_500;

    /// <summary>The help: how to call the daemon and its subcommands, and every flag with its default.</summary>
    public static string Usage()
    {
        var text = new StringBuilder();
        text.Append("Usage: iosnoopng [flags]\n");
        foreach (var command in Subcommands.All)
            text.Append($"       iosnoopng {command.Name} {command.Synopsis}\n");
        text.Append($"\nRecords which process read and wrote how many bytes to which file; dashboard at http://{Flags.Defaults.Listen}.\n");
        text.Append("\nSubcommands (iosnoopng SUBCOMMAND -h for their flags):\n");
        foreach (var command in Subcommands.All)
            text.Append($"  {command.Name,-17} {command.Summary}\n");
        text.Append("\nThe original's flags (single or double dash; -flag value or -flag=value):\n");
        text.Append(Flags.Describe(f => f.Original));
        text.Append("\nOurs:\n");
        text.Append(Flags.Describe(f => !f.Original));
        return text.ToString();
    }

    /// <summary>README's tables of the original's flags and of ours.</summary>
    public static string MarkdownTable(bool original) => Flags.MarkdownTable(
        f => f.Original == original,
        // The help shows this platform's database; README shows both.
        f => f.Name == "db" ? $"`{DaemonOptions.LinuxDatabase}` (macOS: `{DaemonOptions.MacOsDatabase}`)" : null);
}
