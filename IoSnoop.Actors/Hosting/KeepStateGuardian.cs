using Akka.Actor;

namespace IoSnoop.Actors.Hosting;

/// <summary>
/// The strategy for the pipeline's top-level actors (processes, process tree, store, tracer): a failure is
/// logged and the actor goes on with the state it has; the message that made it fail is dropped. A restart would
/// start the processes actor empty, losing every figure, and the store actor without its unsaved changes. No
/// message should make them fail (every outside input is checked at the edge): this is the last line.
/// The process actors below the processes actor have a strategy of their own (see <c>ProcessesActor</c>).
/// </summary>
public sealed class KeepStateGuardian : SupervisorStrategyConfigurator
{
    /// <summary>The configuration that makes this the strategy of the user guardian.</summary>
    public const string Hocon =
        "akka.actor.guardian-supervisor-strategy = \"IoSnoop.Actors.Hosting.KeepStateGuardian, IoSnoop.Actors\"";

    public override SupervisorStrategy Create() => new OneForOneStrategy(_ => Directive.Resume);
}
