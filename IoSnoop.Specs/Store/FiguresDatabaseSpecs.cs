using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using Microsoft.Data.Sqlite;
using IoSnoop.Actors.Interning;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Store;

/// <summary>The SQLite store on a real file in a temporary folder.</summary>
public sealed class FiguresDatabaseSpecs : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2024-05-02T12:00:00Z");
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-store-").FullName;
    private readonly List<FiguresDatabase> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
            store.Dispose();
        Directory.Delete(_dir, true);
    }

    private string DbPath => Path.Combine(_dir, "sub", "iosnoopng.db");

    private FiguresDatabase Open(HistorySettings? history = null)
    {
        var store = FiguresDatabase.Open(DbPath, history ?? Defaults.History);
        _stores.Add(store);
        return store;
    }

    private static StoreChanges Changes(
        IReadOnlyList<ProcessFileChanges>? files = null, IReadOnlyList<HistorySample>? history = null,
        bool reset = false, bool all = false, IReadOnlyList<string>? deleted = null, StoredCounters? counters = null) =>
        new(reset, all, deleted ?? [], files ?? [], counters ?? new StoredCounters(0, 0, 0), history ?? []);

    private static FileSummary File(string path, long reads, long writes, DateTimeOffset? at = null) =>
        new(path, reads, writes, at ?? Now, 1, MergedFiles.IsMergedPath(path));

    private static HistorySample Sample(DateTimeOffset at, string process, long reads, long writes) => new(at, process, reads, writes);

    [Fact]
    public void Files_and_counters_written_are_what_a_new_start_loads()
    {
        var at = DateTimeOffset.Parse("2024-05-02T11:59:58.1234567Z");
        var store = Open();
        Assert.True(store.Load().IsEmpty);
        store.Write(Changes(
            [new ProcessFileChanges("c d", [File("/a b", 10, 20, at), File("<Smaller Files of c d>", 1, 2, at)], [])],
            counters: new StoredCounters(9, 3, 2)), Now);
        store.Dispose();
        _stores.Clear();

        var saved = Open().Load();
        Assert.False(saved.IsEmpty);
        Assert.Equal(new StoredCounters(9, 3, 2), saved.Counters);
        var files = saved.Dump.Processes["c d"].OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(File("/a b", 10, 20, at), files[0]);
        Assert.True(files[1].Merged);
        Assert.Equal(at, files[0].LastUpdated);
    }

    [Fact]
    public void Disk_figures_written_are_what_a_new_start_loads_and_a_rewrite_replaces_them()
    {
        var store = Open();
        store.Write(Changes([new ProcessFileChanges("dd", [
            File("/data/out", 0, 40960) with { DiskWrites = 45056 },
            File("<filesystem metadata 254:0>", 0, 0) with { DiskWrites = 4096 },
        ], [])]), Now);
        store.Write(Changes([new ProcessFileChanges("dd", [File("/data/out", 4096, 40960) with { DiskReads = 8192, DiskWrites = 49152 }], [])]), Now);
        store.Dispose();
        _stores.Clear();

        var files = Open().Load().Dump.Processes["dd"].ToDictionary(f => f.Path, StringComparer.Ordinal);
        Assert.Equal((4096L, 40960L, 8192L, 49152L), (files["/data/out"].Reads, files["/data/out"].Writes, files["/data/out"].DiskReads, files["/data/out"].DiskWrites));
        Assert.Equal((0L, 0L, 0L, 4096L), (files["<filesystem metadata 254:0>"].Reads, files["<filesystem metadata 254:0>"].Writes,
            files["<filesystem metadata 254:0>"].DiskReads, files["<filesystem metadata 254:0>"].DiskWrites));
    }

    [Fact]
    public void A_schema_1_database_keeps_its_figures_and_gets_zero_disk_figures()
    {
        // The tables as schema 1 wrote them: files without disk columns.
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = $"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE processes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE files (
                    process INTEGER NOT NULL, path TEXT NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, events INTEGER NOT NULL, last_updated INTEGER NOT NULL,
                    PRIMARY KEY (process, path)) WITHOUT ROWID;
                CREATE TABLE history (
                    resolution INTEGER NOT NULL, bucket INTEGER NOT NULL, process INTEGER NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL,
                    PRIMARY KEY (resolution, bucket, process)) WITHOUT ROWID;
                INSERT INTO meta VALUES ('schema_version', 1), ('events', 7), ('malformed_lines', 1), ('dropped_events', 0);
                INSERT INTO processes VALUES (1, 'cp');
                INSERT INTO files VALUES (1, '/src/a', 300, 0, 3, {Now.UtcTicks}), (1, '/dst/a', 0, 300, 3, {Now.UtcTicks});
                """;
            cmd.ExecuteNonQuery();
        }

        var store = Open();
        var saved = store.Load();
        Assert.Equal(new StoredCounters(7, 1, 0), saved.Counters);
        var files = saved.Dump.Processes["cp"].OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        Assert.Equal([File("/dst/a", 0, 300) with { Events = 3 }, File("/src/a", 300, 0) with { Events = 3 }], files);
        Assert.All(files, f => Assert.Equal((0L, 0L), (f.DiskReads, f.DiskWrites)));

        // Migrated: it takes disk figures now, and says so.
        store.Write(Changes([new ProcessFileChanges("cp", [File("/dst/a", 0, 300) with { Events = 3, DiskWrites = 4096 }], [])]), Now);
        Assert.Equal(4096, store.Load().Dump.Processes["cp"].Single(f => f.Path == "/dst/a").DiskWrites);
        store.Dispose();
        _stores.Clear();
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        Assert.Equal((long)FiguresDatabase.SchemaVersion, (long)version.ExecuteScalar()!);
        Assert.Equal(4, FiguresDatabase.SchemaVersion);
    }

    [Fact]
    public void A_schema_2_database_keeps_its_files_and_history_and_its_buckets_take_disk_figures()
    {
        // The tables as schema 2 wrote them: files with disk columns, history buckets without, no instances.
        var bucket = DateTimeOffset.FromUnixTimeSeconds(Now.AddMinutes(-5).ToUnixTimeSeconds() / 10 * 10);
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = $"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE processes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE files (
                    process INTEGER NOT NULL, path TEXT NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, events INTEGER NOT NULL, last_updated INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (process, path)) WITHOUT ROWID;
                CREATE TABLE history (
                    resolution INTEGER NOT NULL, bucket INTEGER NOT NULL, process INTEGER NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL,
                    PRIMARY KEY (resolution, bucket, process)) WITHOUT ROWID;
                CREATE INDEX history_by_process ON history (process, resolution, bucket);
                INSERT INTO meta VALUES ('schema_version', 2), ('events', 12), ('malformed_lines', 0), ('dropped_events', 4);
                INSERT INTO processes VALUES (1, 'dd');
                INSERT INTO files VALUES (1, '/data/out', 0, 65536, 16, {Now.UtcTicks}, 0, 69632);
                INSERT INTO history VALUES (10, {bucket.ToUnixTimeSeconds()}, 1, 100, 65536), (60, {bucket.ToUnixTimeSeconds() / 60 * 60}, 1, 100, 65536);
                """;
            cmd.ExecuteNonQuery();
        }

        var store = Open();
        var saved = store.Load();
        Assert.Equal(new StoredCounters(12, 0, 4), saved.Counters);
        var file = Assert.Single(saved.Dump.Processes["dd"]);
        Assert.Equal(("/data/out", 0L, 65536L, 0L, 69632L), (file.Path, file.Reads, file.Writes, file.DiskReads, file.DiskWrites));
        var point = Assert.Single(store.Series(bucket, bucket.AddSeconds(10), "dd", Now).Points);
        Assert.Equal((100L, 65536L, 0L, 0L), (point.Reads, point.Writes, point.DiskReads, point.DiskWrites));
        Assert.Equal([new TopProcess("dd", 100, 65536)], store.Top(bucket, bucket.AddSeconds(10), 5, TopOrder.Total, Now));

        // Migrated: the same bucket adds disk figures beside the old file figures.
        store.Write(Changes(history: [new HistorySample(bucket.AddSeconds(2), "dd", 1, 2, 4096, 8192)]), Now);
        point = Assert.Single(store.Series(bucket, bucket.AddSeconds(10), "dd", Now).Points);
        Assert.Equal((101L, 65538L, 4096L, 8192L), (point.Reads, point.Writes, point.DiskReads, point.DiskWrites));
        Assert.Equal([new TopProcess("dd", 101, 65538, 4096, 8192)], store.Top(bucket, bucket.AddSeconds(10), 5, TopOrder.Total, Now));
        store.Dispose();
        _stores.Clear();
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        Assert.Equal((long)FiguresDatabase.SchemaVersion, (long)version.ExecuteScalar()!);
    }

    [Fact]
    public void A_schema_3_database_keeps_its_instances_which_get_no_group_and_zero_disk_figures_and_then_keep_both()
    {
        // The tables as schema 3 wrote them: instances without group and disk columns, no groups table.
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString()))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = $"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE processes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE files (
                    process INTEGER NOT NULL, path TEXT NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, events INTEGER NOT NULL, last_updated INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (process, path)) WITHOUT ROWID;
                CREATE TABLE history (
                    resolution INTEGER NOT NULL, bucket INTEGER NOT NULL, process INTEGER NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (resolution, bucket, process)) WITHOUT ROWID;
                CREATE INDEX history_by_process ON history (process, resolution, bucket);
                CREATE TABLE instances (
                    serial INTEGER PRIMARY KEY, pid INTEGER NOT NULL, ppid INTEGER NOT NULL, parent INTEGER,
                    start INTEGER NOT NULL, start_key INTEGER NOT NULL, boot TEXT, boot_time INTEGER NOT NULL,
                    name TEXT NOT NULL, exe TEXT, ended INTEGER, end_seen INTEGER NOT NULL, exit_code INTEGER,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, tree_reads INTEGER NOT NULL, tree_writes INTEGER NOT NULL);
                INSERT INTO meta VALUES ('schema_version', 3), ('events', 5), ('malformed_lines', 0), ('dropped_events', 0),
                    ('written_at', {Now.UtcTicks});
                INSERT INTO processes VALUES (1, 'make');
                INSERT INTO files VALUES (1, '/src/Makefile', 300, 0, 5, {Now.UtcTicks}, 4096, 0);
                INSERT INTO instances VALUES (1, 10, 1, NULL, 1000000000, 100, 'boot-a', {Now.AddHours(-1).UtcTicks}, 'sh', '/bin/sh',
                    NULL, 0, NULL, 1, 2, 301, 2);
                INSERT INTO instances VALUES (2, 11, 10, 1, 2000000000, 200, 'boot-a', {Now.AddHours(-1).UtcTicks}, 'make', NULL,
                    3000000000, 1, 0, 300, 0, 300, 0);
                """;
            cmd.ExecuteNonQuery();
        }

        var store = Open();
        Assert.Equal(4096, Assert.Single(store.Load().Dump.Processes["make"]).DiskReads);
        var saved = store.LoadInstances();
        Assert.Equal(Now, saved.WrittenAt);
        Assert.Empty(saved.Groups);
        Assert.Equal([10, 11], saved.Instances.Select(i => i.Pid));
        var make = saved.Instances[1];
        Assert.Equal((2L, 11, 10, (long?)1, "make", (long?)3000000000, (int?)0, 300L, 0L, 300L, 0L),
            (make.Serial, make.Pid, make.ParentPid, make.Parent, make.Name, make.End, make.ExitCode, make.Reads, make.Writes, make.TreeReads, make.TreeWrites));
        Assert.All(saved.Instances, i => Assert.Equal(((string?)null, 0L, 0L, 0L, 0L), (i.Group, i.DiskReads, i.DiskWrites, i.TreeDiskReads, i.TreeDiskWrites)));

        // Migrated: instances take their group and disk figures now, and the groups their sums.
        var sh = saved.Instances[0] with { Group = "session-3.scope", DiskReads = 4096, TreeDiskReads = 8192, TreeDiskWrites = 12288 };
        store.Write(Changes(), Now.AddSeconds(5), new IoSnoop.Actors.Instances.InstanceChanges(false, [sh], [])
        {
            Groups = [new IoSnoop.Actors.Instances.GroupInfo("session-3.scope", 301, 2, 2, 8192, 12288)],
        });
        store.Dispose();
        _stores.Clear();
        saved = Open().LoadInstances();
        Assert.Equal(sh, saved.Instances[0]);
        Assert.Equal([new IoSnoop.Actors.Instances.GroupInfo("session-3.scope", 301, 2, 2, 8192, 12288)], saved.Groups);
        Assert.Equal(make, saved.Instances[1]);
        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version'";
        Assert.Equal(4L, (long)version.ExecuteScalar()!);
    }

    [Fact]
    public void History_buckets_carry_disk_figures_beside_file_figures_per_process_and_for_the_machine()
    {
        var store = Open();
        var t = DateTimeOffset.FromUnixTimeSeconds(Now.AddMinutes(-10).ToUnixTimeSeconds() / 10 * 10);
        store.Write(Changes(history:
        [
            new HistorySample(t, "cat", 1_000_000, 0, 4096, 0),
            new HistorySample(t.AddSeconds(10), "cat", 1_000_000, 0),
            new HistorySample(t, "kworker-dirtier", 0, 0, 0, 65536),
        ]), Now);
        var cat = store.Series(t, t.AddSeconds(20), "cat", Now);
        Assert.Equal([(1_000_000L, 0L, 4096L, 0L), (1_000_000L, 0L, 0L, 0L)],
            cat.Points.Select(p => (p.Reads, p.Writes, p.DiskReads, p.DiskWrites)));
        var machine = store.Series(t, t.AddSeconds(10), null, Now).Points.Single();
        Assert.Equal((1_000_000L, 0L, 4096L, 65536L), (machine.Reads, machine.Writes, machine.DiskReads, machine.DiskWrites));
        // A process that only reached the disk still ranks.
        Assert.Equal([new TopProcess("cat", 2_000_000, 0, 4096, 0), new TopProcess("kworker-dirtier", 0, 0, 0, 65536)],
            store.Top(t, t.AddSeconds(20), 5, TopOrder.Total, Now));
    }

    [Fact]
    public void Removed_paths_deleted_processes_resets_and_full_rewrites_are_written()
    {
        var store = Open();
        store.Write(Changes([new ProcessFileChanges("a", [File("/1", 1, 0), File("/2", 2, 0)], []),
            new ProcessFileChanges("b", [File("/3", 3, 0)], [])]), Now);
        store.Write(Changes([new ProcessFileChanges("a", [File("<Smaller Files of a>", 1, 0)], ["/1"])]), Now);
        var a = store.Load().Dump.Processes["a"];
        Assert.Equal(["/2", "<Smaller Files of a>"], a.Select(f => f.Path).Order(StringComparer.Ordinal));

        store.Write(Changes(deleted: ["b"]), Now);
        Assert.Equal(["a"], store.Load().Dump.Processes.Keys);

        store.Write(Changes([new ProcessFileChanges("c", [File("/4", 4, 0)], [])], all: true), Now);
        Assert.Equal(["c"], store.Load().Dump.Processes.Keys);

        store.Write(Changes(reset: true), Now);
        Assert.True(store.Load().IsEmpty);
    }

    [Fact]
    public void A_series_has_every_bucket_of_the_range_and_zeros_where_nothing_moved()
    {
        var store = Open();
        var t = Now.AddMinutes(-10);
        store.Write(Changes(history:
        [
            Sample(t, "cc", 100, 1), Sample(t.AddSeconds(10), "cc", 50, 0), Sample(t.AddSeconds(30), "cc", 1, 2),
            Sample(t, "ld", 7, 7),
        ]), Now);
        var cc = store.Series(t, t.AddSeconds(40), "cc", Now);
        Assert.Equal(10, cc.BucketSeconds);
        Assert.Equal([(100L, 1L), (50L, 0L), (0L, 0L), (1L, 2L)], cc.Points.Select(p => (p.Reads, p.Writes)));
        Assert.Equal(t, cc.Points[0].Time);
        // The whole machine: all processes summed.
        var machine = store.Series(t, t.AddSeconds(40), null, Now);
        Assert.Equal((107L, 8L), (machine.Points[0].Reads, machine.Points[0].Writes));
        // A range not on a bucket boundary starts with the bucket that holds its start.
        Assert.Equal(100, store.Series(t.AddSeconds(5), t.AddSeconds(40), "cc", Now).Points[0].Reads);
        // An unknown process has an idle series.
        Assert.All(store.Series(t, t.AddSeconds(40), "nope", Now).Points, p => Assert.Equal((0L, 0L), (p.Reads, p.Writes)));
        // Samples of two flushes in the same bucket add up.
        store.Write(Changes(history: [Sample(t.AddSeconds(3), "cc", 1, 0)]), Now);
        Assert.Equal(101, store.Series(t, t.AddSeconds(10), "cc", Now).Points.Single().Reads);
    }

    [Fact]
    public void A_bucket_that_starts_within_the_last_second_before_the_end_is_in_the_range()
    {
        var store = Open();
        var bucket = Now.AddMinutes(-2);
        bucket = DateTimeOffset.FromUnixTimeSeconds(bucket.ToUnixTimeSeconds() / 10 * 10);
        store.Write(Changes(history: [Sample(bucket.AddSeconds(1), "p", 5, 6)]), Now);
        // "Up to now", asked 300 ms into the bucket that holds the sample.
        var to = bucket.AddMilliseconds(300);
        Assert.Equal([new TopProcess("p", 5, 6)], store.Top(to.AddHours(-1), to, 5, TopOrder.Total, Now));
        Assert.Equal(6, store.Series(to.AddMinutes(-1), to, "p", Now).Points.Sum(p => p.Writes));
        // A range that ends where the bucket starts does not hold it.
        Assert.Empty(store.Top(bucket.AddHours(-1), bucket, 5, TopOrder.Total, Now));
    }

    [Fact]
    public void History_sums_of_huge_figures_stop_at_the_largest_figure_instead_of_failing()
    {
        var store = Open();
        var t = DateTimeOffset.FromUnixTimeSeconds(Now.AddMinutes(-10).ToUnixTimeSeconds() / 10 * 10);
        const long huge = long.MaxValue - 10;
        // The same bucket twice in one flush, again in the next flush, and beside another process of the machine.
        store.Write(Changes(history:
        [
            new HistorySample(t, "dd", 0, huge, 0, huge),
            new HistorySample(t.AddSeconds(1), "dd", 0, huge, 0, huge),
            new HistorySample(t, "cp", huge, 5),
        ]), Now);
        store.Write(Changes(history: [new HistorySample(t.AddSeconds(2), "dd", 0, huge)]), Now);

        var dd = store.Series(t, t.AddSeconds(10), "dd", Now).Points.Single();
        Assert.Equal((0L, long.MaxValue, long.MaxValue), (dd.Reads, dd.Writes, dd.DiskWrites));
        var machine = store.Series(t, t.AddSeconds(10), null, Now).Points.Single();
        Assert.Equal((huge, long.MaxValue, long.MaxValue), (machine.Reads, machine.Writes, machine.DiskWrites));
        // The coarser levels (1 minute, 1 hour) sum the same samples.
        Assert.Equal(long.MaxValue, store.Series(t.AddDays(-2), Now, "dd", Now).Points.Max(p => p.Writes));
        Assert.Equal(["dd", "cp"], store.Top(t, t.AddSeconds(10), 5, TopOrder.Total, Now).Select(p => p.Name));
        Assert.Equal(long.MaxValue, store.Top(t, t.AddSeconds(10), 5, TopOrder.Writes, Now)[0].Writes);
    }

    [Fact]
    public void What_wrote_the_most_yesterday_between_two_and_three()
    {
        var store = Open();
        var yesterday2pm = DateTimeOffset.Parse("2024-05-01T14:00:00Z");
        store.Write(Changes(history:
        [
            Sample(yesterday2pm.AddMinutes(-1), "before", 0, 1_000_000),
            Sample(yesterday2pm.AddMinutes(10), "backupd", 10, 5000),
            Sample(yesterday2pm.AddMinutes(59), "mds", 9000, 100),
            Sample(yesterday2pm.AddMinutes(30), "mds", 0, 100),
            Sample(yesterday2pm.AddMinutes(60), "after", 0, 1_000_000),
        ]), yesterday2pm.AddHours(1));

        var byWrites = store.Top(yesterday2pm, yesterday2pm.AddHours(1), 10, TopOrder.Writes, Now);
        Assert.Equal([new TopProcess("backupd", 10, 5000), new TopProcess("mds", 9000, 200)], byWrites);
        var byTotal = store.Top(yesterday2pm, yesterday2pm.AddHours(1), 1, TopOrder.Total, Now);
        Assert.Equal([new TopProcess("mds", 9000, 200)], byTotal);
    }

    [Fact]
    public void A_range_older_than_the_fine_retention_is_answered_from_a_coarser_level()
    {
        var history = HistorySettings.For(TimeSpan.FromHours(1), TimeSpan.FromDays(2), TimeSpan.FromDays(30));
        var store = Open(history);
        var threeHoursAgo = Now.AddHours(-3);
        var written = threeHoursAgo;
        // Written as it happened: three hours ago, then again now (the old 10 s buckets are pruned by then).
        store.Write(Changes(history: [Sample(threeHoursAgo.AddSeconds(5), "p", 10, 0), Sample(threeHoursAgo.AddSeconds(65), "p", 20, 0)]), written);
        store.Write(Changes(history: [Sample(Now.AddSeconds(-30), "p", 1, 0)]), Now);

        // Within the last hour: 10 s buckets.
        var recent = store.Series(Now.AddMinutes(-5), Now, "p", Now);
        Assert.Equal(10, recent.BucketSeconds);
        Assert.Equal(1, recent.Points.Sum(p => p.Reads));
        // Reaching back past the hour of 10 s buckets: 1 min buckets for the whole range.
        var across = store.Series(threeHoursAgo, Now, "p", Now);
        Assert.Equal(60, across.BucketSeconds);
        Assert.Equal(31, across.Points.Sum(p => p.Reads));
        Assert.Equal([10L, 20L], across.Points.Take(2).Select(p => p.Reads));
        Assert.Equal(180, across.Points.Count);
        // Past the 1 min retention: 1 h buckets.
        var week = store.Series(Now.AddDays(-7), Now, null, Now);
        Assert.Equal(3600, week.BucketSeconds);
        Assert.Equal(31, week.Points.Sum(p => p.Reads));
        Assert.Equal(31, store.Top(threeHoursAgo, Now, 5, TopOrder.Total, Now).Single().Reads);
    }

    [Fact]
    public void Buckets_older_than_their_retention_are_forgotten()
    {
        var history = HistorySettings.For(TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(2));
        var store = Open(history);
        var old = Now.AddDays(-3);
        store.Write(Changes(history: [Sample(old, "p", 5, 5)]), old);
        store.Write(Changes(history: [Sample(Now, "p", 1, 1)]), Now);
        using var db = new SqliteConnection($"Data Source={DbPath}");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT resolution, COUNT(*) FROM history GROUP BY resolution ORDER BY resolution";
        using var reader = count.ExecuteReader();
        var rows = new List<(long, long)>();
        while (reader.Read())
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        Assert.Equal([(10L, 1L), (60L, 1L), (3600L, 1L)], rows);
        // A sample already past a level's retention is not written to it.
        Assert.Equal(0, store.Series(old, old.AddHours(1), "p", Now).Points.Sum(p => p.Reads));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_a_clear_error()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        System.IO.File.WriteAllText(DbPath, new string('x', 4096));
        var e = Assert.Throws<StoreException>(() => Open());
        Assert.StartsWith($"Cannot use the database {DbPath}: ", e.Message);
        Assert.Contains("not a database", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_path_under_a_file_is_a_clear_error()
    {
        System.IO.File.WriteAllText(Path.Combine(_dir, "plain"), "");
        var path = Path.Combine(_dir, "plain", "iosnoopng.db");
        var e = Assert.Throws<StoreException>(() => FiguresDatabase.Open(path, Defaults.History));
        Assert.StartsWith($"Cannot use the database {path}: ", e.Message);
    }
}
