namespace IoSnoop.Host;

/// <summary>
/// Everything the command line sets. The original's flags keep their names, types and defaults
/// (compat.md); the rest are ours.
/// </summary>
public sealed record DaemonOptions
{
    /// <summary><c>-a</c>: listen address of the HTTP server.</summary>
    public string Listen { get; init; } = "127.0.0.1:8092";

    /// <summary><c>-l</c>: log level (trace, debug, info, warn, error, fatal, panic).</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary><c>-o</c>: append every raw tracer output line to this file.</summary>
    public string? RawLog { get; init; }

    /// <summary><c>-r</c>: before collecting, replay the raw log named by <c>-o</c>.</summary>
    public bool ReplayRawLog { get; init; }

    /// <summary><c>-d</c>: do not count for launchd the paths another process also touched.</summary>
    public bool DedupLaunchd { get; init; }

    /// <summary><c>-f</c>: load a stats file (the JSON of <c>/api/stats-full</c>) as the starting point.</summary>
    public string? StatsFile { get; init; }

    /// <summary><c>-n</c>: do not run the tracer, only serve HTTP.</summary>
    public bool NoTracer { get; init; }

    /// <summary><c>-t</c>: merge file entries whose reads and writes are both below this many bytes.</summary>
    public long MergeThreshold { get; init; } = 33_554_432;

    /// <summary><c>-s</c>: only merge entries idle for more than this many seconds.</summary>
    public long MergeIdleSeconds { get; init; } = 3600;

    /// <summary><c>--source</c>: auto, bpftrace, fs_usage, dtrace or replay.</summary>
    public string Source { get; init; } = "auto";

    /// <summary><c>--replay</c>: a trace file to read once (the <c>replay</c> source).</summary>
    public string? ReplayFile { get; init; }

    /// <summary><c>--force-dtrace-after-sleep</c>: start DTrace even on a Mac that slept since boot.</summary>
    public bool ForceDtraceAfterSleep { get; init; }

    /// <summary><c>--push-interval</c>: seconds between pushes to the dashboard.</summary>
    public double PushIntervalSeconds { get; init; } = 1;

    /// <summary><c>--db</c>: the database of totals and history; null or <c>none</c>: memory only. The command
    /// line sets the platform's default path when the flag is not given (specs that build options do not).</summary>
    public string? Database { get; init; }

    /// <summary><c>--flush-interval</c>: seconds between writes to the database.</summary>
    public double FlushIntervalSeconds { get; init; } = 5;

    /// <summary><c>--max-files</c>: the cap on tracked (process, file) entries, all processes together.</summary>
    public long MaxFiles { get; init; } = 200_000;

    /// <summary><c>--keep-10s</c>: hours of 10-second history buckets.</summary>
    public double Keep10SecondHours { get; init; } = 24;

    /// <summary><c>--keep-1m</c>: days of 1-minute history buckets.</summary>
    public double Keep1MinuteDays { get; init; } = 31;

    /// <summary><c>--keep-1h</c>: days of 1-hour history buckets.</summary>
    public double Keep1HourDays { get; init; } = 365;

    /// <summary>The database path to use, or null for memory only.</summary>
    public string? DatabasePath => Database is null or "none" ? null : Database;
    /// <summary><c>--token</c>: the token every request but the dashboard's files must carry.</summary>
    public string? Token { get; init; }

    /// <summary><c>--token-file</c>: a file holding the token (keeps it out of the process list).</summary>
    public string? TokenFile { get; init; }

    /// <summary><c>--allowed-host</c>: more names accepted as <c>Host</c> and <c>Origin</c>.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary><c>--read-only</c>: refuse deleting and resetting figures.</summary>
    public bool ReadOnly { get; init; }
}
