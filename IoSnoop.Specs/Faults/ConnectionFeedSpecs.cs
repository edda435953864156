using IoSnoop.Specs.Support;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Hubs;

namespace IoSnoop.Specs.Faults;

/// <summary>One dashboard connection's pushes, with a send the spec completes by hand.</summary>
public sealed class ConnectionFeedSpecs
{
    private static readonly SourceStatus Running = new("fake", "stand-in events", "running", null, 0);

    /// <param name="inline">Completing a send runs what the feed does next before it returns (no continuation
    /// left for later), so that a spec can see at once that nothing more was sent.</param>
    private sealed class ManualSend(bool inline = false)
    {
        public List<(StatsChanges Changes, TaskCompletionSource Done)> Sends { get; } = [];

        public Task Send(string connectionId, SerializedChanges push)
        {
            var done = new TaskCompletionSource(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Sends)
                Sends.Add((push.Changes, done));
            return done.Task;
        }

        public int Count
        {
            get
            {
                lock (Sends)
                    return Sends.Count;
            }
        }

        public (StatsChanges Changes, TaskCompletionSource Done) this[int i]
        {
            get
            {
                lock (Sends)
                    return Sends[i];
            }
        }
    }

    private static SerializedChanges Push(int n) => new(Changes(n));

    private static StatsChanges Changes(int n) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(n), 1, false, new Totals(n, 0, 0, 0, n), Running,
            [new ChangedProcess("cc", 0, n, DateTimeOffset.UnixEpoch.AddSeconds(n), n, 1, 0, 1)], []);

    private static Task Eventually(Func<bool> condition) => Poll.Until(condition, TimeSpan.FromSeconds(30), "the feed");

    [Fact]
    public void A_ready_connection_gets_every_push_as_it_is()
    {
        var sent = new List<StatsChanges>();
        var feed = new ConnectionFeed("c1", (_, c) =>
        {
            sent.Add(c.Changes);
            return Task.CompletedTask;
        });
        for (var i = 1; i <= 3; i++)
            feed.Offer(Push(i));
        Assert.Equal([1L, 2L, 3L], sent.Select(c => c.Totals.Events));
        Assert.Equal(0, feed.Coalesced);
    }

    [Fact]
    public async Task Pushes_during_a_send_are_merged_into_one_sent_when_the_connection_is_ready()
    {
        var manual = new ManualSend();
        var feed = new ConnectionFeed("c1", manual.Send);
        feed.Offer(Push(1));
        for (var i = 2; i <= 50; i++)
            feed.Offer(Push(i));
        Assert.Equal(1, manual.Count);
        Assert.True(feed.HasPending);
        Assert.Equal(49, feed.Coalesced);

        manual[0].Done.SetResult();
        await Eventually(() => manual.Count == 2);
        var merged = manual[1].Changes;
        Assert.Equal(50, merged.Totals.Events);
        Assert.Equal(49, merged.IntervalSeconds);
        Assert.Equal(49, merged.Processes.Single().WriteDelta);
        Assert.Equal(50, merged.Processes.Single().Writes);
        Assert.False(feed.HasPending);

        manual[1].Done.SetResult();
        feed.Offer(Push(51));
        await Eventually(() => manual.Count == 3);
        Assert.Equal(51, manual[2].Changes.Totals.Events);
    }

    [Fact]
    public void A_connection_that_never_takes_a_push_holds_one_send_and_one_merged_push()
    {
        var manual = new ManualSend();
        var feed = new ConnectionFeed("stuck", manual.Send);
        for (var i = 1; i <= 10_000; i++)
            feed.Offer(Push(i));
        Assert.Equal(1, manual.Count);
        Assert.Equal(9_999, feed.Coalesced);
        Assert.True(feed.HasPending);
    }

    [Fact]
    public async Task A_failed_send_does_not_stop_later_pushes()
    {
        var failures = 0;
        var sent = new List<StatsChanges>();
        var feed = new ConnectionFeed("c1", (_, c) =>
        {
            if (c.Changes.Totals.Events == 1)
                return Task.FromException(new IOException("connection reset"));
            sent.Add(c.Changes);
            return Task.CompletedTask;
        }, _ => Interlocked.Increment(ref failures));
        feed.Offer(Push(1));
        feed.Offer(Push(2));
        await Eventually(() => sent.Count == 1);
        Assert.Equal(1, failures);
        Assert.Equal(2, sent.Single().Totals.Events);
    }

    [Fact]
    public void A_closed_connection_gets_nothing_more()
    {
        var manual = new ManualSend(inline: true);
        var feed = new ConnectionFeed("c1", manual.Send);
        feed.Offer(Push(1));
        feed.Offer(Push(2));
        feed.Close();
        Assert.False(feed.HasPending);
        // The send in flight ends: the feed's loop goes on (and ends) within this call.
        manual[0].Done.SetResult();
        feed.Offer(Push(3));
        Assert.Equal(1, manual.Count);
    }
}

public sealed class SerializedChangesSpecs
{
    [Fact]
    public void A_push_is_written_as_the_hub_would_serialize_it()
    {
        var changes = new StatsChanges(DateTimeOffset.UnixEpoch, 1.5, false, new Totals(3, 1, 0, 10, 20),
            new SourceStatus("fake", "stand-in events", "running", null, 2),
            [new ChangedProcess("cc \"x\"", 10, 20, DateTimeOffset.UnixEpoch, 3, 2, 10, 20)], ["gone"]);
        var options = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase };
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(changes, options),
            System.Text.Json.JsonSerializer.Serialize(new SerializedChanges(changes), options));
    }
}
