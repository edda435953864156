using IoSnoop.Actors.Events;
using IoSnoop.Actors.Interning;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using IoSnoop.Actors.Instances;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;

namespace IoSnoop.Actors.Hosting;

/// <summary>Wires the actor pipeline into an Akka.Hosting actor system; used by the daemon and the tests.</summary>
public static class PipelineHosting
{
    /// <summary>
    /// Starts the processes actor (with its process actors) and, when <paramref name="tracer"/> is given, the
    /// tracer actor feeding it. Both go into the <see cref="ActorRegistry"/> under their own types. The
    /// tracer is stopped gracefully (its last interval delivered) in the coordinated shutdown, before the
    /// actors stop.
    /// <para>
    /// The store actor (registered always; without a <paramref name="store"/> it answers history queries
    /// with "unavailable") writes what changed every flush interval, and once more in the coordinated
    /// shutdown after the tracer has stopped, before the actors stop. <paramref name="startFrom"/> (the
    /// database's figures or the <c>-f</c> file) reaches the processes actor before the tracer's first batch.
    /// </para>
    /// <para>The process-tree actor (registered always) gets what the tracer's batches say about process instances; it first takes back
    /// <paramref name="savedInstances"/> (the database's), and with a database the store actor writes its changes at each flush.</para>
    /// </summary>
    public static AkkaConfigurationBuilder WithIoSnoopPipeline(this AkkaConfigurationBuilder builder,
        ProcessesSettings stats, TracerSettings? tracer, TimeProvider? clock = null,
        FiguresDatabase? store = null, StoreSettings? storeSettings = null, ProcessesProtocol.Load? startFrom = null,
        ProcessTreeSettings? processTree = null, SavedInstances? savedInstances = null)
    {
        if (store is not null && storeSettings is null)
            throw new ArgumentNullException(nameof(storeSettings), "a database needs its flush interval");
        if (store is not null)
            builder.AddHocon("akka.coordinated-shutdown.phases.service-stop.timeout = 60s", HoconAddMode.Prepend);
        builder.AddHocon(KeepStateGuardian.Hocon, HoconAddMode.Prepend);
        // One pool per pipeline: the parsing flow interns the batches' paths into it, the process actors hold them.
        var paths = new PathPool();
        // On while the process tree follows a tree: the parsing flow then reports bytes per pid and file.
        var following = new FileFollowing();
        if (tracer is not null)
            tracer = tracer with { Following = following };
        builder.WithActors((system, registry) =>
        {
            var statsActor = system.ActorOf(ProcessesActor.Props(stats with { TrackChanges = store is not null }, paths, clock), "stats");
            registry.Register<ProcessesActor>(statsActor);
            var treeActor = system.ActorOf(ProcessTreeActor.Props((processTree ?? ProcessTreeSettings.Default) with { Following = following }, clock: clock), "process-tree");
            registry.Register<ProcessTreeActor>(treeActor);
            if (savedInstances is { Instances.Count: > 0 } or { Groups.Count: > 0 })
                treeActor.Tell(new ProcessTreeProtocol.Restore(savedInstances), ActorRefs.NoSender);
            if (startFrom is not null)
                statsActor.Tell(startFrom, ActorRefs.NoSender);
            var storeActor = system.ActorOf(StoreActor.Props(store, statsActor, storeSettings, clock, store is null ? null : treeActor), "store");
            registry.Register<StoreActor>(storeActor);
            if (store is null)
                return;
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceStop, "flush-store", async () =>
            {
                try
                {
                    var flushed = await storeActor.Ask<StoreProtocol.Flushed>(StoreProtocol.Flush.Instance, TimeSpan.FromSeconds(55))
                        .ConfigureAwait(false);
                    if (!flushed.Ok)
                        system.Log.Error("The last figures could not be written to {0}", store.Path);
                }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
                {
                    system.Log.Error("Writing the last figures to {0} did not finish in time", store.Path);
                }
                return Akka.Done.Instance;
            });
        });
        if (tracer is null)
            return builder;
        var stopWithin = (tracer.Live?.StopGracePeriod ?? TimeSpan.Zero) + TimeSpan.FromSeconds(10);
        builder.AddHocon(
            $"akka.coordinated-shutdown.phases.before-service-unbind.timeout = {(int)stopWithin.TotalSeconds + 5}s",
            HoconAddMode.Prepend);
        builder.WithActors((system, registry) =>
        {
            var statsActor = registry.Get<ProcessesActor>();
            var tracerActor = system.ActorOf(TracerActor.Props(tracer, statsActor, paths, registry.Get<ProcessTreeActor>()), "tracer");
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
