using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Logger.Serilog;
using IoSnoop.Actors.Hosting;
using IoSnoop.Actors.Pipeline;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Sources;
using IoSnoop.Web;
using IoSnoop.Web.Api;
using Serilog;
using Serilog.Events;

namespace IoSnoop.Host;

/// <summary>Builds the daemon (web server + actor pipeline) from its options; used by Program and the tests.</summary>
public static class DaemonApp
{
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

        var stats = StatsSettings.Default with { PushInterval = TimeSpan.FromSeconds(options.PushIntervalSeconds) };
        var tracer = TracerSettingsFor(options, live);
        builder.Services.AddAkka("iosnoopng", akka =>
        {
            akka.ConfigureLoggers(setup =>
            {
                setup.LogLevel = AkkaLevel(options.LogLevel);
                setup.ClearLoggers();
                setup.AddLogger<SerilogLogger>();
            });
            akka.WithIoSnoopPipeline(stats, tracer);
            if (options.StatsFile is not null)
                akka.AddStartup(async (system, registry) =>
                {
                    await using var file = File.OpenRead(options.StatsFile);
                    var dump = CompatJson.ReadFull(file);
                    var statsActor = await registry.GetAsync<StatsActor>();
                    var loaded = await statsActor.Ask<StatsProtocol.Loaded>(new StatsProtocol.Load(dump), TimeSpan.FromSeconds(30));
                    system.Log.Info("Loaded {0} processes and {1} files from {2}", loaded.Processes, loaded.Files, options.StatsFile);
                });
        });
        builder.Services.AddIoSnoopWeb(WebSettings.Default, DaemonAccess.Create(options, logger));

        var app = builder.Build();
        app.MapIoSnoop();
        return app;
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

    public static Serilog.ILogger CreateLogger(string level) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(SerilogLevel(level))
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();

    public static LogEventLevel SerilogLevel(string level) => level switch
    {
        "trace" => LogEventLevel.Verbose,
        "debug" => LogEventLevel.Debug,
        "info" => LogEventLevel.Information,
        "warn" => LogEventLevel.Warning,
        "error" => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };

    private static Akka.Event.LogLevel AkkaLevel(string level) => level switch
    {
        "trace" or "debug" => Akka.Event.LogLevel.DebugLevel,
        "info" => Akka.Event.LogLevel.InfoLevel,
        "warn" => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };
}
