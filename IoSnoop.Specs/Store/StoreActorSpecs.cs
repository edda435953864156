using Akka.Actor;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Specs.Support;
using Microsoft.Data.Sqlite;

namespace IoSnoop.Specs.Store;

/// <summary>The processes actor and the store actor on a real database file.</summary>
public sealed class StoreActorSpecs : ProcessesActorSpec
{
    protected override TimeSpan Wait => TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-storeactor-").FullName;
    private string DbPath => Path.Combine(_dir, "iosnoopng.db");

    protected override void AfterAll()
    {
        base.AfterAll();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private (IActorRef Stats, IActorRef Store) Start(TimeSpan flushInterval, MergePolicy? merge = null)
    {
        var store = FiguresDatabase.Open(DbPath, Defaults.History);
        var stats = Sys.ActorOf(ProcessesActor.Props(new ProcessesSettings(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3))
        {
            TrackChanges = true,
            Merge = merge,
        }, Paths));
        var storeActor = Sys.ActorOf(StoreActor.Props(store, stats, new StoreSettings(flushInterval)));
        return (stats, storeActor);
    }

    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);

    /// <summary>Lets flush intervals pass until <paramref name="assertion"/> holds (a flush under way when the
    /// interval ends skips that tick, as in the daemon).</summary>
    private void FlushedUntil(Action assertion) => AwaitAssert(() =>
    {
        Pass(FlushInterval);
        assertion();
    }, Wait);

    /// <summary>What another process would find in the database now.</summary>
    private SavedState Saved()
    {
        using var store = FiguresDatabase.Open(DbPath, Defaults.History);
        return store.Load();
    }

    private static long Reads(SavedState saved, string process) =>
        saved.Dump.Processes.TryGetValue(process, out var files) ? files.Sum(f => f.Reads) : 0;

    [Fact]
    public void Changes_reach_the_database_every_flush_interval()
    {
        var (stats, _) = Start(FlushInterval);
        Ingest(stats, "a|1|100|/x", "b|0|7|/y", "junk");
        // Not before the interval ends.
        Assert.True(Saved().IsEmpty);
        FlushedUntil(() => Assert.Equal(100, Reads(Saved(), "a")));
        var saved = Saved();
        Assert.Equal(new StoredCounters(2, 1, 0), saved.Counters);
        Ingest(stats, "a|1|5|/x");
        FlushedUntil(() => Assert.Equal(105, Reads(Saved(), "a")));
        stats.Tell(new ProcessesProtocol.DeleteProcess("b"), TestActor);
        ExpectMsg<ProcessesProtocol.ProcessDeleted>(Wait);
        FlushedUntil(() => Assert.Equal(["a"], Saved().Dump.Processes.Keys));
        stats.Tell(ProcessesProtocol.ResetAll.Instance, TestActor);
        ExpectMsg<ProcessesProtocol.ResetDone>(Wait);
        FlushedUntil(() => Assert.True(Saved().IsEmpty));
    }

    [Fact]
    public void A_flush_answers_once_everything_before_it_is_written()
    {
        var (stats, store) = Start(TimeSpan.FromHours(1));
        Ingest(stats, "a|1|100|/x");
        store.Tell(StoreProtocol.Flush.Instance, TestActor);
        Assert.True(ExpectMsg<StoreProtocol.Flushed>(Wait).Ok);
        Assert.Equal(100, Reads(Saved(), "a"));
        // History is written with the files.
        store.Tell(new StoreProtocol.GetSeries(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1), "a"), TestActor);
        Assert.Equal(100, ExpectMsg<HistorySeries>(Wait).Points.Sum(p => p.Reads));
        store.Tell(new StoreProtocol.GetTop(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1), 5, TopOrder.Total), TestActor);
        Assert.Equal("a", Assert.Single(ExpectMsg<IReadOnlyList<TopProcess>>(Wait)).Name);
    }

    [Fact]
    public void Merged_files_replace_their_rows_in_the_database()
    {
        var (stats, store) = Start(TimeSpan.FromHours(1), new MergePolicy(0, TimeSpan.FromHours(1), 5, false));
        Ingest(stats, Enumerable.Range(0, 20).Select(i => $"a|1|{i + 1}|/f{i}").ToArray());
        AwaitAssert(() =>
        {
            stats.Tell(ProcessesProtocol.GetOverview.Instance, TestActor);
            Assert.True(ExpectMsg<Overview>(Wait).Processes.Single().Files <= 5);
        }, Wait);
        store.Tell(StoreProtocol.Flush.Instance, TestActor);
        ExpectMsg<StoreProtocol.Flushed>(Wait);
        var files = Saved().Dump.Processes["a"];
        Assert.True(files.Count <= 5);
        Assert.Contains(files, f => f.Merged);
        Assert.Equal(210, files.Sum(f => f.Reads));
    }

    [Fact]
    public void A_failed_write_is_logged_and_retried_and_nothing_is_lost()
    {
        var (stats, store) = Start(FlushInterval);
        Ingest(stats, "a|1|100|/x");
        store.Tell(StoreProtocol.Flush.Instance, TestActor);
        Assert.True(ExpectMsg<StoreProtocol.Flushed>(Wait).Ok);

        // Another connection holds the database's write lock: writes fail (busy) until it lets go.
        var blocker = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        blocker.Open();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }
        EventFilter.Error(contains: "Cannot write to the database").ExpectOne(Wait, () =>
        {
            Ingest(stats, "a|1|5|/x", "b|0|7|/y");
            // The flush that answered is over: the next interval's tick starts one.
            Pass(FlushInterval);
        });
        blocker.Dispose();

        FlushedUntil(() =>
        {
            var saved = Saved();
            Assert.Equal(105, Reads(saved, "a"));
            Assert.Equal(7, saved.Dump.Processes["b"].Sum(f => f.Writes));
        });
        // The history of the failed write was kept and written with the retry.
        store.Tell(new StoreProtocol.GetSeries(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1), null), TestActor);
        var series = ExpectMsg<HistorySeries>(Wait);
        Assert.Equal((105L, 7L), (series.Points.Sum(p => p.Reads), series.Points.Sum(p => p.Writes)));
    }

    [Fact]
    public void Without_a_database_history_is_unavailable()
    {
        var stats = Sys.ActorOf(ProcessesActor.Props(Defaults.Stats, Paths));
        var store = Sys.ActorOf(StoreActor.Props(null, stats, Defaults.Store));
        store.Tell(new StoreProtocol.GetSeries(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, null), TestActor);
        Assert.IsType<HistoryUnavailableException>(ExpectMsg<Status.Failure>(Wait).Cause);
        store.Tell(StoreProtocol.Flush.Instance, TestActor);
        Assert.True(ExpectMsg<StoreProtocol.Flushed>(Wait).Ok);
    }
}
