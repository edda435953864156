using Akka.Actor;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;

namespace IoSnoop.Specs.Processes;

/// <summary>The plain classes the processes actor is a thin shell over, each on its own.</summary>
public sealed class ProcessesPartsSpecs : Akka.TestKit.Xunit.TestKit
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static ProcessSummary Summary(string name, long reads, long writes, int files) => new(name, reads, writes, T0, 1, files);

    [Fact]
    public void The_directory_sums_what_each_process_actor_last_reported()
    {
        var directory = new ProcessDirectory();
        var a = CreateTestProbe().Ref;
        var b = CreateTestProbe().Ref;
        directory.Add("a", a);
        directory.Add("b", b);

        Assert.Equal(0, directory.Update(a, Summary("a", 10, 1, 2))!.Reads);
        directory.Update(b, Summary("b", 5, 5, 1));
        // A later report replaces the earlier one; it is not added to it.
        Assert.Equal(10, directory.Update(a, Summary("a", 30, 2, 4))!.Reads);
        Assert.Equal((35L, 7L, 5L), (directory.Reads, directory.Writes, directory.Files));

        // An actor no longer in the directory (deleted, answer still on its way) changes nothing.
        Assert.True(directory.Remove("b", out var removed));
        Assert.Equal(b, removed);
        Assert.Null(directory.Update(b, Summary("b", 99, 99, 9)));
        Assert.Equal((30L, 2L, 4L), (directory.Reads, directory.Writes, directory.Files));
        Assert.False(directory.Remove("b", out _));
        Assert.True(directory.TryGetName(a, out var name));
        Assert.Equal("a", name);

        directory.Clear();
        Assert.Equal((0, 0L, 0L, 0L), (directory.Count, directory.Reads, directory.Writes, directory.Files));
        Assert.False(directory.TryGet("a", out _));
    }

    [Fact]
    public void A_batch_is_acknowledged_to_its_sender_at_the_last_answer_only()
    {
        var pending = new PendingBatches();
        var stream = CreateTestProbe().Ref;
        var first = pending.Start(stream, 3);
        var second = pending.Start(stream, 1);
        Assert.NotEqual(first, second);
        Assert.Null(pending.Answered(first));
        Assert.Null(pending.Answered(first));
        Assert.Equal(stream, pending.Answered(second));
        Assert.Equal(stream, pending.Answered(first));
        // Answers after the acknowledgement (or for a batch given up on) are ignored.
        Assert.Null(pending.Answered(first));
        Assert.Equal(0, pending.Count);

        var third = pending.Start(stream, 2);
        Assert.Equal([stream], pending.TakeAll());
        Assert.Null(pending.Answered(third));
    }

    [Fact]
    public void The_cap_plan_is_empty_under_the_cap_and_brings_the_files_down_to_the_low_water_mark_over_it()
    {
        var policy = new MergePolicy(1024, TimeSpan.FromMinutes(1), MaxFiles: 1000, DedupLaunchd: false);
        var under = new[] { Summary("a", 0, 0, 600), Summary("b", 0, 0, 400) };
        Assert.Empty(CapPlan.Plan(under, 1000, policy));

        var over = new[] { Summary("a", 0, 0, 900), Summary("b", 0, 0, 298), Summary("tiny", 0, 0, 2) };
        var plan = CapPlan.Plan(over, 1200, policy);
        // Processes with fewer than three files have nothing worth merging.
        Assert.Equal(["a", "b"], plan.Select(p => p.Process));
        // Each merges in proportion to its files, enough together to reach 80 % of the cap.
        var byName = plan.ToDictionary(p => p.Process, p => p.Count);
        Assert.True(byName["a"] > 2 * byName["b"]);
        Assert.True(1200 - plan.Sum(p => p.Count) + plan.Count <= 800, string.Join(", ", plan));
        Assert.All(plan, p => Assert.True(p.Count <= over.Single(o => o.Name == p.Process).Files));
    }

    [Fact]
    public void The_change_tracker_sums_what_each_process_moved_until_the_push_takes_it()
    {
        var changes = new ChangeTracker(keepDeletions: true);
        Assert.False(changes.HasPush);
        changes.Changed("a", new IoBytes(10, 0, 4096, 0));
        changes.Changed("a", new IoBytes(5, 3, 0, 8192));
        changes.Changed("b", new IoBytes(-4, 0, -4096, 0));   // a merge or a removal moves nothing
        changes.Changed("d", new IoBytes(0, 0, 0, 512));      // disk bytes only (page-cache adds, mmap dirtying)
        changes.Removed("c");
        var (moved, removed, reset) = changes.TakePush();
        Assert.Equal(new IoBytes(15, 3, 4096, 8192), moved["a"]);
        Assert.Equal(new IoBytes(0, 0, 0, 0), moved["b"]);
        Assert.Equal(new IoBytes(0, 0, 0, 512), moved["d"]);
        Assert.Equal(["c"], removed);
        Assert.False(reset);
        Assert.False(changes.HasPush);

        changes.CountersChanged();
        Assert.True(changes.HasPush);
        changes.Changed("a", new IoBytes(1, 1, 1, 1));
        changes.Reset();
        var afterReset = changes.TakePush();
        Assert.True(afterReset.Reset);
        Assert.Empty(afterReset.Changed);
    }

    [Fact]
    public void The_change_tracker_keeps_deletions_for_the_database_only_when_one_is_kept()
    {
        var kept = new ChangeTracker(keepDeletions: true);
        kept.Removed("a");
        kept.Changed("a", new IoBytes(1, 0, 0, 0));    // seen again: the database forgets the old figures, then writes the new
        kept.Removed("b");
        kept.TakePush();
        var taken = kept.TakeDeletions();
        Assert.Equal(["a", "b"], taken.Deleted.Order());
        Assert.False(taken.Reset);
        Assert.Empty(kept.TakeDeletions().Deleted);
        kept.Removed("c");
        kept.Reset();
        var (deleted, reset) = kept.TakeDeletions();
        Assert.Empty(deleted);       // a reset forgets everything anyway
        Assert.True(reset);

        var none = new ChangeTracker(keepDeletions: false);
        none.Removed("a");
        none.Reset();
        var nothing = none.TakeDeletions();
        Assert.Empty(nothing.Deleted);
        Assert.False(nothing.Reset);
    }

    [Fact]
    public void History_is_summed_per_process_and_bucket_of_the_finest_resolution()
    {
        var history = new HistoryRecorder(TimeSpan.FromSeconds(10));
        history.Add("a", T0.AddSeconds(1), 100, 0);
        history.Add("a", T0.AddSeconds(9.9), 50, 5);
        history.Add("a", T0.AddSeconds(10), 7, 0);
        history.Add("b", T0.AddSeconds(2), 1, 1);
        history.Add("b", T0.AddSeconds(3), 0, 0);    // nothing moved: no sample
        history.Add("c", T0.AddSeconds(4), 0, 0, 4096, 0);    // only the disk: a sample
        history.Add("c", T0.AddSeconds(5), 10, 0, 0, 8192);
        history.Add("gone", T0, 9, 9);
        history.Forget("gone");

        var samples = history.Take().OrderBy(s => s.Process).ThenBy(s => s.Bucket).ToList();
        Assert.Equal(
            [new HistorySample(T0, "a", 150, 5), new HistorySample(T0.AddSeconds(10), "a", 7, 0), new HistorySample(T0, "b", 1, 1),
             new HistorySample(T0, "c", 10, 0, 4096, 8192)],
            samples);
        Assert.Empty(history.Take());
    }

    private sealed record Question;

    [Fact]
    public void The_collector_replies_once_every_actor_answered_or_stopped()
    {
        var answering = CreateTestProbe();
        var stopping = CreateTestProbe();
        var replyTo = CreateTestProbe();
        Sys.ActorOf(Collector<string>.Props([answering.Ref, stopping.Ref], new Question(), a => string.Join(",", a.Order()),
            replyTo.Ref, TimeSpan.FromSeconds(30)));
        answering.ExpectMsg<Question>();
        stopping.ExpectMsg<Question>();
        answering.Reply("one");
        replyTo.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Sys.Stop(stopping.Ref);
        Assert.Equal("one", replyTo.ExpectMsg<string>());
    }

    [Fact]
    public void The_collector_replies_with_what_came_when_an_actor_does_not_answer_in_time()
    {
        var answering = CreateTestProbe();
        var silent = CreateTestProbe();
        var replyTo = CreateTestProbe();
        Sys.ActorOf(Collector<string>.Props([answering.Ref, silent.Ref], new Question(), a => a.Count,
            replyTo.Ref, TimeSpan.FromMilliseconds(300)));
        answering.ExpectMsg<Question>();
        answering.Reply("one");
        Assert.Equal(1, replyTo.ExpectMsg<int>(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void The_collector_with_no_one_to_ask_replies_at_once()
    {
        var replyTo = CreateTestProbe();
        Sys.ActorOf(Collector<string>.Props([], new Question(), a => a.Count, replyTo.Ref, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, replyTo.ExpectMsg<int>());
    }
}
