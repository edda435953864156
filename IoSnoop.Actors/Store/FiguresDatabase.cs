using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using IoSnoop.Actors.Interning;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Actors.Store;

/// <summary>What the database held at start.</summary>
public sealed record SavedState(FullDump Dump, StoredCounters Counters)
{
    public bool IsEmpty => Dump.Processes.Count == 0 && Counters.Events == 0 && Counters.MalformedLines == 0
                           && Counters.DroppedEvents == 0;
}

/// <summary>
/// The SQLite database of the totals per process and file, the counters, and the per-process history per
/// time bucket. One writer (the store actor, one transaction at a time, off the actor's thread); queries
/// read on connections of their own. It keeps a rollback journal, not a write-ahead log: WAL maps its
/// <c>-shm</c> file into memory, and a write to that mapping once the file became immutable (or its file
/// system read-only) kills the process with SIGBUS, which no check beforehand can rule out (the file can
/// change between the check and the write). Without a mapping such a write is an error like any other.
/// A flush every few seconds and short queries do not need WAL's concurrency: a query waits for a commit
/// (milliseconds) through the busy timeout.
/// </summary>
/// <remarks>
/// Tables: <c>meta(key, value)</c> (schema version, counters), <c>processes(id, name)</c>,
/// <c>files(process, path, reads, writes, events, last_updated, disk_reads, disk_writes)</c> (ticks, UTC; the
/// disk bytes beside the file bytes, schema 2: a schema-1 database gets them as zero at its first open), and
/// <c>history(resolution, bucket, process, reads, writes, disk_reads, disk_writes)</c> (resolution in seconds, bucket
/// the Unix second it starts at; the disk bytes since schema 3: older buckets get zero), and
/// <c>instances(serial, pid, ...)</c>, the process tree (schema 3; see <see cref="StoredInstance"/>; its group and disk
/// bytes since schema 4: older rows get none and zero), and <c>instance_groups(name, reads, writes, disk_reads, disk_writes,
/// processes)</c>, the sums per group (schema 4).
/// </remarks>
public sealed class FiguresDatabase : IDisposable
{
    public const int SchemaVersion = 4;

    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly SqliteConnection _writer;
    private readonly string _readConnectionString;
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    private FiguresDatabase(string path, HistorySettings history, SqliteConnection writer, string readConnectionString)
    {
        Path = path;
        History = history;
        _writer = writer;
        _readConnectionString = readConnectionString;
    }

    public string Path { get; }

    public HistorySettings History { get; }

    /// <summary>Opens (creating when missing) the database and checks that it can be written.</summary>
    /// <exception cref="StoreException">It cannot: the message names the file and the reason.</exception>
    public static FiguresDatabase Open(string path, HistorySettings history)
    {
        var full = System.IO.Path.GetFullPath(path);
        SqliteConnection? writer = null;
        try
        {
            var dir = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(dir))
                Directory.CreateDirectory(dir);
            CheckWritable(full, "Cannot use");
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                // How long a write waits for a lock another process holds before it fails (and is retried).
                DefaultTimeout = 5,
            };
            writer = new SqliteConnection(builder.ToString());
            writer.Open();
            AddSaturatingSums(writer);
            Execute(writer, """
                PRAGMA mmap_size = 0;
                PRAGMA journal_mode = DELETE;
                PRAGMA synchronous = NORMAL;
                PRAGMA busy_timeout = 2000;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS processes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                CREATE TABLE IF NOT EXISTS files (
                    process INTEGER NOT NULL, path TEXT NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, events INTEGER NOT NULL, last_updated INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (process, path)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS history (
                    resolution INTEGER NOT NULL, bucket INTEGER NOT NULL, process INTEGER NOT NULL,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (resolution, bucket, process)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS history_by_process ON history (process, resolution, bucket);
                CREATE TABLE IF NOT EXISTS instances (
                    serial INTEGER PRIMARY KEY, pid INTEGER NOT NULL, ppid INTEGER NOT NULL, parent INTEGER,
                    start INTEGER NOT NULL, start_key INTEGER NOT NULL, boot TEXT, boot_time INTEGER NOT NULL,
                    name TEXT NOT NULL, exe TEXT, ended INTEGER, end_seen INTEGER NOT NULL, exit_code INTEGER,
                    reads INTEGER NOT NULL, writes INTEGER NOT NULL, tree_reads INTEGER NOT NULL, tree_writes INTEGER NOT NULL,
                    group_name TEXT, disk_reads INTEGER NOT NULL DEFAULT 0, disk_writes INTEGER NOT NULL DEFAULT 0,
                    tree_disk_reads INTEGER NOT NULL DEFAULT 0, tree_disk_writes INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS instance_groups (
                    name TEXT PRIMARY KEY, reads INTEGER NOT NULL, writes INTEGER NOT NULL,
                    disk_reads INTEGER NOT NULL, disk_writes INTEGER NOT NULL, processes INTEGER NOT NULL) WITHOUT ROWID;
                """);
            var version = Meta(writer, "schema_version");
            if (version > SchemaVersion)
                throw new StoreException($"Cannot use the database {full}: it was written by a newer iosnoopng (schema {version}, this one knows {SchemaVersion})");
            // Proves that the file can be written (a read-only file opens, then fails here).
            Migrate(writer);
            Execute(writer, $"INSERT INTO meta (key, value) VALUES ('schema_version', {SchemaVersion}) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            var read = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = true };
            var store = new FiguresDatabase(full, history, writer, read.ToString());
            store.LoadIds();
            return store;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            writer?.Dispose();
            throw new StoreException($"Cannot use the database {full}: {Reason(e)}", e);
        }
        catch (StoreException)
        {
            writer?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fails, naming the file, when the database or its journal cannot be written (immutable, a read-only
    /// file system), so that the log says which file and why rather than SQLite's "disk I/O error". The
    /// <c>-wal</c> and <c>-shm</c> files are those of a database an earlier version left in WAL mode: it is
    /// turned into a rollback journal at start, which needs them. <c>access(2)</c> checks without opening
    /// the file: opening and closing it would drop the locks SQLite holds on it (POSIX locks belong to the
    /// process, not the descriptor).
    /// </summary>
    /// <exception cref="StoreException">A file cannot be written.</exception>
    private static void CheckWritable(string path, string doing)
    {
        if (OperatingSystem.IsWindows())
            return;
        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            if (Native.access(file, Native.W_OK) == 0)
                continue;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Native.ENOENT)
                continue;
            var reason = errno switch
            {
                Native.EPERM => "the file is immutable (lsattr shows an i; chattr -i removes it)",
                Native.EROFS => "the file system is read-only",
                Native.EACCES => "permission denied",
                _ => $"error {errno}",
            };
            throw new StoreException($"{doing} the database {path}: {file} cannot be written: {reason}");
        }
    }

    // errno values, the same on Linux and macOS.
    private static class Native
    {
        public const int W_OK = 2;
        public const int EPERM = 1;
        public const int ENOENT = 2;
        public const int EACCES = 13;
        public const int EROFS = 30;

        [DllImport("libc", SetLastError = true)]
        public static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
    }

    private static string Reason(Exception e) => e is SqliteException s
        ? $"{s.Message.TrimEnd('.')} (SQLite error {s.SqliteErrorCode})"
        : e.Message;

    /// <summary>
    /// Brings a database of an earlier schema to this one, keeping its figures: schema 1 has no disk bytes, so its
    /// files get disk_reads and disk_writes of zero; schemas 1 and 2 have none in their history buckets, which get
    /// zero too; the instances table (schema 3) starts empty; schema 3's instances get no group and disk bytes of zero
    /// (own and tree), and the groups table (schema 4) starts empty. One transaction with the version's update, so that
    /// a failure leaves the database as it was.
    /// </summary>
    private static void Migrate(SqliteConnection writer)
    {
        var missing = new List<(string Table, string Column)>();
        var wanted = new (string Table, string[] Columns)[]
        {
            ("files", ["disk_reads", "disk_writes"]),
            ("history", ["disk_reads", "disk_writes"]),
            ("instances", ["group_name", "disk_reads", "disk_writes", "tree_disk_reads", "tree_disk_writes"]),
        };
        foreach (var (table, wantedColumns) in wanted)
        {
            var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var cmd = writer.CreateCommand())
            {
                cmd.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                    columns.Add(reader.GetString(0));
            }
            foreach (var column in wantedColumns)
                if (!columns.Contains(column))
                    missing.Add((table, column));
        }
        if (missing.Count == 0)
            return;
        using var tx = writer.BeginTransaction();
        foreach (var (table, column) in missing)
            Execute(writer, column == "group_name"
                ? $"ALTER TABLE {table} ADD COLUMN {column} TEXT"
                : $"ALTER TABLE {table} ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0", tx);
        Execute(writer, $"INSERT INTO meta (key, value) VALUES ('schema_version', {SchemaVersion}) ON CONFLICT (key) DO UPDATE SET value = excluded.value", tx);
        tx.Commit();
    }

    /// <summary>Everything the database holds: every process with every file, and the counters.</summary>
    public SavedState Load()
    {
        try
        {
            var processes = new Dictionary<string, List<FileSummary>>(StringComparer.Ordinal);
            using (var cmd = _writer.CreateCommand())
            {
                cmd.CommandText = """
                    SELECT p.name, f.path, f.reads, f.writes, f.events, f.last_updated, f.disk_reads, f.disk_writes
                    FROM files f JOIN processes p ON p.id = f.process
                    """;
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    var name = reader.GetString(0);
                    if (!processes.TryGetValue(name, out var files))
                        processes[name] = files = [];
                    var path = reader.GetString(1);
                    files.Add(new FileSummary(path, reader.GetInt64(2), reader.GetInt64(3),
                        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero), reader.GetInt64(4), MergedFiles.IsMergedPath(path))
                    {
                        DiskReads = reader.GetInt64(6),
                        DiskWrites = reader.GetInt64(7),
                    });
                }
            }
            var counters = new StoredCounters(Meta(_writer, "events"), Meta(_writer, "malformed_lines"), Meta(_writer, "dropped_events"));
            return new SavedState(
                new FullDump(counters.Events, processes.ToDictionary(p => p.Key, p => (IReadOnlyList<FileSummary>)p.Value, StringComparer.Ordinal)),
                counters);
        }
        catch (SqliteException e)
        {
            throw new StoreException($"Cannot read the database {Path}: {Reason(e)}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or OverflowException)
        {
            // A value that iosnoopng never writes (a time out of range, text for a number): damaged content.
            throw new StoreException($"Cannot read the database {Path}: it holds a value iosnoopng did not write ({e.Message.Split('\n')[0].TrimEnd('.')}); " +
                                     "the file may be corrupt: move it away to start with an empty one", e);
        }
    }

    /// <summary>Writes one flush in one transaction; on failure nothing of it is written.</summary>
    /// <exception cref="StoreException">The write failed.</exception>
    public void Write(StoreChanges changes, DateTimeOffset now, InstanceChanges? instances = null)
    {
        // One write at a time, and none once disposed: the store actor writes on a pool thread, and closing the
        // writer during a write's transaction had SQLite call its rollback hook on a connection already torn down
        // (an exception in a native callback, which ends the process).
        lock (_writing)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WriteNow(changes, now, instances);
        }
    }

    private void WriteNow(StoreChanges changes, DateTimeOffset now, InstanceChanges? instances)
    {
        var newIds = new List<string>();
        CheckWritable(Path, "Cannot write to");
        try
        {
            using var tx = _writer.BeginTransaction();
            if (changes.Reset)
                Execute(_writer, "DELETE FROM files; DELETE FROM history;", tx);
            if (changes.DeletedProcesses.Count > 0)
            {
                using var deleteProcess = Command(tx, "DELETE FROM files WHERE process = $p; DELETE FROM history WHERE process = $p;", "$p");
                foreach (var name in changes.DeletedProcesses)
                {
                    if (!_ids.TryGetValue(name, out var id))
                        continue;
                    deleteProcess.Parameters[0].Value = id;
                    deleteProcess.ExecuteNonQuery();
                }
            }
            if (changes.All)
                Execute(_writer, "DELETE FROM files;", tx);
            WriteFiles(changes.Files, tx, newIds);
            using (var meta = Command(tx, "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$k", "$v"))
            {
                foreach (var (key, value) in new[]
                         {
                             ("events", changes.Counters.Events), ("malformed_lines", changes.Counters.MalformedLines),
                             ("dropped_events", changes.Counters.DroppedEvents),
                         })
                {
                    meta.Parameters[0].Value = key;
                    meta.Parameters[1].Value = value;
                    meta.ExecuteNonQuery();
                }
            }
            WriteHistory(changes.History, now, tx, newIds);
            if (instances is not null)
                WriteInstances(instances, tx);
            using (var written = Command(tx, "INSERT INTO meta (key, value) VALUES ('written_at', $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$v"))
            {
                written.Parameters[0].Value = now.UtcTicks;
                written.ExecuteNonQuery();
            }
            var prune = now - _lastPrune >= PruneEvery;
            if (prune)
                Prune(now, tx);
            tx.Commit();
            if (prune)
                _lastPrune = now;
        }
        catch (SqliteException e)
        {
            foreach (var name in newIds)
                _ids.Remove(name);
            throw new StoreException($"Cannot write to the database {Path}: {Reason(e)}", e);
        }
    }

    private void WriteFiles(IReadOnlyList<ProcessFileChanges> files, SqliteTransaction tx, List<string> newIds)
    {
        if (files.Count == 0)
            return;
        using var delete = Command(tx, "DELETE FROM files WHERE process = $p AND path = $path", "$p", "$path");
        using var upsert = Command(tx, """
            INSERT INTO files (process, path, reads, writes, events, last_updated, disk_reads, disk_writes)
            VALUES ($p, $path, $r, $w, $e, $t, $dr, $dw)
            ON CONFLICT (process, path) DO UPDATE SET
                reads = excluded.reads, writes = excluded.writes, events = excluded.events, last_updated = excluded.last_updated,
                disk_reads = excluded.disk_reads, disk_writes = excluded.disk_writes
            """, "$p", "$path", "$r", "$w", "$e", "$t", "$dr", "$dw");
        foreach (var process in files)
        {
            var id = IdFor(process.Process, tx, newIds);
            delete.Parameters[0].Value = id;
            foreach (var path in process.Removed)
            {
                delete.Parameters[1].Value = path;
                delete.ExecuteNonQuery();
            }
            upsert.Parameters[0].Value = id;
            foreach (var f in process.Changed)
            {
                upsert.Parameters[1].Value = f.Path;
                upsert.Parameters[2].Value = f.Reads;
                upsert.Parameters[3].Value = f.Writes;
                upsert.Parameters[4].Value = f.Events;
                upsert.Parameters[5].Value = f.LastUpdated.UtcTicks;
                upsert.Parameters[6].Value = f.DiskReads;
                upsert.Parameters[7].Value = f.DiskWrites;
                upsert.ExecuteNonQuery();
            }
        }
    }

    private void WriteHistory(IReadOnlyList<HistorySample> samples, DateTimeOffset now, SqliteTransaction tx, List<string> newIds)
    {
        if (samples.Count == 0)
            return;
        using var add = Command(tx, """
            INSERT INTO history (resolution, bucket, process, reads, writes, disk_reads, disk_writes) VALUES ($res, $b, $p, $r, $w, $dr, $dw)
            ON CONFLICT (resolution, bucket, process) DO UPDATE SET reads = ADD_FIGURES(reads, excluded.reads),
                writes = ADD_FIGURES(writes, excluded.writes), disk_reads = ADD_FIGURES(disk_reads, excluded.disk_reads),
                disk_writes = ADD_FIGURES(disk_writes, excluded.disk_writes)
            """, "$res", "$b", "$p", "$r", "$w", "$dr", "$dw");
        foreach (var level in History.Levels)
        {
            var seconds = level.BucketSeconds;
            var oldest = (now - level.Retention).ToUnixTimeSeconds();
            var sums = new Dictionary<(long Bucket, string Process), (long Reads, long Writes, long DiskReads, long DiskWrites)>();
            foreach (var s in samples)
            {
                var bucket = s.Bucket.ToUnixTimeSeconds() / seconds * seconds;
                if (bucket + seconds <= oldest)
                    continue;
                sums.TryGetValue((bucket, s.Process), out var sum);
                sums[(bucket, s.Process)] = (Figures.Add(sum.Reads, s.Reads), Figures.Add(sum.Writes, s.Writes),
                    Figures.Add(sum.DiskReads, s.DiskReads), Figures.Add(sum.DiskWrites, s.DiskWrites));
            }
            add.Parameters[0].Value = seconds;
            foreach (var ((bucket, process), (reads, writes, diskReads, diskWrites)) in sums)
            {
                add.Parameters[1].Value = bucket;
                add.Parameters[2].Value = IdFor(process, tx, newIds);
                add.Parameters[3].Value = reads;
                add.Parameters[4].Value = writes;
                add.Parameters[5].Value = diskReads;
                add.Parameters[6].Value = diskWrites;
                add.ExecuteNonQuery();
            }
        }
    }

    private void WriteInstances(InstanceChanges instances, SqliteTransaction tx)
    {
        if (instances.All)
            Execute(_writer, "DELETE FROM instances; DELETE FROM instance_groups;", tx);
        if (instances.Groups.Count > 0)
        {
            using var group = Command(tx, """
                INSERT OR REPLACE INTO instance_groups (name, reads, writes, disk_reads, disk_writes, processes)
                VALUES ($name, $r, $w, $dr, $dw, $p)
                """, "$name", "$r", "$w", "$dr", "$dw", "$p");
            foreach (var g in instances.Groups)
            {
                var values = new object[] { g.Name, g.Reads, g.Writes, g.DiskReads, g.DiskWrites, g.Processes };
                for (var n = 0; n < values.Length; n++)
                    group.Parameters[n].Value = values[n];
                group.ExecuteNonQuery();
            }
        }
        if (instances.Removed.Count > 0 && !instances.All)
        {
            using var delete = Command(tx, "DELETE FROM instances WHERE serial = $s", "$s");
            foreach (var serial in instances.Removed)
            {
                delete.Parameters[0].Value = serial;
                delete.ExecuteNonQuery();
            }
        }
        if (instances.Changed.Count == 0)
            return;
        using var upsert = Command(tx, """
            INSERT OR REPLACE INTO instances (serial, pid, ppid, parent, start, start_key, boot, boot_time, name, exe, ended, end_seen,
                exit_code, reads, writes, tree_reads, tree_writes, group_name, disk_reads, disk_writes, tree_disk_reads, tree_disk_writes)
            VALUES ($serial, $pid, $ppid, $parent, $start, $key, $boot, $bootTime, $name, $exe, $ended, $seen, $code, $r, $w, $tr, $tw,
                $group, $dr, $dw, $tdr, $tdw)
            """, "$serial", "$pid", "$ppid", "$parent", "$start", "$key", "$boot", "$bootTime", "$name", "$exe", "$ended", "$seen",
            "$code", "$r", "$w", "$tr", "$tw", "$group", "$dr", "$dw", "$tdr", "$tdw");
        foreach (var i in instances.Changed)
        {
            var values = new object?[]
            {
                i.Serial, i.Pid, i.ParentPid, i.Parent, i.Start, i.Key, i.Boot, i.BootTime.UtcTicks, i.Name, i.Exe, i.End,
                i.EndSeen ? 1 : 0, i.ExitCode, i.Reads, i.Writes, i.TreeReads, i.TreeWrites,
                i.Group, i.DiskReads, i.DiskWrites, i.TreeDiskReads, i.TreeDiskWrites,
            };
            for (var n = 0; n < values.Length; n++)
                upsert.Parameters[n].Value = values[n] ?? DBNull.Value;
            upsert.ExecuteNonQuery();
        }
    }

    /// <summary>The process instances the database holds, and when it was last written.</summary>
    /// <exception cref="StoreException">It cannot be read.</exception>
    public SavedInstances LoadInstances()
    {
        try
        {
            var instances = new List<StoredInstance>();
            using (var cmd = _writer.CreateCommand())
            {
                cmd.CommandText = """
                    SELECT serial, pid, ppid, parent, start, start_key, boot, boot_time, name, exe, ended, end_seen, exit_code,
                        reads, writes, tree_reads, tree_writes, group_name, disk_reads, disk_writes, tree_disk_reads, tree_disk_writes
                    FROM instances ORDER BY serial
                    """;
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    instances.Add(new StoredInstance(
                        reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
                        reader.GetInt64(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                        new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero), reader.GetString(8),
                        reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetInt64(10),
                        reader.GetInt64(11) != 0, reader.IsDBNull(12) ? null : reader.GetInt32(12),
                        reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16))
                    {
                        Group = reader.IsDBNull(17) ? null : reader.GetString(17),
                        DiskReads = reader.GetInt64(18), DiskWrites = reader.GetInt64(19),
                        TreeDiskReads = reader.GetInt64(20), TreeDiskWrites = reader.GetInt64(21),
                    });
                }
            }
            var groups = new List<GroupInfo>();
            using (var cmd = _writer.CreateCommand())
            {
                cmd.CommandText = "SELECT name, reads, writes, processes, disk_reads, disk_writes FROM instance_groups ORDER BY name";
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                    groups.Add(new GroupInfo(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                        reader.GetInt64(4), reader.GetInt64(5)));
            }
            var written = Meta(_writer, "written_at");
            return new SavedInstances(instances, written > 0 ? new DateTimeOffset(written, TimeSpan.Zero) : null) { Groups = groups };
        }
        catch (SqliteException e)
        {
            throw new StoreException($"Cannot read the database {Path}: {Reason(e)}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or OverflowException)
        {
            throw new StoreException($"Cannot read the database {Path}: it holds a value iosnoopng did not write ({e.Message.Split('\n')[0].TrimEnd('.')}); " +
                                     "the file may be corrupt: move it away to start with an empty one", e);
        }
    }

    /// <summary>Forgets the buckets each level no longer keeps.</summary>
    private void Prune(DateTimeOffset now, SqliteTransaction tx)
    {
        using var prune = Command(tx, "DELETE FROM history WHERE resolution = $res AND bucket < $before", "$res", "$before");
        foreach (var level in History.Levels)
        {
            var before = (now - level.Retention).ToUnixTimeSeconds() / level.BucketSeconds * level.BucketSeconds;
            prune.Parameters[0].Value = level.BucketSeconds;
            prune.Parameters[1].Value = before;
            prune.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Bytes read and written per bucket between <paramref name="from"/> and <paramref name="to"/> by one
    /// process, or by all of them when <paramref name="process"/> is null. The buckets are those that
    /// start in the range, the one holding <paramref name="from"/> included; none past now.
    /// </summary>
    public HistorySeries Series(DateTimeOffset from, DateTimeOffset to, string? process, DateTimeOffset now)
    {
        var level = History.ForSeries(from, to, now);
        var seconds = level.BucketSeconds;
        var (start, end) = Range(level, from, to, now);
        var sums = new Dictionary<long, (long Reads, long Writes, long DiskReads, long DiskWrites)>();
        Query(process is null
                ? """
                  SELECT bucket, SUM_FIGURES(reads), SUM_FIGURES(writes), SUM_FIGURES(disk_reads), SUM_FIGURES(disk_writes) FROM history
                  WHERE resolution = $res AND bucket >= $from AND bucket < $to GROUP BY bucket
                  """
                : """
                  SELECT bucket, reads, writes, disk_reads, disk_writes FROM history
                  WHERE process = (SELECT id FROM processes WHERE name = $name) AND resolution = $res AND bucket >= $from AND bucket < $to
                  """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$res", seconds);
                cmd.Parameters.AddWithValue("$from", start);
                cmd.Parameters.AddWithValue("$to", end);
                if (process is not null)
                    cmd.Parameters.AddWithValue("$name", process);
            },
            reader => sums[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        var points = new List<HistoryPoint>((int)Math.Max(0, (end - start) / seconds));
        for (var bucket = start; bucket < end; bucket += seconds)
        {
            sums.TryGetValue(bucket, out var sum);
            points.Add(new HistoryPoint(DateTimeOffset.FromUnixTimeSeconds(bucket), sum.Reads, sum.Writes, sum.DiskReads, sum.DiskWrites));
        }
        return new HistorySeries((int)seconds, points);
    }

    /// <summary>The processes that moved the most bytes between <paramref name="from"/> and <paramref name="to"/>, most first.</summary>
    public IReadOnlyList<TopProcess> Top(DateTimeOffset from, DateTimeOffset to, int limit, TopOrder order, DateTimeOffset now)
    {
        var level = History.ForTotals(from, now);
        var (start, end) = Range(level, from, to, now);
        var rank = order switch
        {
            TopOrder.Reads => "r DESC, w DESC",
            TopOrder.Writes => "w DESC, r DESC",
            _ => "ADD_FIGURES(r, w) DESC",
        };
        var top = new List<TopProcess>();
        Query($"""
               SELECT p.name, SUM_FIGURES(h.reads) AS r, SUM_FIGURES(h.writes) AS w, SUM_FIGURES(h.disk_reads) AS dr,
                   SUM_FIGURES(h.disk_writes) AS dw
               FROM history h JOIN processes p ON p.id = h.process
               WHERE h.resolution = $res AND h.bucket >= $from AND h.bucket < $to
               GROUP BY h.process HAVING r > 0 OR w > 0 OR dr > 0 OR dw > 0
               ORDER BY {rank}, p.name LIMIT $limit
               """,
            cmd =>
            {
                cmd.Parameters.AddWithValue("$res", level.BucketSeconds);
                cmd.Parameters.AddWithValue("$from", start);
                cmd.Parameters.AddWithValue("$to", end);
                cmd.Parameters.AddWithValue("$limit", limit);
            },
            reader => top.Add(new TopProcess(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4))));
        return top;
    }

    /// <summary>The level's buckets from the one holding <paramref name="from"/> up to <paramref name="to"/>, within retention and not past now.</summary>
    private static (long Start, long End) Range(HistoryLevel level, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        var seconds = level.BucketSeconds;
        var oldest = (now - level.Retention).ToUnixTimeSeconds() / seconds * seconds;
        var start = Math.Max(oldest, from.ToUnixTimeSeconds() / seconds * seconds);
        var latest = now.ToUnixTimeSeconds() / seconds * seconds + seconds;
        // The range ends before `to`; a bucket that starts within the last fraction of a second before
        // `to` (say at :50 for a `to` of :50.3) starts in the range, so round `to` up to whole seconds.
        var end = Math.Min(latest, (to.ToUnixTimeMilliseconds() + 999) / 1000);
        return (start, Math.Max(start, end));
    }

    private void Query(string sql, Action<SqliteCommand> bind, Action<SqliteDataReader> row)
    {
        // A reader rolls back a journal a failed write left behind, which needs the files writable.
        CheckWritable(Path, "Cannot read");
        try
        {
            using var connection = new SqliteConnection(_readConnectionString);
            connection.Open();
            AddSaturatingSums(connection);
            Execute(connection, "PRAGMA mmap_size = 0");
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            bind(cmd);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                row(reader);
        }
        catch (SqliteException e)
        {
            throw new StoreException($"Cannot read the database {Path}: {Reason(e)}", e);
        }
    }

    private long IdFor(string name, SqliteTransaction tx, List<string> newIds)
    {
        if (_ids.TryGetValue(name, out var id))
            return id;
        using var insert = _writer.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO processes (name) VALUES ($n) ON CONFLICT (name) DO NOTHING; SELECT id FROM processes WHERE name = $n";
        insert.Parameters.AddWithValue("$n", name);
        id = (long)insert.ExecuteScalar()!;
        _ids[name] = id;
        newIds.Add(name);
        return id;
    }

    private void LoadIds()
    {
        using var cmd = _writer.CreateCommand();
        cmd.CommandText = "SELECT id, name FROM processes";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
            _ids[reader.GetString(1)] = reader.GetInt64(0);
    }

    private SqliteCommand Command(SqliteTransaction tx, string sql, params string[] parameters)
    {
        var cmd = _writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var p in parameters)
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        return cmd;
    }

    /// <summary>Sums of figures that stop at the largest one, as everywhere else (<see cref="Figures"/>): SQLite's
    /// <c>SUM</c> fails on an overflow and <c>+</c> turns to floating point.</summary>
    private static void AddSaturatingSums(SqliteConnection connection)
    {
        connection.CreateFunction("ADD_FIGURES", (long a, long b) => Figures.Add(a, b), isDeterministic: true);
        connection.CreateAggregate("SUM_FIGURES", 0L, (long sum, long figure) => Figures.Add(sum, figure), isDeterministic: true);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static long Meta(SqliteConnection connection, string key)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() is long value ? value : 0;
    }

    public void Dispose()
    {
        lock (_writing)
        {
            if (_disposed)
                return;
            _disposed = true;
            using (var read = new SqliteConnection(_readConnectionString))
                SqliteConnection.ClearPool(read);
            _writer.Dispose();
        }
    }

    private readonly object _writing = new();
    private bool _disposed;
}
