using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>Figures of one process.</summary>
public sealed record ProcessSummary(
    string Name, long Reads, long Writes, DateTimeOffset LastUpdated, long Events, int Files)
{
    /// <summary>Bytes read from the disk (Linux: beside <see cref="Reads"/>, which counts file reads).</summary>
    public long DiskReads { get; init; }

    /// <summary>Bytes written to the disk (dirtied in the page cache, or written directly).</summary>
    public long DiskWrites { get; init; }
}

/// <summary>Figures of one file of a process. <see cref="Merged"/> marks a <c>&lt;Smaller Files of …&gt;</c> row.</summary>
public sealed record FileSummary(
    string Path, long Reads, long Writes, DateTimeOffset LastUpdated, long Events, bool Merged)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }
}

/// <summary>The state of the trace source, as the dashboard and <c>/api/status</c> show it.</summary>
/// <param name="Name">bpftrace, fs_usage, dtrace, replay or none.</param>
/// <param name="Measures">What the figures mean (system-call file I/O or physical disk I/O).</param>
/// <param name="State">starting, running, restarting, failed, stopped or idle.</param>
/// <param name="Message">A problem the user must see, or null.</param>
/// <param name="Restarts">How many times the tracer was restarted.</param>
public sealed record SourceStatus(string Name, string Measures, string State, string? Message, int Restarts)
{
    public const string FileLayer = "file", DiskLayer = "disk";

    public static SourceStatus None { get; } = new("none", "nothing (no tracer runs)", "idle", null, 0);

    /// <summary>The layers the figures come from: <c>file</c> (read/write calls, in reads/writes), <c>disk</c>
    /// (bytes the disk moved: diskReads/diskWrites beside file figures, or reads/writes for a disk-only source).</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>What the layers mean for this source when it is not plain (disk-only sources); or null.</summary>
    public string? LayersNote { get; init; }
}

/// <summary>Totals over all processes.</summary>
public sealed record Totals(long Events, long MalformedLines, long DroppedEvents, long Reads, long Writes)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }
}

/// <summary>What the overview page and <c>/api/stats</c> show.</summary>
public sealed record Overview(Totals Totals, SourceStatus Source, IReadOnlyList<ProcessSummary> Processes)
{
    /// <summary>Distinct paths the pipeline's pool holds (each stored once, however many processes touched it).</summary>
    public int PathsHeld { get; init; }

    /// <summary>What each disk moved since the start (sources that measure the block layer), to set against the
    /// disk bytes attributed to processes.</summary>
    public IReadOnlyList<DeviceIo> Devices { get; init; } = [];
}

/// <summary>One process's files.</summary>
public sealed record ProcessFiles(string Name, bool Found, ProcessSummary? Summary, IReadOnlyList<FileSummary> Files);

/// <summary>Everything: every process with every file (<c>/api/stats-full</c>, the <c>-f</c> file).</summary>
public sealed record FullDump(long Events, IReadOnlyDictionary<string, IReadOnlyList<FileSummary>> Processes);

/// <summary>A process that changed since the last push, with what it moved in that interval.</summary>
public sealed record ChangedProcess(
    string Name, long Reads, long Writes, DateTimeOffset LastUpdated, long Events, int Files,
    long ReadDelta, long WriteDelta)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }

    public long DiskReadDelta { get; init; }

    public long DiskWriteDelta { get; init; }
}

/// <summary>What changed since the last push; sent at most every push interval, only when something changed.</summary>
public sealed record StatsChanges(
    DateTimeOffset Time, double IntervalSeconds, bool Reset, Totals Totals, SourceStatus Source,
    IReadOnlyList<ChangedProcess> Processes, IReadOnlyList<string> Removed)
{
    /// <summary>What each disk moved since the start, as in <see cref="Overview.Devices"/> (a handful of disks, so
    /// every push carries all of them; empty for sources that do not measure the block layer).</summary>
    public IReadOnlyList<DeviceIo> Devices { get; init; } = [];
}

/// <summary>The messages the processes actor (the parent of the process actors) answers.</summary>
public static class ProcessesProtocol
{
    /// <summary>Answered with <see cref="Overview"/>.</summary>
    public sealed record GetOverview
    {
        public static GetOverview Instance { get; } = new();
    }

    /// <summary>Answered with <see cref="ProcessFiles"/>.</summary>
    public sealed record GetProcessFiles(string Name);

    /// <summary>Answered with <see cref="FullDump"/>.</summary>
    public sealed record GetFullDump
    {
        public static GetFullDump Instance { get; } = new();
    }

    /// <summary>Forget one process. Answered with <see cref="ProcessDeleted"/>.</summary>
    public sealed record DeleteProcess(string Name);

    public sealed record ProcessDeleted(string Name, bool Existed);

    /// <summary>Forget everything. Answered with <see cref="ResetDone"/>.</summary>
    public sealed record ResetAll
    {
        public static ResetAll Instance { get; } = new();
    }

    public sealed record ResetDone
    {
        public static ResetDone Instance { get; } = new();
    }

    /// <summary>Load saved figures as a starting point (the <c>-f</c> file, or the database). Answered with <see cref="Loaded"/>.</summary>
    public sealed record Load(FullDump Dump)
    {
        /// <summary>Malformed lines and dropped events to start from (the database keeps them; the <c>-f</c> file does not).</summary>
        public StoredCounters? Counters { get; init; }

        /// <summary>The figures come from the database: nothing to write back.</summary>
        public bool Saved { get; init; }
    }

    public sealed record Loaded(int Processes, int Files);

    /// <summary>Receive <see cref="StatsChanges"/> pushes until the subscriber stops.</summary>
    public sealed record Subscribe(Akka.Actor.IActorRef Subscriber);

    public sealed record Unsubscribe(Akka.Actor.IActorRef Subscriber);

    /// <summary>A batch from the parsing flow; answered with <see cref="Ack"/> once routed (back-pressure).</summary>
    public sealed record Ingest(IngestBatch Batch);

    public sealed record Ack
    {
        public static Ack Instance { get; } = new();
    }

    /// <summary>The tracer reported lost events on stderr.</summary>
    public sealed record DropsReported(long Count);

    /// <summary>The trace source's state changed.</summary>
    public sealed record SourceStatusChanged(SourceStatus Status);

    /// <summary>Run the merge pass now (<c>-d</c> de-duplication, then the <c>-t</c>/<c>-s</c> merge); a timer
    /// runs it every min(60, s) seconds.</summary>
    public sealed record MergeNow
    {
        public static MergeNow Instance { get; } = new();
    }

    /// <summary>The launchd de-duplication pass is over (from its collector).</summary>
    public sealed record LaunchdDedupDone
    {
        public static LaunchdDedupDone Instance { get; } = new();
    }

    /// <summary>
    /// Hand over what changed since the last time, for the database; answered with <see cref="StoreChanges"/>.
    /// <see cref="All"/>: every file (the database is written anew after a failed write).
    /// </summary>
    public sealed record CollectChanges(bool All);
}
