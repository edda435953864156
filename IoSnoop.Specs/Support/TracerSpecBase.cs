using Akka.Actor;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Support;

/// <summary>
/// A processes actor and the tracer actors a spec starts against it, with the waits every tracer spec needs,
/// and a temporary folder removed once the actor system (and with it every tracer) has stopped.
/// </summary>
public abstract class TracerSpecBase : Akka.TestKit.Xunit.TestKit
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected TracerSpecBase(string folderPrefix, string config = "") : base(config)
    {
        Dir = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        Stats = Sys.ActorOf(ProcessesActor.Props(new ProcessesSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3)), Paths));
    }

    protected string Dir { get; }

    protected IActorRef Stats { get; }

    /// <summary>The pipeline's path pool, shared by the processes actor and the tracers the spec starts.</summary>
    protected PathPool Paths { get; } = new();

    protected override void AfterAll()
    {
        base.AfterAll();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>A tracer actor for <paramref name="source"/> with short backoffs.</summary>
    protected IActorRef StartTracer(ITraceSource? source, string? replay = null, string? rawLog = null) =>
        Sys.ActorOf(TracerActor.Props(new TracerSettings(source, replay, rawLog)
        {
            MinBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
        }, Stats, Paths));

    protected Overview Overview()
    {
        Stats.Tell(ProcessesProtocol.GetOverview.Instance, TestActor);
        return ExpectMsg<Overview>(Wait);
    }

    protected void Stop(IActorRef tracer)
    {
        tracer.Tell(TracerProtocol.Stop.Instance, TestActor);
        ExpectMsg<TracerProtocol.Stopped>(Wait);
    }
}
