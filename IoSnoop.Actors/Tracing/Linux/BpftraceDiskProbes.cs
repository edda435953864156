using System.Text.RegularExpressions;

namespace IoSnoop.Actors.Tracing.Linux;

/// <summary>
/// The tracepoints of the disk part of <c>iosnoop.bt</c> outside the tracked calls, what each one counts, and the
/// program without the probes of those this kernel lacks (bpftrace refuses a program with a probe it cannot attach,
/// which would take the file figures down with it). The disk bytes inside the tracked calls come from the per-task
/// I/O counters and need no tracepoint of their own.
/// </summary>
public static partial class BpftraceDiskProbes
{
    /// <summary>A disk tracepoint, the maps only its probe writes, and what is not counted without it.</summary>
    public sealed record Probe(string Tracepoint, IReadOnlyList<string> Maps, string Loss);

    public static IReadOnlyList<Probe> Probes { get; } =
    [
        new("filemap:mm_filemap_add_to_page_cache", ["M0", "M1"],
            "pages read into the page cache outside the read calls (mmap faults, exec) and filesystem metadata reads are not counted as disk reads"),
        new("writeback:writeback_dirty_folio", ["W0", "W1"],
            "pages dirtied through mmap are not counted as disk writes (kernels before 5.18 have writeback_dirty_page instead)"),
        new("block:block_rq_complete", ["K0", "K1", "Q0", "Q1"],
            "the per-disk totals of the block layer are missing"),
    ];

    /// <summary>Whether tracefs lists the tracepoint (<c>category:name</c>).</summary>
    public static bool Exists(string tracepoint)
    {
        var parts = tracepoint.Split(':');
        return BpftracePreflight.TracefsPaths.Any(root => Directory.Exists(Path.Combine(root, "events", parts[0], parts[1])));
    }

    /// <summary>The disk probes whose tracepoint <paramref name="exists"/> says is missing.</summary>
    public static IReadOnlyList<Probe> Missing(Func<string, bool> exists) => [.. Probes.Where(p => !exists(p.Tracepoint))];

    /// <summary>One line per missing tracepoint: which, what is not counted, and that the rest runs.</summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyList<Probe> missing) =>
    [
        .. missing.Select(p =>
            $"The kernel has no tracepoint {p.Tracepoint}: {p.Loss}; the program runs without that probe (file figures and the other disk figures are unaffected)."),
    ];

    /// <summary>The program without the probe blocks of <paramref name="missing"/> and the prints and clears of their maps.</summary>
    public static string Without(string program, IReadOnlyList<Probe> missing)
    {
        foreach (var probe in missing)
        {
            var start = program.IndexOf($"\ntracepoint:{probe.Tracepoint}\n", StringComparison.Ordinal);
            if (start < 0)
                continue;
            var end = program.IndexOf("\n}\n", start, StringComparison.Ordinal);
            if (end < 0)
                continue;
            program = program.Remove(start + 1, end + 3 - (start + 1));
            foreach (var map in probe.Maps)
                program = program.Replace($" print(@{map});", "", StringComparison.Ordinal)
                    .Replace($" clear(@{map});", "", StringComparison.Ordinal);
        }
        return program;
    }
}
