using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Host;
using IoSnoop.Specs.Support;
using Microsoft.Data.Sqlite;

namespace IoSnoop.Specs.EndToEnd;

/// <summary>
/// A database whose files cannot be written or whose content is damaged, with the real executable: one
/// line naming the file, never SIGBUS or a stack trace; at start the distinct exit code the systemd unit
/// does not restart on.
/// </summary>
public sealed class DatabaseFaultSpecs : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-dbfault-").FullName;

    private string Db => Path.Combine(_dir, "db", "iosnoopng.db");
    private string Shm => Db + "-shm";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        foreach (var file in new[] { Db, Shm, Db + "-wal", Db + "-journal" })
            if (File.Exists(file))
                Chattr("-i", file);
        Directory.Delete(_dir, true);
    }

    /// <summary>Sets or clears the immutable attribute; the specs need a file system that has it (ext4, xfs, btrfs).</summary>
    private static void Chattr(string flag, string file)
    {
        using var chattr = Process.Start("chattr", [flag, file]);
        chattr.WaitForExit();
        Assert.True(chattr.ExitCode == 0, $"chattr {flag} {file} failed: this file system has no immutable attribute");
    }

    /// <summary>A database holding one file of process cc (1 byte read, 2 written).</summary>
    private void SeedDatabase()
    {
        using var store = FiguresDatabase.Open(Db, Defaults.History);
        store.Write(new StoreChanges(false, false, [],
            [new ProcessFileChanges("cc", [new FileSummary("/a", 1, 2, DateTimeOffset.UtcNow, 1, false)], [])],
            new StoredCounters(1, 0, 0), []), DateTimeOffset.UtcNow);
    }

    private static async Task WaitForOutput(DaemonProcess daemon, string text)
    {
        await Poll.Until(() => daemon.Output.Contains(text, StringComparison.Ordinal) || daemon.HasExited, Within,
            $"\"{text}\" logged", () => daemon.Output);
        Assert.True(daemon.Output.Contains(text, StringComparison.Ordinal), $"the daemon exited: {daemon.Output}");
    }

    [Fact]
    public async Task An_immutable_database_file_while_running_is_one_clear_error_and_the_daemon_goes_on()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nld|0|7|/bin/app\n", Cancel);
        await using var daemon = DaemonProcess.Start("--source", "replay", "--replay", trace, "--db", Db, "--flush-interval", "0.2");
        await daemon.WaitFor("/api/status", s => s.GetProperty("processes").GetInt32() == 2, Within);
        await daemon.WaitFor("/api/history", _ => true, Within);
        // A rollback journal: no file is mapped into memory, so nothing can end in SIGBUS.
        Assert.False(File.Exists(Shm));

        Chattr("+i", Db);
        using (var delete = await daemon.Http.DeleteAsync("/api/stats/cc", Cancel))
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await WaitForOutput(daemon, $"{Db} cannot be written: the file is immutable");
        using (var history = await daemon.Http.GetAsync("/api/history", Cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, history.StatusCode);
            Assert.Contains("cannot be written", await history.Content.ReadAsStringAsync(Cancel));
        }
        Assert.False(daemon.HasExited);

        Chattr("-i", Db);
        await WaitForOutput(daemon, "works again");
        Assert.Equal(ExitCodes.Ok, await daemon.Terminate(Within));
        Assert.DoesNotContain("   at ", daemon.Output);
        Assert.All(daemon.Output.Split('\n').Where(l => l.Contains("cannot be written")), l => Assert.Contains(Db, l));

        // What the failed writes held reached the database once it could be written again.
        await using var again = DaemonProcess.Start("-n", "--db", Db);
        var stats = await again.WaitFor("/api/stats", _ => true, Within);
        Assert.Equal(["ld"], stats.GetProperty("processStats").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_database_left_in_WAL_mode_is_turned_into_a_rollback_journal_with_its_figures()
    {
        SeedDatabase();
        using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = WAL";
            Assert.Equal("wal", cmd.ExecuteScalar());
        }

        await using (var daemon = DaemonProcess.Start("-n", "--db", Db))
        {
            var stats = await daemon.WaitFor("/api/stats", _ => true, Within);
            Assert.Equal(2, stats.GetProperty("processStats").GetProperty("cc").GetProperty("writes").GetInt64());
            Assert.False(File.Exists(Shm));
            Assert.Equal(ExitCodes.Ok, await daemon.Terminate(Within));
        }
        using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode";
            Assert.Equal("delete", cmd.ExecuteScalar());
        }
    }

    [Fact]
    public async Task An_immutable_shm_file_left_by_WAL_mode_stops_the_start_with_the_database_exit_code_and_one_line()
    {
        FiguresDatabase.Open(Db, Defaults.History).Dispose();
        await File.WriteAllBytesAsync(Shm, new byte[32768], Cancel);
        Chattr("+i", Shm);
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-n", "--db", Db);
        Assert.Equal(ExitCodes.Database, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Cannot use the database {Db}: {Shm} cannot be written: the file is immutable", line);
    }

    [Fact]
    public async Task Damaged_content_stops_the_start_with_one_line_naming_the_file()
    {
        SeedDatabase();
        using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE files SET last_updated = 9223372036854775807";
            cmd.ExecuteNonQuery();
        }
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-n", "--db", Db);
        Assert.Equal(ExitCodes.Database, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Cannot read the database {Db}", line);
        Assert.Contains("may be corrupt", line);
    }

    [Fact]
    public void The_systemd_unit_does_not_restart_on_bad_flags_or_a_database_that_cannot_be_used()
    {
        var unit = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Daemon", "iosnoopng.service"));
        var prevent = Assert.Single(unit, l => l.StartsWith("RestartPreventExitStatus=", StringComparison.Ordinal));
        var codes = prevent["RestartPreventExitStatus=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
        Assert.Equal([ExitCodes.Usage, ExitCodes.Database], codes.Order());
        Assert.Contains("Restart=on-failure", unit);
    }
}
