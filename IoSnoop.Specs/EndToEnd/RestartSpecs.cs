using System.Diagnostics;
using System.Text.Json;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.EndToEnd;

/// <summary>The real executable with a database in a temporary folder: stopped, killed, started again.</summary>
public sealed class RestartSpecs : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-restart-").FullName;
    private string Db => Path.Combine(_dir, "db", "iosnoopng.db");

    public void Dispose()
    {
        if (File.Exists(Db))
            Process.Start("chattr", ["-i", Db]).WaitForExit();
        Directory.Delete(_dir, true);
    }

    /// <summary>Every process and file with its reads, writes and last update, in a fixed order.</summary>
    private static List<string> Rows(JsonElement full)
    {
        var rows = new List<string>();
        foreach (var p in full.GetProperty("processStats").EnumerateObject())
            foreach (var f in p.Value.EnumerateObject())
                rows.Add($"{p.Name}|{f.Name}|{f.Value.GetProperty("reads").GetInt64()}|{f.Value.GetProperty("writes").GetInt64()}|{f.Value.GetProperty("lastUpdated").GetDateTimeOffset():O}");
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static Task<JsonElement> Replayed(DaemonProcess daemon) =>
        daemon.WaitFor("/api/status", s => s.GetProperty("source").GetProperty("state").GetString() == "stopped", Within);

    [Fact]
    public async Task After_sigterm_a_restart_gives_identical_figures()
    {
        var trace = TraceFiles.Generate(_dir, events: 100_000, procs: 80, paths: 4_000, hostile: true);
        JsonElement before, status;
        // A long flush interval: only the flush at shutdown writes.
        await using (var first = DaemonProcess.Start("--source", "replay", "--replay", trace, "--db", Db, "--flush-interval", "3600"))
        {
            status = await Replayed(first);
            before = await first.WaitFor("/api/stats-full", _ => true, Within);
            Assert.Equal(0, await first.Terminate(Within));
        }
        await using var second = DaemonProcess.Start("-n", "--db", Db);
        var after = await second.WaitFor("/api/stats-full", _ => true, Within);
        Assert.Equal(before.GetProperty("events").GetInt64(), after.GetProperty("events").GetInt64());
        Assert.Equal(Rows(before), Rows(after));
        var statusAfter = await second.WaitFor("/api/status", _ => true, Within);
        Assert.Equal(status.GetProperty("totals").GetProperty("malformedLines").GetInt64(),
            statusAfter.GetProperty("totals").GetProperty("malformedLines").GetInt64());
        Assert.Contains("Resuming", second.Output);
        Assert.Equal(0, await second.Terminate(Within));
    }

    [Fact]
    public async Task After_kill_9_a_restart_has_at_least_the_last_flush()
    {
        var trace = TraceFiles.Generate(_dir, events: 50_000, procs: 40, paths: 2_000, seed: 5);
        var expected = TraceFiles.Sum(trace);
        await using (var first = DaemonProcess.Start("--source", "replay", "--replay", trace, "--db", Db, "--flush-interval", "0.2"))
        {
            await Replayed(first);
            // Wait until a flush after the replay has reached the file, then kill without any shutdown.
            await Poll.Until(() => ReadEventsFromFile() == expected.Events, Within, "the figures in the database",
                () => $"{ReadEventsFromFile()} events written");
            await first.Kill(Within);
        }
        await using var second = DaemonProcess.Start("-n", "--db", Db);
        var stats = await second.WaitFor("/api/stats", _ => true, Within);
        Assert.Equal(expected.Events, stats.GetProperty("events").GetInt64());
        foreach (var (name, (reads, writes)) in expected.Processes)
        {
            var p = stats.GetProperty("processStats").GetProperty(name);
            Assert.Equal((reads, writes), (p.GetProperty("reads").GetInt64(), p.GetProperty("writes").GetInt64()));
        }
    }

    private long ReadEventsFromFile()
    {
        if (!File.Exists(Db))
            return -1;
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = 'events'";
        return cmd.ExecuteScalar() is long events ? events : -1;
    }

    [Fact]
    public async Task A_corrupt_database_stops_the_start_with_one_clear_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Db)!);
        await File.WriteAllTextAsync(Db, new string('#', 8192));
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-n", "--db", Db);
        Assert.Equal(IoSnoop.Host.ExitCodes.Database, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(Db));
        Assert.Contains("Cannot use the database", line);
        Assert.Contains("not a database", line);
    }

    [Fact]
    public async Task A_read_only_database_stops_the_start_with_one_clear_line()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Db)!);
        await using (var first = DaemonProcess.Start("-n", "--db", Db))
        {
            await first.WaitFor("/api/stats", _ => true, Within);
            Assert.Equal(0, await first.Terminate(Within));
        }
        // Root may write a file without write permission: make it immutable instead.
        using (var chattr = Process.Start("chattr", ["+i", Db]))
        {
            await chattr.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.SkipWhen(chattr.ExitCode != 0, "chattr +i is not available here");
        }
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-n", "--db", Db);
        Assert.Equal(IoSnoop.Host.ExitCodes.Database, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains(Db));
        Assert.Contains("Cannot use the database", line);
        Assert.Contains($"{Db} cannot be written: the file is immutable", line);
    }

    [Fact]
    public async Task A_stats_file_seeds_an_empty_database_and_is_not_loaded_again()
    {
        var stats = Path.Combine(_dir, "stats.json");
        await File.WriteAllTextAsync(stats, """
            {"processStats":{"mds":{"/a":{"writes":10,"reads":20,"lastUpdated":"2024-05-01T10:00:00Z"}}},"events":3}
            """);
        await using (var first = DaemonProcess.Start("-n", "-f", stats, "--db", Db))
        {
            var loaded = await first.WaitFor("/api/stats", s => s.GetProperty("events").GetInt64() == 3, Within);
            Assert.Equal(20, loaded.GetProperty("processStats").GetProperty("mds").GetProperty("reads").GetInt64());
            Assert.Equal(0, await first.Terminate(Within));
        }
        // Started again with the same -f (as a launchd plist would): the database wins, nothing is counted twice.
        await using var second = DaemonProcess.Start("-n", "-f", stats, "--db", Db);
        var again = await second.WaitFor("/api/stats", _ => true, Within);
        Assert.Equal(3, again.GetProperty("events").GetInt64());
        Assert.Equal(20, again.GetProperty("processStats").GetProperty("mds").GetProperty("reads").GetInt64());
        Assert.Contains("already holds figures", second.Output);
    }
}
