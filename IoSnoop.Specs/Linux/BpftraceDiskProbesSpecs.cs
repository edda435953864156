using IoSnoop.Actors.Tracing.Linux;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// A kernel without some of the disk tracepoints: one clear line per missing tracepoint, and a program without
/// their probes (and the prints of their maps) that still has every file probe and the rest of the disk part.
/// </summary>
public sealed class BpftraceDiskProbesSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-diskprobes-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly HashSet<string> OldKernel = ["filemap:mm_filemap_add_to_page_cache", "block:block_rq_complete"]; // no writeback_dirty_folio

    [Fact]
    public void Each_missing_tracepoint_is_one_line_that_names_it_and_what_is_not_counted()
    {
        var missing = BpftraceDiskProbes.Missing(OldKernel.Contains);
        var line = Assert.Single(BpftraceDiskProbes.Warnings(missing));
        Assert.Contains("writeback:writeback_dirty_folio", line);
        Assert.Contains("mmap", line);
        Assert.Contains("file figures", line);

        Assert.Equal(3, BpftraceDiskProbes.Warnings(BpftraceDiskProbes.Missing(_ => false)).Count);
        Assert.Empty(BpftraceDiskProbes.Missing(_ => true));
    }

    [Fact]
    public void The_program_leaves_out_the_probes_of_missing_tracepoints_and_their_maps_only()
    {
        var text = BpftraceDiskProbes.Without(BpftraceSource.ProgramText, BpftraceDiskProbes.Missing(_ => false));
        Assert.DoesNotContain("tracepoint:filemap:", text);
        Assert.DoesNotContain("tracepoint:writeback:", text);
        Assert.DoesNotContain("tracepoint:block:", text);
        foreach (var map in new[] { "@M0", "@M1", "@W0", "@W1", "@K0", "@K1", "@Q0", "@Q1" })
            Assert.DoesNotContain(map + "[", text);
        foreach (var map in new[] { "@M0", "@W1", "@K0", "@Q1" })
            Assert.DoesNotContain($"print({map})", text);
        // The file probes, the process instances and the disk bytes of the tracked calls stay.
        Assert.Contains("tracepoint:syscalls:sys_exit_read,", text);
        Assert.Contains("tracepoint:sched:sched_process_exit", text);
        Assert.Contains("tracepoint:syscalls:sys_enter_mmap", text);
        Assert.Contains("print(@B0); print(@N0); print(@C0);", text);
        Assert.Contains("print(@D0);", text);
        Assert.Contains("@D1[pid, $comm, $dev, $ino, $gen, $k] = sum($disk);", text);
        Assert.Equal(text.Count(c => c == '{'), text.Count(c => c == '}'));
    }

    [Fact]
    public void The_source_writes_the_program_without_the_probes_the_kernel_lacks()
    {
        if (!BpftracePreflight.IsTracefsMounted())
            return; // the preflight asks for the tracepoints only where tracefs is
        var source = new BpftraceSource(new BpftraceOptions { ProgramDirectory = _dir, TracepointExists = OldKernel.Contains });
        source.Preflight();
        Assert.Equal(["writeback:writeback_dirty_folio"], source.MissingDiskProbes.Select(p => p.Tracepoint));
        Assert.Single(source.Warnings);
        var written = File.ReadAllText(source.WriteProgram());
        Assert.DoesNotContain("tracepoint:writeback:writeback_dirty_folio", written);
        Assert.Contains("tracepoint:filemap:mm_filemap_add_to_page_cache", written);
        Assert.Contains("tracepoint:block:block_rq_complete", written);
        Assert.Equal(["file", "disk"], source.Layers);
    }
}
