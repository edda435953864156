using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// The parser on output captured from iosnoop.bt on a real kernel (Fixtures/bpftrace/short-run.txt):
/// READY, two intervals, a stop with SIGINT and its final dump. The known workload ran under
/// /tmp/iosnoop-fixture: ddfixture wrote data/one.bin (12345 bytes in one call), ddfixture2 read it
/// back in 1000-byte calls, then after an interval marker ddfixture wrote data/two.bin (777 bytes)
/// and 5 bytes to a file named with 140 L's, just before the stop; the rest is whatever else the
/// machine did meanwhile.
/// </summary>
public sealed class BpftraceCapturedOutputSpecs
{
    private const string Folder = "/tmp/iosnoop-fixture/data";

    // The mount table of the machine it was captured on.
    private const string Mounts = """
        21 26 0:20 / /proc rw,relatime - proc proc rw
        22 26 0:21 / /sys rw,relatime - sysfs sysfs rw
        23 26 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334416k,nr_inodes=3083604,mode=755
        26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
        41 22 0:13 / /sys/kernel/tracing rw,relatime - tracefs nodev rw
        """;

    private static (CollectingSink Sink, BpftraceParser Parser) ParseFixture()
    {
        var parser = new BpftraceParser(loadMounts: () => MountTable.Parse(Mounts));
        var sink = new CollectingSink();
        sink.Feed(parser, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bpftrace", "short-run.txt")));
        return (sink, parser);
    }

    [Fact]
    public void The_known_workload_comes_out_exactly()
    {
        var (sink, _) = ParseFixture();

        var ours = sink.Events
            .Where(e => e.Path.StartsWith(Folder + "/", StringComparison.Ordinal))
            .Select(e => (e.Process, e.Path[(Folder.Length + 1)..], e.Direction, e.Bytes, e.Events))
            .Order()
            .ToArray();

        Assert.Equal(
            new[]
            {
                ("ddfixture", new string('L', 127) + "…", IoDirection.Write, 5L, 1L),
                ("ddfixture", "one.bin", IoDirection.Write, 12_345L, 1L),
                ("ddfixture", "two.bin", IoDirection.Write, 777L, 1L),
                ("ddfixture2", "one.bin", IoDirection.Read, 12_345L, 13L),
            },
            ours);
    }

    [Fact]
    public void Every_line_is_understood_and_the_run_is_complete()
    {
        var (sink, parser) = ParseFixture();

        Assert.Empty(sink.MalformedLines);
        Assert.Equal(0, sink.Dropped);
        Assert.Equal(1, sink.ReadyCount);
        Assert.True(parser.Finished);
        Assert.All(sink.Events, e =>
        {
            Assert.StartsWith("/", e.Path);
            Assert.True(e.Bytes > 0 && e.Events > 0 && e.Pid > 0 && e.Process.Length > 0, e.ToString());
        });
    }

    [Fact]
    public void Each_process_file_and_direction_comes_once_per_interval()
    {
        var (sink, _) = ParseFixture();

        // Two intervals closed by T and one by the final dump: no key can come more than three times.
        var most = sink.Events.GroupBy(e => (e.Pid, e.Process, e.Path, e.Direction)).Max(g => g.Count());
        Assert.InRange(most, 1, 3);
        var ddPerProcess = sink.Events.Where(e => e.Process == "ddfixture").GroupBy(e => e.Pid).Count();
        Assert.Equal(3, ddPerProcess);
    }
}
