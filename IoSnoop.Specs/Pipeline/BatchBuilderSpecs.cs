using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Pipeline;

namespace IoSnoop.Specs.Pipeline;

public sealed class BatchBuilderSpecs
{
    [Fact]
    public void Events_are_summed_per_process_and_file_and_batches_start_empty()
    {
        var names = new NameTable();
        var builder = new BatchBuilder(names);
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
        Assert.Equal((11L, 7L, 5L), (cc.ReadBytes, cc.WrittenBytes, cc.Operations));
        var a = cc.Files.Single(f => f.Key == "/a").Value;
        Assert.Equal((10L, 7L, 4L), (a.ReadBytes, a.WrittenBytes, a.Operations));
        Assert.Equal(2, cc.Files.Length);

        builder.Event(new IoEvent(N("cc"), 1, N("/a"), IoDirection.Read, 1));
        var next = builder.Build();
        var only = Assert.Single(next.Processes);
        Assert.Equal(1, Assert.Single(only.Files).Value.ReadBytes);
        Assert.Equal((1L, 0L, 0L), (next.Events, next.MalformedLines, next.DroppedEvents));
        Assert.True(builder.IsEmpty);
    }
}
