using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Host;

if (args.Length > 0 && Subcommands.All.FirstOrDefault(c => c.Name == args[0]) is { } subcommand)
    return await subcommand.Run(args[1..], Console.Out, Console.Error);
if (CommandLine.ParseOrExit(args, Console.Out, Console.Error, out var options) is { } exit)
    return exit;

var logger = DaemonApp.CreateLogger(options.LogLevel);
try
{
    // Before anything starts: a port in use is one line, not a tracer started and stopped again.
    if (ListenAddress.Problem(options.Listen) is { } listenProblem)
    {
        logger.Fatal("Cannot listen on {Address}: {Problem}", options.Listen, listenProblem);
        return ExitCodes.Failure;
    }
    ITraceSource? live = null;
    if (!options.NoTracer && options.Source != "replay" && options.ReplayFile is null)
    {
        var name = options.Source == "auto" ? SourceCatalog.AutoName() : options.Source;
        live = SourceCatalog.Create(name, options, out var sourceError);
        if (live is null)
        {
            logger.Fatal("Cannot trace: {Error}", sourceError);
            return ExitCodes.Failure;
        }
        if (options.Source == "auto")
            logger.Information("Source auto picked {Source} ({Measures})", live.Name, live.Measures);
        var problems = live.Preflight();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                logger.Fatal("Cannot start {Source}: {Problem}", live.Name, problem);
            return ExitCodes.Failure;
        }
        foreach (var warning in live.Warnings)
            logger.Warning("{Source}: {Warning}", live.Name, warning);
    }

    var app = DaemonApp.Build(options, live, logger);
    await app.RunAsync();
    return ExitCodes.Ok;
}
catch (IoSnoop.Actors.Store.StoreException e)
{
    logger.Fatal("{Message}", e.Message);
    return ExitCodes.Database;
}
catch (Exception e) when (e is AccessSetupException or StartupException)
{
    logger.Fatal("Cannot start: {Error}", e.Message);
    return ExitCodes.Failure;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Another program took the port between the check above and the start.
    logger.Fatal("Cannot listen on {Address}: the address is already in use (is another iosnoopng running?)", options.Listen);
    return ExitCodes.Failure;
}
catch (Exception e)
{
    logger.Fatal(e, "iosnoopng stopped: {Message}", e.Message);
    return ExitCodes.Failure;
}
finally
{
    (logger as IDisposable)?.Dispose();
}
