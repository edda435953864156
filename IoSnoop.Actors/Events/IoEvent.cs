namespace IoSnoop.Actors.Events;

/// <summary>Whether an I/O event moved bytes from a file (read) or to it (write).</summary>
public enum IoDirection : byte
{
    Read = 0,
    Write = 1,
}

/// <summary>Which layer a figure was measured at: the file system calls (what a process asked for, page-cache
/// hits included) or the disk (what reached, or will reach, the storage device).</summary>
public enum IoLayer : byte
{
    File = 0,
    Disk = 1,
}

/// <summary>
/// One I/O event as a trace source reports it: which process moved how many bytes from or to which file.
/// Sources that sum in the kernel (bpftrace) report one event per interval and key, with
/// <see cref="Events"/> holding how many system calls it stands for.
/// </summary>
/// <param name="Process">The process name (executable name as the tracer reports it).</param>
/// <param name="Pid">The process id, or 0 when the source does not know it.</param>
/// <param name="Path">The file path. A path that does not start with <c>/</c> is partial (cut by the tracer).</param>
/// <param name="Direction">Read or write.</param>
/// <param name="Bytes">Bytes transferred.</param>
/// <param name="Events">How many I/O operations this event stands for (1 for per-operation sources).</param>
/// <param name="Layer">File I/O (the default) or disk I/O; disk events stand for no operations of their own.</param>
public readonly record struct IoEvent(
    string Process,
    int Pid,
    string Path,
    IoDirection Direction,
    long Bytes,
    long Events = 1,
    IoLayer Layer = IoLayer.File);

/// <summary>What the block layer moved to and from one disk within an interval, whoever caused it.</summary>
/// <param name="Device">The disk as <c>major:minor</c>.</param>
/// <param name="MetadataReadBytes">Part of <paramref name="ReadBytes"/> the filesystem flagged as metadata.</param>
/// <param name="MetadataWriteBytes">Part of <paramref name="WriteBytes"/> the filesystem flagged as metadata.</param>
public readonly record struct DeviceIo(
    string Device,
    long ReadBytes,
    long WriteBytes,
    long ReadRequests,
    long WriteRequests,
    long MetadataReadBytes,
    long MetadataWriteBytes)
{
    public DeviceIo Plus(in DeviceIo other) => new(
        Device,
        Figures.Add(ReadBytes, other.ReadBytes),
        Figures.Add(WriteBytes, other.WriteBytes),
        Figures.Add(ReadRequests, other.ReadRequests),
        Figures.Add(WriteRequests, other.WriteRequests),
        Figures.Add(MetadataReadBytes, other.MetadataReadBytes),
        Figures.Add(MetadataWriteBytes, other.MetadataWriteBytes));
}

/// <summary>Bytes read and written at the file layer (the calls) and at the disk layer, together: what the process
/// tree sums per instance, per tree of instances and per group, and what a process moved between two pushes.</summary>
public readonly record struct IoBytes(long Reads, long Writes, long DiskReads, long DiskWrites)
{
    public bool IsZero => Reads == 0 && Writes == 0 && DiskReads == 0 && DiskWrites == 0;

    public bool HasNegative => Reads < 0 || Writes < 0 || DiskReads < 0 || DiskWrites < 0;

    public IoBytes Plus(IoBytes other) => new(Figures.Add(Reads, other.Reads), Figures.Add(Writes, other.Writes),
        Figures.Add(DiskReads, other.DiskReads), Figures.Add(DiskWrites, other.DiskWrites));

    public IoBytes Negated() => new(Figures.Subtract(0, Reads), Figures.Subtract(0, Writes),
        Figures.Subtract(0, DiskReads), Figures.Subtract(0, DiskWrites));

    /// <summary>Negative figures (bad input) as zero.</summary>
    public IoBytes AtLeastZero() => new(Math.Max(0, Reads), Math.Max(0, Writes), Math.Max(0, DiskReads), Math.Max(0, DiskWrites));
}

/// <summary>Arithmetic on byte and event counts: sums stop at <see cref="long.MaxValue"/> instead of wrapping to
/// negative figures. The batch builder refuses absurd counts per event (<see cref="MaxEventBytes"/>), so this
/// is a last guard for sums of many huge events, not a normal case.</summary>
public static class Figures
{
    /// <summary>The most bytes (or events) one event may carry, 256 TiB; more is a tracer's garbage.</summary>
    public const long MaxEventBytes = 1L << 48;

    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow only when both have the same sign and the sum's sign differs.
        if (((a ^ sum) & (b ^ sum)) < 0)
            return a < 0 ? long.MinValue : long.MaxValue;
        return sum;
    }

    public static long Subtract(long a, long b) => b == long.MinValue ? Add(Add(a, long.MaxValue), 1) : Add(a, -b);
}
