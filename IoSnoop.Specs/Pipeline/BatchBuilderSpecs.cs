using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Interning;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Pipeline;

public sealed class BatchBuilderSpecs
{
    [Fact]
    public void Events_are_summed_per_process_and_file_and_batches_start_empty()
    {
        var names = new NameTable();
        var pool = new PathPool();
        var builder = new BatchBuilder(names, pool: pool);
        string N(string s) => names.Get(System.Text.Encoding.UTF8.GetBytes(s));
        builder.Event(new IoEvent(N("cc"), 1, N("/a"), IoDirection.Read, 10));
        builder.Event(new IoEvent(N("ld"), 2, N("/b"), IoDirection.Write, 5));
        builder.Event(new IoEvent(N("cc"), 3, N("/a"), IoDirection.Write, 7, 3));
        builder.Event(new IoEvent(N("cc"), 3, N("/c"), IoDirection.Read, 1));
        builder.Malformed("x"u8, "bad");
        builder.Dropped(4);
        Assert.Equal(3, builder.Entries);
        var batch = builder.Build();
        Assert.Equal((6L, 1L, 4L), (batch.Events, batch.MalformedLines, batch.DroppedEvents));
        var cc = batch.Processes.Single(p => p.Process == "cc");
        Assert.Equal((11L, 7L, 5L), (cc.Reads, cc.Writes, cc.Events));
        var a = cc.Named(pool).Single(f => f.Key == "/a").Value;
        Assert.Equal((10L, 7L, 4L), (a.Reads, a.Writes, a.Events));
        Assert.Equal(2, cc.Files.Count);
        // One reference per entry of the batch, however many events the entry sums.
        Assert.True(pool.TryFind("/a", out var aId));
        Assert.Equal(1, pool.RefCount(aId));

        builder.Event(new IoEvent(N("cc"), 1, N("/a"), IoDirection.Read, 1));
        var next = builder.Build();
        var only = Assert.Single(next.Processes);
        Assert.Equal(1, Assert.Single(only.Files).Value.Reads);
        Assert.Equal(2, pool.RefCount(aId));
        Assert.Equal((1L, 0L, 0L), (next.Events, next.MalformedLines, next.DroppedEvents));
        Assert.True(builder.IsEmpty);
    }

    [Fact]
    public void Paths_given_as_bytes_and_as_text_are_one_entry_and_invalid_utf8_is_its_decoded_text()
    {
        var pool = new PathPool();
        var builder = new BatchBuilder(new NameTable(), pool: pool);
        builder.Event("cc", 1, [(byte)'/', (byte)'s', 0xFF, (byte)'.', (byte)'c'], IoDirection.Read, 1); // not UTF-8
        builder.Event(new IoEvent("cc", 1, "/s\uFFFD.c", IoDirection.Read, 10));
        builder.Event("cc", 1, [(byte)'/', (byte)'x', 0xC3], IoDirection.Read, 2);                      // cut in a character
        builder.Event(new IoEvent("cc", 1, "/x\uFFFD", IoDirection.Write, 4));
        builder.Event("cc", 1, "/x\uFFFD"u8, IoDirection.Write, 8);
        var files = Assert.Single(builder.Build().Processes).Named(pool).ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(["/s\uFFFD.c", "/x\uFFFD"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((11L, 0L, 2L), (files["/s\uFFFD.c"].Reads, files["/s\uFFFD.c"].Writes, files["/s\uFFFD.c"].Events));
        Assert.Equal((2L, 12L, 3L), (files["/x\uFFFD"].Reads, files["/x\uFFFD"].Writes, files["/x\uFFFD"].Events));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Events_gathered_in_groups_and_paths_too_long_for_a_group_sum_as_they_came()
    {
        var pool = new PathPool();
        var names = new NameTable();
        var builder = new BatchBuilder(names, pool: pool);
        var random = new Random(3);
        var paths = new[] { "/a", "/b", "/" + new string('l', 20_000), "/c/" + new string('m', 9_000), "/d" };
        var expected = new Dictionary<(string, string), (long Read, long Written, long Ops)>();
        for (var i = 0; i < 1000; i++)
        {
            var process = names.Get(System.Text.Encoding.UTF8.GetBytes($"p{random.Next(3)}"));
            var path = paths[random.Next(paths.Length)];
            var read = random.Next(2) == 0;
            var bytes = random.Next(1, 100);
            builder.Event(process, 1, System.Text.Encoding.UTF8.GetBytes(path), read ? IoDirection.Read : IoDirection.Write, bytes);
            var sums = expected.GetValueOrDefault((process, path));
            expected[(process, path)] = read ? (sums.Read + bytes, sums.Written, sums.Ops + 1) : (sums.Read, sums.Written + bytes, sums.Ops + 1);
            if (i == 500)
                Assert.Equal(501, builder.Events);
        }
        var batch = builder.Build();
        Assert.Equal(1000, batch.Events);
        var got = batch.Processes
            .SelectMany(p => p.Named(pool).Select(f => ((p.Process, f.Key), (f.Value.Reads, f.Value.Writes, f.Value.Events))))
            .ToDictionary(e => e.Item1, e => e.Item2);
        Assert.Equal(expected.OrderBy(e => e.Key).ToList(), got.OrderBy(e => e.Key).ToList());
        // One reference per entry.
        foreach (var path in paths)
            Assert.Equal(expected.Keys.Count(k => k.Item2 == path), pool.RefCount(pool.Intern(path)) - 1);
    }

    [Theory]
    [InlineData(-1L, 1L)]
    [InlineData(Figures.MaxEventBytes + 1, 1L)]
    [InlineData(long.MaxValue, 1L)]
    [InlineData(10L, -5L)]
    public void An_absurd_byte_or_event_count_is_a_malformed_event_not_a_figure(long bytes, long events)
    {
        var builder = new BatchBuilder(new NameTable(), pool: new PathPool());
        builder.Event(new IoEvent("cc", 1, "/a", IoDirection.Write, bytes, events));
        builder.Event("cc", 1, "/a"u8, IoDirection.Write, bytes, events);
        builder.Event("cc", 1, "/a"u8, IoDirection.Write, Figures.MaxEventBytes);
        var batch = builder.Build();
        Assert.Equal((1L, 2L), (batch.Events, batch.MalformedLines));
        Assert.Equal(Figures.MaxEventBytes, Assert.Single(batch.Processes).Writes);
    }

    [Fact]
    public void Disk_figures_are_summed_apart_and_only_for_the_entries_that_have_some()
    {
        var pool = new PathPool();
        var builder = new BatchBuilder(new NameTable(), pool: pool);
        builder.Event(new IoEvent("cc", 1, "/cached", IoDirection.Read, 100));
        builder.Event(new IoEvent("cc", 1, "/cold", IoDirection.Read, 10));
        builder.Event(new IoEvent("cc", 1, "/cold", IoDirection.Read, 4096, 0, IoLayer.Disk));
        builder.Event(new IoEvent("cc", 1, "/cold", IoDirection.Read, 4096, 0, IoLayer.Disk));
        builder.Event(new IoEvent("cc", 1, "/mapped", IoDirection.Write, 8192, 0, IoLayer.Disk));
        builder.Event(new IoEvent("cc", 1, "/nothing", IoDirection.Write, 0, 0, IoLayer.Disk));
        builder.Event(new IoEvent("ld", 2, "/cold", IoDirection.Read, 1));

        var batch = builder.Build();
        var cc = batch.Processes.Single(p => p.Process == "cc");
        // Every path has its file entry (a disk-only one with no file figures): that entry holds the path's reference.
        Assert.Equal(["/cached", "/cold", "/mapped", "/nothing"], cc.Named(pool).Select(f => f.Key).Order(StringComparer.Ordinal));
        Assert.Equal((0L, 0L, 0L), cc.Named(pool).Single(f => f.Key == "/mapped").Value is var m ? (m.Reads, m.Writes, m.Events) : default);
        Assert.Equal(new Dictionary<string, DiskBytes> { ["/cold"] = new(8192, 0), ["/mapped"] = new(0, 8192) }, cc.NamedDisk(pool));
        Assert.Equal((110L, 0L, 2L, 8192L, 8192L), (cc.Reads, cc.Writes, cc.Events, cc.DiskReads, cc.DiskWrites));
        var ld = batch.Processes.Single(p => p.Process == "ld");
        Assert.Empty(ld.Disk);
        Assert.Equal(3, batch.Events);

        // The next batch starts without disk figures.
        builder.Event(new IoEvent("cc", 1, "/cold", IoDirection.Read, 1));
        Assert.Empty(Assert.Single(builder.Build().Processes).Disk);
    }
}
