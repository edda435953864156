using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Hubs;

namespace IoSnoop.Specs.Faults;

public sealed class ChangesMergeSpecs
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SourceStatus Running = new("fake", "stand-in events", "running", null, 0);

    private static ChangedProcess P(string name, long reads, long writes, long readDelta, long writeDelta, int second = 0) =>
        new(name, reads, writes, T0.AddSeconds(second), reads + writes, 1, readDelta, writeDelta);

    private static StatsChanges Push(int second, double interval, IReadOnlyList<ChangedProcess> processes,
        IReadOnlyList<string>? removed = null, bool reset = false, long events = 0, SourceStatus? source = null) =>
        new(T0.AddSeconds(second), interval, reset, new Totals(events, 0, 0, 0, 0), source ?? Running, processes, removed ?? []);

    [Fact]
    public void Deltas_add_up_and_the_latest_totals_win()
    {
        var merged = ChangesMerge.Merge(
            Push(1, 1, [P("cc", 10, 100, 10, 100, 1), P("ld", 0, 7, 0, 7, 1)], events: 5),
            Push(2, 1.5, [P("cc", 15, 130, 5, 30, 2)], events: 9,
                source: Running with { State = "restarting", Restarts = 1 }));

        Assert.Equal(T0.AddSeconds(2), merged.Time);
        Assert.Equal(2.5, merged.IntervalSeconds);
        Assert.Equal(9, merged.Totals.Events);
        Assert.Equal("restarting", merged.Source.State);
        Assert.False(merged.Reset);
        var cc = merged.Processes.Single(p => p.Name == "cc");
        Assert.Equal((15, 130, 15, 130, T0.AddSeconds(2)), (cc.Reads, cc.Writes, cc.ReadDelta, cc.WriteDelta, cc.LastUpdated));
        var ld = merged.Processes.Single(p => p.Name == "ld");
        Assert.Equal((0, 7, 0, 7), (ld.Reads, ld.Writes, ld.ReadDelta, ld.WriteDelta));
    }

    [Fact]
    public void Disk_deltas_add_up_and_the_newer_device_totals_win()
    {
        var older = Push(1, 1, [P("cc", 10, 100, 10, 100, 1) with { DiskReads = 4, DiskWrites = 50, DiskReadDelta = 4, DiskWriteDelta = 50 }])
            with { Devices = [new DeviceIo("8:0", 4, 40, 1, 1, 0, 0)] };
        var newer = Push(2, 1, [P("cc", 15, 130, 5, 30, 2) with { DiskReads = 6, DiskWrites = 80, DiskReadDelta = 2, DiskWriteDelta = 30 }])
            with { Devices = [new DeviceIo("8:0", 6, 90, 2, 3, 0, 8)] };

        var merged = ChangesMerge.Merge(older, newer);

        var cc = Assert.Single(merged.Processes);
        Assert.Equal((6, 80, 6, 80), (cc.DiskReads, cc.DiskWrites, cc.DiskReadDelta, cc.DiskWriteDelta));
        Assert.Equal([new DeviceIo("8:0", 6, 90, 2, 3, 0, 8)], merged.Devices);
    }

    [Fact]
    public void A_process_removed_later_is_gone_and_one_that_came_back_is_not_removed()
    {
        var merged = ChangesMerge.Merge(
            Push(1, 1, [P("cc", 1, 1, 1, 1), P("ld", 2, 2, 2, 2)], removed: ["old"]),
            Push(2, 1, [P("old", 0, 5, 0, 5)], removed: ["ld"]));
        Assert.Equal(["cc", "old"], merged.Processes.Select(p => p.Name).Order());
        Assert.Equal(["ld"], merged.Removed);
    }

    [Fact]
    public void A_reset_in_the_newer_push_voids_what_came_before()
    {
        var merged = ChangesMerge.Merge(
            Push(1, 1, [P("cc", 100, 100, 100, 100)], removed: ["x"]),
            Push(2, 1, [P("ld", 0, 1, 0, 1)], reset: true, events: 1));
        Assert.True(merged.Reset);
        Assert.Equal(["ld"], merged.Processes.Select(p => p.Name));
        Assert.Empty(merged.Removed);
        Assert.Equal(2, merged.IntervalSeconds);
    }

    [Fact]
    public void A_reset_in_the_older_push_is_kept()
    {
        var merged = ChangesMerge.Merge(Push(1, 1, [], reset: true), Push(2, 1, [P("cc", 1, 0, 1, 0)]));
        Assert.True(merged.Reset);
        Assert.Equal(["cc"], merged.Processes.Select(p => p.Name));
    }

    [Fact]
    public void Merging_many_pushes_of_the_same_processes_stays_as_big_as_one()
    {
        var merged = Push(0, 1, [P("cc", 0, 1, 0, 1), P("ld", 0, 1, 0, 1)]);
        for (var i = 1; i <= 1000; i++)
            merged = ChangesMerge.Merge(merged, Push(i, 1, [P("cc", 0, i + 1, 0, 1, i), P("ld", 0, i + 1, 0, 1, i)]));
        Assert.Equal(2, merged.Processes.Count);
        Assert.All(merged.Processes, p => Assert.Equal((1001, 1001), (p.Writes, p.WriteDelta)));
        Assert.Equal(1001, merged.IntervalSeconds);
    }
}
