using System.Globalization;
using System.Text;

namespace IoSnoop.Host;

/// <summary>
/// Reads the command line the way the original (Go's <c>flag</c> package) did: <c>-name value</c>,
/// <c>-name=value</c>, boolean flags alone or as <c>-name=true|false</c>; <c>--name</c> works the same.
/// An unknown flag, a missing or bad value, or a stray argument is an error.
/// </summary>
public static class CommandLine
{
    private enum Kind { Text, Bool, Integer, Number }

    private sealed record Flag(string Name, Kind Kind, string Help, Func<DaemonOptions, string, DaemonOptions> Apply);

    private static readonly Flag[] Flags =
    [
        new("a", Kind.Text, "listen address of the HTTP server (default \"127.0.0.1:8092\")", (o, v) => o with { Listen = v }),
        new("l", Kind.Text, "log level: trace, debug, info, warn, error, fatal, panic (default \"info\")", (o, v) => o with { LogLevel = v }),
        new("o", Kind.Text, "append every raw tracer output line to this file", (o, v) => o with { RawLog = v }),
        new("r", Kind.Bool, "before collecting, replay the raw log named by -o", (o, v) => o with { ReplayRawLog = Bool(v) }),
        new("d", Kind.Bool, "de-duplicate launchd: paths another process also touched are not counted for launchd", (o, v) => o with { DedupLaunchd = Bool(v) }),
        new("f", Kind.Text, "load a stats file (the JSON of /api/stats-full) as the starting point", (o, v) => o with { StatsFile = v }),
        new("n", Kind.Bool, "do not run the tracer, only serve HTTP", (o, v) => o with { NoTracer = Bool(v) }),
        new("t", Kind.Integer, "merge a process's files whose reads and writes are both below this many bytes (default 33554432)", (o, v) => o with { MergeThreshold = long.Parse(v, CultureInfo.InvariantCulture) }),
        new("s", Kind.Integer, "only merge entries not updated for more than this many seconds (default 3600)", (o, v) => o with { MergeIdleSeconds = long.Parse(v, CultureInfo.InvariantCulture) }),
        new("source", Kind.Text, "trace source: auto, bpftrace, fs_usage, dtrace, replay (default \"auto\")", (o, v) => o with { Source = v }),
        new("replay", Kind.Text, "with --source replay: the trace file to read once", (o, v) => o with { ReplayFile = v }),
        new("force-dtrace-after-sleep", Kind.Bool, "start DTrace even though this Mac slept since boot (it may freeze)", (o, v) => o with { ForceDtraceAfterSleep = Bool(v) }),
        new("push-interval", Kind.Number, "seconds between pushes of changes to the dashboard (default 1)", (o, v) => o with { PushIntervalSeconds = double.Parse(v, CultureInfo.InvariantCulture) }),
        new("db", Kind.Text, $"the database of totals and history, or none to keep everything in memory only (default \"{IoSnoop.Actors.Store.StatsStore.DefaultPath}\")", (o, v) => o with { Database = v }),
        new("flush-interval", Kind.Number, "seconds between writes to the database (default 5)", (o, v) => o with { FlushIntervalSeconds = double.Parse(v, CultureInfo.InvariantCulture) }),
        new("max-files", Kind.Integer, "cap on tracked files of all processes; beyond it the least significant are merged (default 200000)", (o, v) => o with { MaxFiles = long.Parse(v, CultureInfo.InvariantCulture) }),
        new("keep-10s", Kind.Number, "hours of history kept in 10-second buckets (default 24)", (o, v) => o with { Keep10SecondHours = double.Parse(v, CultureInfo.InvariantCulture) }),
        new("keep-1m", Kind.Number, "days of history kept in 1-minute buckets (default 31)", (o, v) => o with { Keep1MinuteDays = double.Parse(v, CultureInfo.InvariantCulture) }),
        new("keep-1h", Kind.Number, "days of history kept in 1-hour buckets (default 365)", (o, v) => o with { Keep1HourDays = double.Parse(v, CultureInfo.InvariantCulture) }),
        new("token", Kind.Text, "require this token (Authorization: Bearer) for the API, the hub and /metrics; needed to listen beyond loopback", (o, v) => o with { Token = v }),
        new("token-file", Kind.Text, "like --token, the token read from this file (not visible in the process list)", (o, v) => o with { TokenFile = v }),
        new("allowed-host", Kind.Text, "also answer to this host name, NAME or NAME:PORT (repeatable, or comma-separated)", (o, v) => o with { AllowedHosts = [.. o.AllowedHosts, .. DaemonAccess.SplitHosts(v)] }),
        new("read-only", Kind.Bool, "refuse deleting and resetting figures (API and dashboard)", (o, v) => o with { ReadOnly = Bool(v) }),
    ];

    public static readonly string[] LogLevels = ["trace", "debug", "info", "warn", "error", "fatal", "panic"];
    public static readonly string[] Sources = ["auto", "bpftrace", "fs_usage", "dtrace", "replay"];

    /// <summary>Parses the arguments; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out DaemonOptions options, out string error)
    {
        options = new DaemonOptions();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                if (i + 1 < args.Count)
                    return Fail($"unexpected argument: {args[i + 1]}", out error);
                break;
            }
            if (arg.Length < 2 || arg[0] != '-' || arg == "-")
                return Fail($"unexpected argument: {arg}", out error);
            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            string? value = null;
            var eq = body.IndexOf('=');
            if (eq >= 0)
            {
                value = body[(eq + 1)..];
                body = body[..eq];
            }
            var flag = Array.Find(Flags, f => f.Name == body);
            if (flag is null)
                return Fail($"flag provided but not defined: -{body}", out error);
            if (flag.Kind == Kind.Bool)
            {
                value ??= "true";
                if (!TryBool(value, out _))
                    return Fail($"invalid boolean value \"{value}\" for -{flag.Name}", out error);
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                    return Fail($"flag needs an argument: -{flag.Name}", out error);
                value = args[++i];
            }
            if (flag.Kind == Kind.Integer && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                return Fail($"invalid value \"{value}\" for flag -{flag.Name}: not an integer", out error);
            if (flag.Kind == Kind.Number && (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number <= 0))
                return Fail($"invalid value \"{value}\" for flag -{flag.Name}: not a positive number", out error);
            options = flag.Apply(options, value);
        }
        // The default database applies to the command line only: options built in code keep memory only.
        if (options.Database is null)
            options = options with { Database = IoSnoop.Actors.Store.StatsStore.DefaultPath };
        return Validate(options, out error);
    }

    private static bool Validate(DaemonOptions o, out string error)
    {
        error = "";
        if (!LogLevels.Contains(o.LogLevel))
            return Fail($"invalid value \"{o.LogLevel}\" for flag -l: use one of {string.Join(", ", LogLevels)}", out error);
        if (!Sources.Contains(o.Source))
            return Fail($"invalid value \"{o.Source}\" for flag --source: use one of {string.Join(", ", Sources)}", out error);
        if (o.ReplayRawLog && string.IsNullOrEmpty(o.RawLog))
            return Fail("-r needs -o FILE: it replays the raw log named by -o", out error);
        if (o.Source == "replay" && string.IsNullOrEmpty(o.ReplayFile))
            return Fail("--source replay needs --replay FILE", out error);
        if (o.ReplayFile is not null && o.Source is not ("replay" or "auto"))
            return Fail("--replay FILE goes with --source replay", out error);
        if (o.MergeThreshold < 0 || o.MergeIdleSeconds < 0)
            return Fail("-t and -s must not be negative", out error);
        if (o.MaxFiles < 1 || o.MaxFiles > int.MaxValue)
            return Fail($"invalid value \"{o.MaxFiles}\" for flag --max-files: use 1 to {int.MaxValue}", out error);
        if (o.Database is "")
            return Fail("--db needs a path, or none", out error);
        if (o.Keep10SecondHours / 24 > o.Keep1MinuteDays || o.Keep1MinuteDays > o.Keep1HourDays)
            return Fail("history retention must not shrink with coarser buckets: --keep-10s (hours) <= --keep-1m (days) <= --keep-1h (days)", out error);
        if (!ListenAddress.TryParse(o.Listen, out _, out var listenError))
            return Fail($"invalid value \"{o.Listen}\" for flag -a: {listenError}", out error);
        if (DaemonAccess.Problem(o) is { } accessProblem)
            return Fail(accessProblem, out error);
        return true;
    }

    public static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: iosnoopng [flags]");
        text.AppendLine("       iosnoopng install-systemd | install-launchd | bench [flags]");
        text.AppendLine();
        text.AppendLine("Records which process read and wrote how many bytes to which file; dashboard at http://127.0.0.1:8092.");
        text.AppendLine("Flags (single or double dash; -name=value or -name value):");
        foreach (var f in Flags)
        {
            var kind = f.Kind switch { Kind.Bool => "", Kind.Integer => " int", Kind.Number => " number", _ => " string" };
            text.AppendLine($"  -{f.Name}{kind}");
            text.AppendLine($"        {f.Help}");
        }
        return text.ToString();
    }

    private static bool Bool(string value) => TryBool(value, out var b) && b;

    private static bool TryBool(string value, out bool result)
    {
        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                result = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
