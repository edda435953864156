using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Host;

if (args.Length > 0 && Subcommands.All.FirstOrDefault(c => c.Name == args[0]) is { } subcommand)
    return await subcommand.Run(args[1..], Console.Out, Console.Error);
if (CommandLine.ParseOrExit(args, Console.Out, Console.Error, out var options) is { } exit)
    return exit;

var logger = DaemonApp.CreateLogger(options.LogLevel);
ITraceSource? live = null;
if (!options.NoTracer && options.Source != "replay" && options.ReplayFile is null)
{
    var name = options.Source == "auto" ? SourceCatalog.AutoName() : options.Source;
    live = SourceCatalog.Create(name, options, out var sourceError);
    if (live is null)
    {
        logger.Fatal("Cannot trace: {Error}", sourceError);
        return 1;
    }
    if (options.Source == "auto")
        logger.Information("Source auto picked {Source} ({Measures})", live.Name, live.Measures);
    var problems = live.Preflight();
    if (problems.Count > 0)
    {
        foreach (var problem in problems)
            logger.Fatal("Cannot start {Source}: {Problem}", live.Name, problem);
        return 1;
    }
}

try
{
    var app = DaemonApp.Build(options, live, logger);
    await app.RunAsync();
    return 0;
}
catch (IoSnoop.Actors.Store.StoreException e)
{
    logger.Fatal("{Message}", e.Message);
    return 1;
}
catch (AccessSetupException e)
{
    logger.Fatal("Cannot start: {Error}", e.Message);
    return 1;
}
catch (Exception e)
{
    logger.Fatal(e, "iosnoopng stopped: {Message}", e.Message);
    return 1;
}
finally
{
    (logger as IDisposable)?.Dispose();
}
