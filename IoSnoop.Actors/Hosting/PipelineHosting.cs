using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using IoSnoop.Actors.Pipeline;
using IoSnoop.Actors.Processes;

namespace IoSnoop.Actors.Hosting;

/// <summary>Wires the actor pipeline into an Akka.Hosting actor system; used by the daemon and the tests.</summary>
public static class PipelineHosting
{
    /// <summary>
    /// Starts the stats actor (with its process actors) and, when <paramref name="tracer"/> is given, the
    /// tracer actor feeding it. Both go into the <see cref="ActorRegistry"/> under their own types. The
    /// tracer is stopped gracefully (its last interval delivered) in the coordinated shutdown, before the
    /// actors stop.
    /// </summary>
    public static AkkaConfigurationBuilder WithIoSnoopPipeline(this AkkaConfigurationBuilder builder,
        StatsSettings stats, TracerSettings? tracer, TimeProvider? clock = null)
    {
        builder.WithActors((system, registry) =>
        {
            var statsActor = system.ActorOf(StatsActor.Props(stats, clock), "stats");
            registry.Register<StatsActor>(statsActor);
        });
        if (tracer is null)
            return builder;
        var stopWithin = (tracer.Live?.StopGracePeriod ?? TimeSpan.Zero) + TimeSpan.FromSeconds(10);
        builder.AddHocon(
            $"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {(int)stopWithin.TotalSeconds + 5}s",
            HoconAddMode.Prepend);
        builder.WithActors((system, registry) =>
        {
            var statsActor = registry.Get<StatsActor>();
            var tracerActor = system.ActorOf(TracerActor.Props(tracer, statsActor), "tracer");
            registry.Register<TracerActor>(tracerActor);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-tracer",
                async () =>
                {
                    try
                    {
                        await tracerActor.Ask<TracerProtocol.Stopped>(TracerProtocol.Stop.Instance, stopWithin)
                            .ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                    {
                        system.Log.Warning("The tracer did not stop within {0}", stopWithin);
                    }
                    return Akka.Done.Instance;
                });
        });
        return builder;
    }
}
