using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Logger.Serilog;
using IoSnoop.Actors.Hosting;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Web;
using IoSnoop.Web.Api;
using Serilog;
using Serilog.Events;

namespace IoSnoop.Host;

/// <summary>Builds the daemon (web server + actor pipeline) from its options; used by Program and the tests.</summary>
public static class DaemonApp
{
    /// <exception cref="StoreException">The database cannot be opened or written (the message names it).</exception>
    /// <exception cref="StartupException">The <c>-f</c> stats file cannot be loaded.</exception>
    public static WebApplication Build(DaemonOptions options, ITraceSource? live, Serilog.ILogger? logger = null)
    {
        logger ??= CreateLogger(options.LogLevel);
        // Akka.Logger.Serilog writes through the static logger.
        Log.Logger = logger;
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Directory.Exists(webRoot) ? webRoot : null,
            Args = [],
        });
        ListenAddress.TryParse(options.Listen, out var url, out _);
        builder.WebHost.UseUrls(url);
        builder.Host.UseSerilog(logger, dispose: false);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var stats = ProcessesSettingsFor(options);
        var tracer = TracerSettingsFor(options, live);
        var store = OpenStore(options);
        ProcessesProtocol.Load? startFrom;
        SavedInstances? savedInstances;
        try
        {
            startFrom = StartingPoint(options, store, logger);
            savedInstances = store?.LoadInstances();
        }
        catch
        {
            store?.Dispose();
            throw;
        }
        var storeSettings = StoreSettingsFor(options);
        builder.Services.AddAkka("iosnoopng", akka =>
        {
            akka.ConfigureLoggers(setup =>
            {
                setup.LogLevel = AkkaLevel(options.LogLevel);
                setup.ClearLoggers();
                setup.AddLogger<SerilogLogger>();
            });
            akka.WithIoSnoopPipeline(stats, tracer, store: store, storeSettings: storeSettings, startFrom: startFrom,
                processTree: ProcessTreeSettingsFor(options, live), savedInstances: savedInstances);
        });
        builder.Services.AddIoSnoopWeb(WebSettings.Default, DaemonAccess.Create(options, logger));

        var app = builder.Build();
        app.MapIoSnoop();
        return app;
    }

    /// <summary>How long a query that asks every process actor may take (not a flag: a bound, not a preference).</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The processes actor's settings: <c>--push-interval</c> and the merge flags.</summary>
    public static ProcessesSettings ProcessesSettingsFor(DaemonOptions options) =>
        new(TimeSpan.FromSeconds(options.PushIntervalSeconds), QueryTimeout) { Merge = MergePolicyFor(options) };

    /// <summary>The process tree's settings: <c>--max-processes</c>, <c>--process-retention</c>; <c>/proc</c> is read for the live
    /// bpftrace source only.</summary>
    public static ProcessTreeSettings ProcessTreeSettingsFor(DaemonOptions options, ITraceSource? live) =>
        new((int)options.MaxProcesses, live is IoSnoop.Actors.Tracing.Linux.BpftraceSource && OperatingSystem.IsLinux())
        {
            Retention = TimeSpan.FromDays(options.ProcessRetentionDays),
        };

    /// <summary>The store actor's settings: <c>--flush-interval</c>.</summary>
    public static StoreSettings StoreSettingsFor(DaemonOptions options) => new(TimeSpan.FromSeconds(options.FlushIntervalSeconds));

    /// <summary>The original's <c>-t</c>, <c>-s</c>, <c>-d</c> and our <c>--max-files</c>.</summary>
    public static MergePolicy MergePolicyFor(DaemonOptions options) => new(
        options.MergeThreshold, TimeSpan.FromSeconds(options.MergeIdleSeconds), (int)options.MaxFiles, options.DedupLaunchd);

    /// <summary>The history's buckets and retention from <c>--keep-10s</c>, <c>--keep-1m</c>, <c>--keep-1h</c>.</summary>
    public static HistorySettings HistorySettingsFor(DaemonOptions options) => HistorySettings.For(
        TimeSpan.FromHours(options.Keep10SecondHours), TimeSpan.FromDays(options.Keep1MinuteDays),
        TimeSpan.FromDays(options.Keep1HourDays));

    /// <summary>Opens the database of <c>--db</c>, or null with <c>--db none</c> (or none given in code).</summary>
    /// <exception cref="StoreException">It cannot be opened or written.</exception>
    public static FiguresDatabase? OpenStore(DaemonOptions options) =>
        options.DatabasePath is { } path ? FiguresDatabase.Open(path, HistorySettingsFor(options)) : null;

    /// <summary>
    /// What the stats start from: the database's figures when it holds any; otherwise the <c>-f</c> file
    /// (which then goes into the database). A database that holds figures wins over <c>-f</c>, so a daemon
    /// always started with <c>-f</c> does not count the file again at every start.
    /// </summary>
    public static ProcessesProtocol.Load? StartingPoint(DaemonOptions options, FiguresDatabase? store, Serilog.ILogger logger)
    {
        if (store is not null)
        {
            var saved = store.Load();
            if (!saved.IsEmpty)
            {
                logger.Information("Resuming {Processes} processes and {Events} events from {Database}",
                    saved.Dump.Processes.Count, saved.Counters.Events, store.Path);
                if (options.StatsFile is not null)
                    logger.Information("Not loading {StatsFile}: the database {Database} already holds figures",
                        options.StatsFile, store.Path);
                return new ProcessesProtocol.Load(saved.Dump) { Counters = saved.Counters, Saved = true };
            }
        }
        if (options.StatsFile is null)
            return null;
        FullDump dump;
        try
        {
            using var file = File.OpenRead(options.StatsFile);
            dump = CompatJson.ReadFull(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException
                                      or InvalidOperationException or FormatException)
        {
            throw new StartupException($"cannot load the stats file {options.StatsFile}: {e.Message}");
        }
        logger.Information("Loaded {Processes} processes and {Files} files from {StatsFile}",
            dump.Processes.Count, dump.Processes.Values.Sum(f => f.Count), options.StatsFile);
        return new ProcessesProtocol.Load(dump);
    }

    /// <summary>What the tracer actor runs, or null when nothing is traced or replayed.</summary>
    public static TracerSettings? TracerSettingsFor(DaemonOptions options, ITraceSource? live)
    {
        var replay = options.ReplayFile ?? (options.ReplayRawLog ? options.RawLog : null);
        if (options.NoTracer)
            live = null;
        if (live is null && replay is null)
            return null;
        return new TracerSettings(live, replay, live is null ? null : options.RawLog);
    }

    public static Serilog.ILogger CreateLogger(string level) => DaemonLogging.CreateLogger(level);

    private static Akka.Event.LogLevel AkkaLevel(string level) => level switch
    {
        "trace" or "debug" => Akka.Event.LogLevel.DebugLevel,
        "info" => Akka.Event.LogLevel.InfoLevel,
        "warn" => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };
}

/// <summary>The daemon cannot start as told (a file it needs cannot be used); the message says why, in one line.</summary>
public sealed class StartupException(string message) : Exception(message);
