namespace IoSnoop.Host;

/// <summary>
/// Everything the daemon's command line sets: each property's initial value is the flag's default and its
/// <see cref="FlagAttribute"/> its name and help, from which the help text and README's flag tables are made.
/// The original's flags keep their names, types and defaults (docs/compat.md); the rest are ours.
/// </summary>
public sealed record DaemonOptions
{
    /// <summary>The database when <c>--db</c> is not given, on Linux.</summary>
    public const string LinuxDatabase = "/var/lib/iosnoopng/iosnoopng.db";

    /// <summary>The database when <c>--db</c> is not given, on macOS.</summary>
    public const string MacOsDatabase = "/Library/Application Support/iosnoopng/iosnoopng.db";

    /// <summary>This platform's database when <c>--db</c> is not given.</summary>
    public static string PlatformDatabase => OperatingSystem.IsMacOS() ? MacOsDatabase : LinuxDatabase;

    /// <summary>The defaults of the command line: the record's, with the platform's database.</summary>
    public static DaemonOptions CommandLineDefaults() => new() { Database = PlatformDatabase };

    [Flag("a", "listen `address` of the HTTP server (`:8092` = every interface)", Original = true)]
    public string Listen { get; init; } = "127.0.0.1:8092";

    [Flag("l", "log `level`: trace, debug, info, warn, error, fatal, panic", Original = true)]
    public string LogLevel { get; init; } = "info";

    [Flag("o", "append every raw tracer output line to this `file`", Original = true)]
    public string? RawLog { get; init; }

    [Flag("r", "before collecting, replay the raw log named by `-o` (any recorded format: the original's, bpftrace, fs_usage, DTrace)", Original = true)]
    public bool ReplayRawLog { get; init; }

    [Flag("d", "de-duplicate launchd: a path that another process also touched is not counted for launchd", Original = true)]
    public bool DedupLaunchd { get; init; }

    [Flag("f", "load this stats `file` (the JSON of `GET /api/stats-full`) as the starting point", Original = true)]
    public string? StatsFile { get; init; }

    [Flag("n", "do not run the tracer, only serve HTTP (with `-r -o FILE`: replay, then serve)", Original = true)]
    public bool NoTracer { get; init; }

    [Flag("t", "merge a process's files whose reads and writes are both below this many `bytes` into `<Smaller Files of NAME>`", Original = true)]
    public long MergeThreshold { get; init; } = 33_554_432;

    [Flag("s", "only merge entries not updated for more than this many `seconds`", Original = true)]
    public long MergeIdleSeconds { get; init; } = 3600;

    [Flag("source", "the trace source by `name`: `auto` (fs_usage on macOS, bpftrace on Linux), `bpftrace`, `fs_usage`, `dtrace`, `replay`")]
    public string Source { get; init; } = "auto";

    [Flag("replay", "the trace `file` to read once, with --source replay")]
    public string? ReplayFile { get; init; }

    [Flag("force-dtrace-after-sleep", "start DTrace even on a Mac that slept since boot (it may freeze)")]
    public bool ForceDtraceAfterSleep { get; init; }

    [Flag("push-interval", "`seconds` between pushes of changes to the dashboard")]
    public double PushIntervalSeconds { get; init; } = 1;

    /// <remarks>Null or <c>none</c>: memory only. Null is the record's default, so that options built in
    /// code keep memory only; the command line starts from <see cref="CommandLineDefaults"/>.</remarks>
    [Flag("db", "the `path` of the database of totals and history; `none`: memory only, as the original")]
    public string? Database { get; init; }

    [Flag("flush-interval", "`seconds` between writes to the database")]
    public double FlushIntervalSeconds { get; init; } = 5;

    [Flag("max-files", "cap on the `number` of tracked (process, file) entries of all processes together; beyond it the least significant are merged")]
    public long MaxFiles { get; init; } = 200_000;

    [Flag("max-processes", "cap on the `number` of exited process instances kept for the process tree (bpftrace, dtrace; running ones are all kept); beyond it the oldest are folded into their parents")]
    public long MaxProcesses { get; init; } = 50_000;

    [Flag("process-retention", "`days` exited process instances are kept for the process tree; older ones are folded into their parents like those beyond --max-processes")]
    public double ProcessRetentionDays { get; init; } = 7;

    [Flag("keep-10s", "`hours` of history kept in 10-second buckets")]
    public double Keep10SecondHours { get; init; } = 24;

    [Flag("keep-1m", "`days` of history kept in 1-minute buckets")]
    public double Keep1MinuteDays { get; init; } = 31;

    [Flag("keep-1h", "`days` of history kept in 1-hour buckets")]
    public double Keep1HourDays { get; init; } = 365;

    [Flag("token-file", "require the token held in this `file` (Authorization: Bearer) for the API, the hub and `/metrics`; needed to listen beyond loopback")]
    public string? TokenFile { get; init; }

    [Flag("token", "like --token-file, with the `token` on the command line (visible in the process list: prefer --token-file)")]
    public string? Token { get; init; }

    [Flag("allowed-host", "also answer to this `host` name (any port) or NAME:PORT; repeatable or comma-separated", Separator = ',')]
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    [Flag("read-only", "refuse deleting and resetting figures (REST 403, hub error)")]
    public bool ReadOnly { get; init; }

    /// <summary>The database path to use, or null for memory only.</summary>
    public string? DatabasePath => Database is null or "none" ? null : Database;
}
