using IoSnoop.Actors.Processes;

namespace IoSnoop.Specs.Processes;

public sealed class BatchTallySpecs
{
    [Fact]
    public void Only_the_last_process_to_note_its_count_is_told_so_and_every_count_is_kept()
    {
        var tally = new BatchTally(7, 3);
        Assert.False(tally.Recorded(2, 30, 5));
        Assert.False(tally.Recorded(0, 10, 1));
        Assert.True(tally.Recorded(1, 20, 9));
        Assert.Equal((7L, 3), (tally.BatchId, tally.Count));
        Assert.Equal([10, 20, 30], Enumerable.Range(0, 3).Select(tally.FilesAt));
        Assert.Equal([1L, 9L, 5L], Enumerable.Range(0, 3).Select(tally.VersionAt));
    }

    [Fact]
    public void Processes_noting_on_many_threads_make_exactly_one_last()
    {
        const int processes = 10_000;
        var tally = new BatchTally(1, processes);
        var lasts = 0;
        Parallel.For(0, processes, i =>
        {
            if (tally.Recorded(i, i, i + 1))
                Interlocked.Increment(ref lasts);
        });
        Assert.Equal(1, lasts);
        Assert.All(Enumerable.Range(0, processes), i => Assert.Equal(i, tally.FilesAt(i)));
    }
}
