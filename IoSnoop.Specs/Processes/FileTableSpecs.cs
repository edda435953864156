using IoSnoop.Actors.Events;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Processes;

public sealed class FileTableSpecs
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2024-05-01T10:00:00Z");
    private const string Merged = "<Smaller Files of p>";

    private readonly PathPool _pool = new();

    private ProcessDelta Delta(params (string Path, long Reads, long Writes)[] files) => Delta(_pool, files);

    private static ProcessDelta Delta(PathPool pool, params (string Path, long Reads, long Writes)[] files) =>
        Deltas.FromPaths("p", files.Select(f => KeyValuePair.Create(f.Path,
            new FileDelta { Reads = f.Reads, Writes = f.Writes, Events = 1 })), pool);

    private static (long, long, long) Totals(FileTable t) => (t.Reads, t.Writes, t.Events);

    private static (long, long, long) SumOfRows(FileTable t) =>
        (t.Snapshot().Sum(f => f.Reads), t.Snapshot().Sum(f => f.Writes), t.Snapshot().Sum(f => f.Events));

    [Fact]
    public void Small_idle_files_are_merged_and_the_totals_do_not_change()
    {
        var table = new FileTable(_pool);
        table.Add(Delta(("/small1", 10, 5), ("/small2", 1, 0), ("/big-read", 100, 0), ("/big-write", 0, 100)), T0);
        var before = Totals(table);

        Assert.Equal(2, table.MergeSmall(Merged, threshold: 100, idleBefore: T0.AddSeconds(1)));

        Assert.Equal(before, Totals(table));
        Assert.Equal(before, SumOfRows(table));
        var merged = table.Snapshot().Single(f => f.Merged);
        Assert.Equal((Merged, 11L, 5L, 2L, T0), (merged.Path, merged.Reads, merged.Writes, merged.Events, merged.LastUpdated));
        Assert.Equal(["/big-read", "/big-write", Merged], table.Snapshot().Select(f => f.Path).Order());
    }

    [Fact]
    public void Files_updated_within_the_idle_time_are_not_merged()
    {
        var table = new FileTable(_pool);
        table.Add(Delta(("/old", 1, 1)), T0);
        table.Add(Delta(("/new", 1, 1)), T0.AddMinutes(30));
        // -s 3600 at T0 + 1 h + 1 s: /old is idle for more than an hour, /new for half an hour.
        Assert.Equal(1, table.MergeSmall(Merged, 100, T0.AddHours(1).AddSeconds(1) - TimeSpan.FromHours(1)));
        Assert.Equal(["/new", Merged], table.Snapshot().Select(f => f.Path).Order());
        // Idle for exactly S seconds is not more than S: stays.
        Assert.Equal(0, table.MergeSmall(Merged, 100, T0.AddMinutes(30)));
    }

    [Fact]
    public void The_merged_row_grows_but_is_never_merged_itself()
    {
        var table = new FileTable(_pool);
        table.Add(Delta(("/a", 1, 0)), T0);
        table.MergeSmall(Merged, 100, T0.AddSeconds(1));
        table.Add(Delta(("/b", 2, 0)), T0);
        Assert.Equal(1, table.MergeSmall(Merged, 100, T0.AddSeconds(1)));
        Assert.Equal(0, table.MergeSmall(Merged, 100, T0.AddSeconds(1)));
        Assert.Equal(3, Assert.Single(table.Snapshot()).Reads);
        Assert.Equal(0, table.MergeLeastSignificant(Merged, 5, T0));
    }

    [Fact]
    public void Over_the_cap_idle_files_go_before_recent_ones_and_small_before_big()
    {
        var table = new FileTable(_pool);
        table.Add(Delta(("/idle-small", 1, 0), ("/idle-big", 1000, 0)), T0);
        table.Add(Delta(("/recent-small", 1, 0), ("/recent-big", 1000, 0)), T0.AddMinutes(10));
        var before = Totals(table);
        var recentAfter = T0.AddMinutes(9);

        Assert.Equal(1, table.MergeLeastSignificant(Merged, 1, recentAfter));
        Assert.DoesNotContain(table.Snapshot(), f => f.Path == "/idle-small");
        Assert.Equal(1, table.MergeLeastSignificant(Merged, 1, recentAfter));
        Assert.DoesNotContain(table.Snapshot(), f => f.Path == "/idle-big");
        Assert.Equal(1, table.MergeLeastSignificant(Merged, 1, recentAfter));
        Assert.Equal(["/recent-big", Merged], table.Snapshot().Select(f => f.Path).Order());
        Assert.Equal(before, Totals(table));
        Assert.Equal(before, SumOfRows(table));
    }

    [Theory]
    [InlineData(1, 1, 4)]
    [InlineData(2, 50, 4)]
    [InlineData(3, 999, 4)]
    [InlineData(4, 1000, 1)]
    [InlineData(5, 4321, 4)]
    [InlineData(6, 17, 1_000_000)]
    [InlineData(7, 2500, 1_000_000)]
    [InlineData(8, 4999, 1_000_000)]
    public void Over_the_cap_the_merged_entries_are_exactly_the_least_significant_ones(int seed, int count, int sizes)
    {
        // Few sizes: many ties, so that the selection's partitioning meets equal keys; many: nearly none.
        var random = new Random(seed);
        var table = new FileTable(_pool);
        var recentAfter = T0.AddSeconds(5);
        var all = new List<(bool Recent, long Bytes, long Ticks, string Path)>();
        for (var i = 0; i < 5000; i++)
        {
            var path = $"/f{i}";
            var at = T0.AddSeconds(random.Next(10));
            var bytes = random.Next(sizes) * 10L;
            table.Add(Delta((path, bytes, 0)), at);
            all.Add((at >= recentAfter, bytes, at.UtcTicks, path));
        }
        var before = Totals(table);

        Assert.Equal(Math.Min(count, 5000), table.MergeLeastSignificant(Merged, count, recentAfter));

        var kept = table.Snapshot().Where(f => !f.Merged).Select(f => f.Path).ToHashSet();
        var merged = all.Where(e => !kept.Contains(e.Path)).ToList();
        Assert.Equal(Math.Min(count, 5000), merged.Count);
        // Everything merged orders before (or ties with) everything kept.
        var order = Comparer<(bool Recent, long Bytes, long Ticks)>.Default;
        var mostSignificantMerged = merged.Select(e => (e.Recent, e.Bytes, e.Ticks)).Max();
        Assert.All(all.Where(e => kept.Contains(e.Path)),
            e => Assert.True(order.Compare((e.Recent, e.Bytes, e.Ticks), mostSignificantMerged) >= 0, e.Path));
        Assert.Equal(before, Totals(table));
        Assert.Equal(before, SumOfRows(table));
    }

    [Fact]
    public void Changes_between_two_takes_are_the_changed_rows_and_the_removed_paths()
    {
        var table = new FileTable(_pool, trackChanges: true);
        table.Add(Delta(("/a", 1, 0), ("/b", 500, 0)), T0);
        var (changed, removed) = table.TakeChanges();
        Assert.Equal(["/a", "/b"], changed.Select(f => f.Path).Order());
        Assert.Empty(removed);
        Assert.Empty(table.TakeChanges().Changed);

        table.MergeSmall(Merged, 100, T0.AddSeconds(1));
        table.Add(Delta(("/b", 1, 0)), T0);
        (changed, removed) = table.TakeChanges();
        Assert.Equal(["/b", Merged], changed.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["/a"], removed);
        Assert.Equal(501, changed.Single(f => f.Path == "/b").Reads);

        table.Set("/c", new FileStats { Reads = 3 }, saved: true);
        Assert.Empty(table.TakeChanges().Changed);
        Assert.Equal(table.Count, table.TakeChanges(all: true).Changed.Count);
    }

    [Fact]
    public void Without_tracking_there_are_no_changes_to_take()
    {
        var table = new FileTable(_pool);
        table.Add(Delta(("/a", 1, 0)), T0);
        Assert.Empty(table.TakeChanges().Changed);
        Assert.Empty(table.TakeChanges().Changed);
    }

    [Fact]
    public void Removed_paths_take_their_figures_with_them()
    {
        var table = new FileTable(_pool, trackChanges: true);
        table.Add(Delta(("/shared", 10, 20), ("/own", 1, 2)), T0);
        Assert.Equal(["/shared"], table.Find(["/shared", "/elsewhere"]));
        var removed = table.Remove(["/shared", "/elsewhere"]);
        Assert.Equal((10L, 20L, 1L), (removed.Reads, removed.Writes, removed.Events));
        Assert.Equal((1L, 2L, 1L), Totals(table));
        Assert.Equal(["/shared"], table.TakeChanges().Removed);
    }

    [Fact]
    public void Disk_figures_follow_their_entry_through_merges_overwrites_and_removals()
    {
        var table = new FileTable(_pool, trackChanges: true);
        table.Add(Deltas.FromPaths("p", [
            KeyValuePair.Create("/cold", new FileDelta { Reads = 10, Events = 1 }),
            KeyValuePair.Create("/dirty", new FileDelta { Writes = 20, Events = 1 }),
            KeyValuePair.Create("/cached", new FileDelta { Reads = 30, Events = 1 }),
            KeyValuePair.Create("/big", new FileDelta { Reads = 1000, Events = 1 }),
        ], _pool, disk: [
            KeyValuePair.Create("/cold", new DiskBytes(4096, 0)),
            KeyValuePair.Create("/dirty", new DiskBytes(0, 8192)),
            KeyValuePair.Create("/big", new DiskBytes(1, 0)),
        ]), T0);
        (long, long) Disk(string path) => table.Snapshot().Single(f => f.Path == path) is var f ? (f.DiskReads, f.DiskWrites) : default;
        (long, long) Sum() => (table.Snapshot().Sum(f => f.DiskReads), table.Snapshot().Sum(f => f.DiskWrites));

        Assert.Equal((4096L, 0L), Disk("/cold"));
        Assert.Equal((0L, 0L), Disk("/cached"));
        Assert.Equal((4097L, 8192L), (table.DiskReads, table.DiskWrites));

        // /cold, /dirty and /cached are merged: the merged row carries their disk bytes.
        Assert.Equal(3, table.MergeSmall(Merged, threshold: 100, idleBefore: T0.AddSeconds(1)));
        Assert.Equal((4096L, 8192L), Disk(Merged));
        Assert.Equal((4097L, 8192L), Sum());

        // Set replaces an entry's disk figures too, also with none.
        table.Set("/big", new FileStats { Reads = 1000, Events = 1, DiskWrites = 7, LastUpdated = T0 });
        Assert.Equal((0L, 7L), Disk("/big"));
        table.Set("/big", new FileStats { Reads = 1000, Events = 1, LastUpdated = T0 });
        Assert.Equal((0L, 0L), Disk("/big"));
        Assert.Equal((4096L, 8192L), (table.DiskReads, table.DiskWrites));

        table.Add(Deltas.FromPaths("p", [KeyValuePair.Create("/big", new FileDelta { Events = 1 })], _pool,
            disk: [KeyValuePair.Create("/big", new DiskBytes(5, 0))]), T0);
        var removed = table.Remove(["/big"]);
        Assert.Equal((5L, 0L), (removed.DiskReads, removed.DiskWrites));
        Assert.Equal((4096L, 8192L), (table.DiskReads, table.DiskWrites));
        Assert.Equal((4096L, 8192L), Sum());

        // A path seen again after it went starts with no disk figures.
        table.Add(Deltas.FromPaths("p", [KeyValuePair.Create("/big", new FileDelta { Reads = 1, Events = 1 })], _pool), T0);
        Assert.Equal((0L, 0L), Disk("/big"));
    }

    [Fact]
    public void Every_path_the_table_lets_go_of_goes_back_to_the_pool()
    {
        var pool = new PathPool();
        var table = new FileTable(pool, trackChanges: true);
        table.Add(Delta(pool, ("/a", 1, 0), ("/b", 2, 0), ("/c", 3, 0), ("/d", 1000, 0)), T0);
        // The same paths again: the table already holds them, so the batch's references are given back.
        table.Add(Delta(pool, ("/a", 1, 0), ("/b", 2, 0)), T0);
        Assert.Equal(4, pool.Count);
        Assert.True(pool.TryFind("/a", out var a));
        Assert.Equal(1, pool.RefCount(a));

        table.Set("/e", new FileStats { Reads = 5, LastUpdated = T0 });
        table.Set("/e", new FileStats { Reads = 6, LastUpdated = T0 });
        Assert.Equal(1, table.MergeSmall(Merged, threshold: 3, idleBefore: T0.AddSeconds(1)));   // /a
        Assert.Equal(2, table.MergeLeastSignificant(Merged, 2, T0));                                // /b, /c
        table.Remove(["/d"]);
        // Left: /e and the merged row; the merged paths are gone from the pool.
        Assert.Equal(["/e", Merged], table.Snapshot().Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(2, pool.Count);
        Assert.False(pool.TryFind("/a", out _));
        Assert.Equal(["/a", "/b", "/c", "/d"], table.TakeChanges().Removed.Order(StringComparer.Ordinal));

        table.Clear();
        Assert.Equal(0, pool.Count);
        Assert.Equal((0L, 0L, 0L), Totals(table));
    }
}
