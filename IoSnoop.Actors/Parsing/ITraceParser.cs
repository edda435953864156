using IoSnoop.Actors.Interning;
namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Turns the lines of one tracer's output into I/O events. A parser instance lives as long as one run
/// of its tracer, so it may keep state between lines (bpftrace prints sums, then an interval marker).
/// A parser never throws on input: a line it cannot read is reported to <see cref="ITraceSink.Malformed"/>.
/// </summary>
public interface ITraceParser
{
    /// <param name="line">One line without its trailing <c>\n</c> (a trailing <c>\r</c> may remain).</param>
    /// <param name="sink">Where events, malformed lines and drops go.</param>
    void Parse(ReadOnlySpan<byte> line, ITraceSink sink);

    /// <summary>The output ended (the last line has been given): report what is still held.</summary>
    void Finish(ITraceSink sink)
    {
    }
}

/// <summary>What a parser reports while it reads a tracer's output.</summary>
public interface ITraceSink
{
    /// <summary>Strings shared across events (process names, paths) so equal names are one object.</summary>
    NameTable Names { get; }

    /// <summary>One I/O event.</summary>
    void Event(in Events.IoEvent ioEvent);

    /// <summary>One I/O event whose path is still the tracer's UTF-8 bytes: a sink that keys paths by their bytes
    /// (the batch builder) takes them without making a string per event.</summary>
    void Event(string process, int pid, ReadOnlySpan<byte> path, Events.IoDirection direction, long bytes, long operations = 1) =>
        Event(new Events.IoEvent(process, pid, Names.Get(path), direction, bytes, operations));

    /// <summary>A line the parser could not read; <paramref name="reason"/> is a short constant text.</summary>
    void Malformed(ReadOnlySpan<byte> line, string reason);

    /// <summary>The tracer says it lost <paramref name="count"/> events (buffer overrun, lost events, drops).</summary>
    void Dropped(long count);

    /// <summary>What the block layer moved to and from one disk in an interval (sources that measure it).</summary>
    void Device(in Events.DeviceIo device)
    {
    }

    /// <summary>The tracer printed its ready line (sources whose <c>SignalsReady</c> is true).</summary>
    void Ready();

    /// <summary>What the tracer says about a process instance (sources that see processes: bpftrace).</summary>
    void Instance(Events.InstanceEvent instanceEvent)
    {
    }
}
