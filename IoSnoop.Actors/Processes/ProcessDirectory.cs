using Akka.Actor;
using IoSnoop.Actors.Events;

namespace IoSnoop.Actors.Processes;

/// <summary>
/// The process actors by name, each with the figures it last reported, and the sums of those figures over
/// all processes. Plain state of the <see cref="ProcessesActor"/>: the process actors own their files and
/// figures; this is the parent's record of what they said.
/// </summary>
public sealed class ProcessDirectory
{
    private sealed class Entry(string name, IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;
        public ProcessSummary Summary { get; set; } = new(name, 0, 0, DateTimeOffset.MinValue, 0, 0);
    }

    private readonly Dictionary<string, Entry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _byActor = [];

    public int Count => _byName.Count;

    /// <summary>Bytes read over all processes, as last reported.</summary>
    public long Reads { get; private set; }

    public long Writes { get; private set; }

    public long DiskReads { get; private set; }

    public long DiskWrites { get; private set; }

    public long Files { get; private set; }

    public IEnumerable<ProcessSummary> Summaries => _byName.Values.Select(e => e.Summary);

    public IEnumerable<IActorRef> Actors => _byName.Values.Select(e => e.Actor);

    public bool TryGet(string name, out IActorRef actor)
    {
        actor = _byName.TryGetValue(name, out var entry) ? entry.Actor : ActorRefs.Nobody;
        return entry is not null;
    }

    public bool TryGetName(IActorRef actor, out string name) => _byActor.TryGetValue(actor, out name!);

    public void Add(string name, IActorRef actor)
    {
        _byName.Add(name, new Entry(name, actor));
        _byActor.Add(actor, name);
    }

    /// <summary>Takes the figures <paramref name="actor"/> reported; returns the earlier ones, or null when the
    /// actor is not (or no longer) in the directory.</summary>
    public ProcessSummary? Update(IActorRef actor, ProcessSummary summary)
    {
        if (!_byActor.TryGetValue(actor, out var name))
            return null;
        var entry = _byName[name];
        var old = entry.Summary;
        entry.Summary = summary;
        Reads = Figures.Add(Figures.Subtract(Reads, old.Reads), summary.Reads);
        Writes = Figures.Add(Figures.Subtract(Writes, old.Writes), summary.Writes);
        DiskReads = Figures.Add(Figures.Subtract(DiskReads, old.DiskReads), summary.DiskReads);
        DiskWrites = Figures.Add(Figures.Subtract(DiskWrites, old.DiskWrites), summary.DiskWrites);
        Files += summary.Files - old.Files;
        return old;
    }

    /// <summary>Forgets a process and takes its figures out of the sums.</summary>
    public bool Remove(string name, out IActorRef actor)
    {
        actor = ActorRefs.Nobody;
        if (!_byName.Remove(name, out var entry))
            return false;
        _byActor.Remove(entry.Actor);
        actor = entry.Actor;
        Reads = Figures.Subtract(Reads, entry.Summary.Reads);
        Writes = Figures.Subtract(Writes, entry.Summary.Writes);
        DiskReads = Figures.Subtract(DiskReads, entry.Summary.DiskReads);
        DiskWrites = Figures.Subtract(DiskWrites, entry.Summary.DiskWrites);
        Files -= entry.Summary.Files;
        return true;
    }

    public void Clear()
    {
        _byName.Clear();
        _byActor.Clear();
        Reads = Writes = Files = DiskReads = DiskWrites = 0;
    }
}
