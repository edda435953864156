using Akka.Actor;
using IoSnoop.Actors.Hosting;
using Akka.TestKit;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Support;

/// <summary>What the specs of the processes actor share: batches from trace lines, ingesting with the stream's
/// acknowledgement, the overview and file queries, and a scheduler moved by hand: the actors' timers (push,
/// merge pass, flush, query timeouts) fire only when a spec lets time pass (<see cref="Pass"/>).</summary>
public abstract class ProcessesActorSpec() : Akka.TestKit.Xunit.TestKit(Config)
{
    /// <summary>The scheduler moved by hand, and the daemon's strategy for top-level actors.</summary>
    private const string Config = "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"\n"
        + KeepStateGuardian.Hocon;

    /// <summary>The actor system's scheduler, moved by hand.</summary>
    protected TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>Lets <paramref name="time"/> pass for the actors' timers: the timers due by then fire (their
    /// messages are in the mailboxes when this returns).</summary>
    protected void Pass(TimeSpan time) => Scheduler.Advance(time);

    /// <summary>How long a spec waits for an answer.</summary>
    protected virtual TimeSpan Wait => TimeSpan.FromSeconds(15);

    /// <summary>A batch of these lines in the original's format, parsed and summed as the pipeline does.</summary>
    /// <summary>The pool of the spec's pipeline: the processes actor's and its batches'.</summary>
    protected PathPool Paths { get; } = new();

    protected IngestBatch Batch(params IEnumerable<string> lines) => Batch(Paths, lines);

    /// <summary>The same, with the paths in <paramref name="pool"/>.</summary>
    protected static IngestBatch Batch(PathPool pool, IEnumerable<string> lines)
    {
        var builder = new BatchBuilder(new NameTable(), pool);
        var parser = new OriginalLineParser();
        foreach (var line in lines)
            parser.Parse(System.Text.Encoding.UTF8.GetBytes(line), builder);
        return builder.Build();
    }

    /// <summary>Ingests and waits for the acknowledgement (on a probe of its own: the test actor may be a subscriber).</summary>
    protected void Ingest(IActorRef stats, params string[] lines)
    {
        var stream = CreateTestProbe();
        stats.Tell(new ProcessesProtocol.Ingest(Batch(lines)), stream.Ref);
        stream.ExpectMsg<ProcessesProtocol.Ack>(Wait);
    }

    protected Overview OverviewOf(IActorRef stats)
    {
        stats.Tell(ProcessesProtocol.GetOverview.Instance, TestActor);
        return ExpectMsg<Overview>(Wait);
    }

    protected ProcessFiles FilesOf(IActorRef stats, string name)
    {
        stats.Tell(new ProcessesProtocol.GetProcessFiles(name), TestActor);
        return ExpectMsg<ProcessFiles>(Wait);
    }
}
