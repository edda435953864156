using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Host;

/// <summary>
/// <c>iosnoopng bench FILE</c>: pushes a recorded trace through the real pipeline (read, frame, parse, route
/// to the process actors, aggregate) until it can be queried, and prints events per second, allocation per
/// event, GC counts and the peak working set of this process. Run it once per measurement: the peak is the
/// process's own. The daemon's merge rules apply (the original's <c>-t</c>/<c>-s</c> defaults and the cap
/// on tracked files, <c>--max-files</c>), so the peak is what the daemon would need.
/// </summary>
public static class Bench
{
    public static FlagSet<BenchOptions> Flags { get; } = new(() => new BenchOptions());

    public static string Usage() => """
        Usage: iosnoopng bench [flags] TRACE_FILE

        Replays TRACE_FILE (the original's line format, e.g. made by bench/gen_trace.py) through the pipeline
        and prints figures (the trace stream is started once on an empty file first, as the daemon starts it
        before events come).

        Flags:

        """ + Flags.Describe();

    private static int ParseOnly(string file, TextWriter output)
    {
        var framer = new LineFramer(DecodeSettings.Default.MaxLineBytes);
        var paths = new PathPool();
        var batch = new BatchBuilder(new IoSnoop.Actors.Interning.NameTable(DecodeSettings.Default.NameTableCapacity), paths);
        var parser = new IoSnoop.Actors.Parsing.OriginalLineParser();
        LineFramer.LineHandler onLine = line => parser.Parse(line, batch);
        LineFramer.OverlongHandler onOverlong = start => batch.Malformed(start, "overlong");
        long events = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        using (var stream = File.OpenRead(file))
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                framer.Feed(buffer.AsSpan(0, read), onLine, onOverlong);
                if (batch.Entries >= DecodeSettings.Default.MaxBatchEntries)
                    events += Consume(batch.Build(), paths);
            }
        }
        framer.Finish(onLine);
        events += Consume(batch.Build(), paths);
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        output.WriteLine($"parse only      {events:N0} events in {clock.Elapsed.TotalSeconds:0.000} s");
        output.WriteLine($"events/s        {events / clock.Elapsed.TotalSeconds:N0}");
        output.WriteLine($"alloc/event     {allocated / (double)Math.Max(1, events):0.0} B");
        return 0;
    }

    /// <summary>What the file tables would do with a batch's paths when they hold them already: give them back.</summary>
    private static long Consume(IngestBatch batch, PathPool paths)
    {
        foreach (var process in batch.Processes)
            foreach (var file in process.Files)
                paths.Release(file.Key);
        return batch.Events;
    }

    public static async Task<int> Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (Flags.ParseOrExit(args, Usage(), output, errors, out var options, out var files) is { } exit)
            return exit;
        if (files is not [var file])
            return Refuse("bench needs one TRACE_FILE");
        if (!File.Exists(file))
            return Refuse($"no such file: {file}");
        if (options.MaxFiles is < 1 or > int.MaxValue)
            return Refuse($"invalid value \"{options.MaxFiles}\" for flag --max-files: use 1 to {int.MaxValue}");

        int Refuse(string problem)
        {
            errors.WriteLine(problem);
            errors.Write(Usage());
            return 2;
        }

        if (options.ParseOnly)
            return ParseOnly(file, output);
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        using var system = ActorSystem.Create("bench", config);
        var daemon = new DaemonOptions { MaxFiles = options.MaxFiles };
        var settings = DaemonApp.ProcessesSettingsFor(daemon);
        var paths = new PathPool();
        var stats = system.ActorOf(ProcessesActor.Props(settings, paths), "stats");

        long peakHeap = 0, peakCommitted = 0;
        async Task<Overview> Replay(string name, string path)
        {
            var tracer = system.ActorOf(TracerActor.Props(new TracerSettings(null, path, null), stats, paths), name);
            while (true)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                peakCommitted = Math.Max(peakCommitted, GC.GetGCMemoryInfo().TotalCommittedBytes);
                var status = await tracer.Ask<SourceStatus>(TracerProtocol.GetStatus.Instance, TimeSpan.FromSeconds(30));
                if (status.State is "stopped" or "failed")
                    return await stats.Ask<Overview>(ProcessesProtocol.GetOverview.Instance, TimeSpan.FromSeconds(60));
                await Task.Delay(10);
            }
        }

        // The daemon starts its trace stream once, when its tracer starts, before any event comes; the stream
        // machinery's first start (the materializer, its code: about 0.2 s) is not ingest, so an empty file is
        // replayed first. The measured replay still starts with empty tables, an empty pool and cold parsing code.
        var empty = Path.Combine(Path.GetTempPath(), $"iosnoopng-bench-empty-{Environment.ProcessId}.trace");
        File.WriteAllBytes(empty, []);
        try
        {
            await Replay("stream-start", empty);
        }
        finally
        {
            File.Delete(empty);
        }

        if (options.WarmUp)
        {
            // The code is compiled (and re-compiled by tiering) during the first replay, as it would be
            // during a daemon's first minutes; the second replay starts from empty tables.
            var warm = await Replay("warm-up", file);
            await stats.Ask<ProcessesProtocol.ResetDone>(ProcessesProtocol.ResetAll.Instance, TimeSpan.FromSeconds(60));
            output.WriteLine($"warm-up         {warm.Totals.Events:N0} events, then reset");
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gcBefore = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var pauseBefore = GC.GetTotalPauseDuration();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        var overview = await Replay("tracer", file);
        clock.Stop();
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var self = Process.GetCurrentProcess();
        self.Refresh();

        var events = overview.Totals.Events;
        var seconds = clock.Elapsed.TotalSeconds;
        var bytes = new FileInfo(file).Length;
        output.WriteLine($"file            {file} ({bytes / 1048576.0:0.0} MiB)");
        output.WriteLine($"events          {events:N0} ({overview.Totals.MalformedLines:N0} malformed lines)");
        output.WriteLine($"processes       {overview.Processes.Count:N0}, files {overview.Processes.Sum(p => (long)p.Files):N0} (cap {options.MaxFiles:N0})");
        output.WriteLine($"elapsed         {seconds:0.000} s");
        output.WriteLine($"events/s        {events / seconds:N0}");
        output.WriteLine($"MiB/s           {bytes / 1048576.0 / seconds:0.0}");
        output.WriteLine($"cpu time        {cpu.TotalSeconds:0.000} s ({cpu.TotalSeconds / seconds:0.00} of {Environment.ProcessorCount} cores), {cpu.TotalMicroseconds * 1000 / Math.Max(1, events):0} ns/event");
        output.WriteLine($"alloc/event     {(events == 0 ? 0 : allocated / (double)events):0.0} B");
        output.WriteLine($"gc gen0/1/2     {GC.CollectionCount(0) - gcBefore[0]}/{GC.CollectionCount(1) - gcBefore[1]}/{GC.CollectionCount(2) - gcBefore[2]}");
        output.WriteLine($"gc pauses       {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:N0} ms in all");
        output.WriteLine($"gc mode         {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {AppContext.TryGetSwitch("System.GC.Concurrent", out var c) && c}");
        output.WriteLine($"peak working set {self.PeakWorkingSet64 / 1048576.0:0.0} MiB");
        output.WriteLine($"managed heap    {GC.GetTotalMemory(false) / 1048576.0:0.0} MiB (peak {peakHeap / 1048576.0:0.0} MiB, committed peak {peakCommitted / 1048576.0:0.0} MiB)");
        output.WriteLine($"path pool       {paths.Count:N0} paths (at most {paths.HighWater:N0} at once), {paths.SlabBytesAllocated / 1048576.0:0.0} MiB of path bytes");
        output.WriteLine($"live data       {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:0.0} MiB (managed, after a full collection at the end)");
        await system.Terminate();
        return 0;
    }
}

/// <summary>The flags of <c>iosnoopng bench</c>.</summary>
public sealed record BenchOptions
{
    [Flag("max-files", "cap on the `number` of tracked files, as the daemon's flag")]
    public long MaxFiles { get; init; } = new DaemonOptions().MaxFiles;

    [Flag("parse-only", "only frame, parse and batch (no actors), to see where the time goes")]
    public bool ParseOnly { get; init; }

    [Flag("warm-up", "replay the file once first (then reset), and measure the second replay")]
    public bool WarmUp { get; init; }
}
