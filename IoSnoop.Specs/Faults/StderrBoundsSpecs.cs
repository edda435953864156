using System.Text;
using Akka.Event;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Faults;

/// <summary>Reading a tracer's stderr without trusting it: bounded lines, bounded logging.</summary>
public sealed class StderrBoundsSpecs
{
    private static async Task<List<string>> Lines(string text, int max = 10)
    {
        var lines = new List<string>();
        await foreach (var line in StderrLines.Read(new StringReader(text), max))
            lines.Add(line);
        return lines;
    }

    [Fact]
    public async Task Lines_are_split_at_newlines_without_carriage_returns()
    {
        Assert.Equal(["one", "two", "", "three"], await Lines("one\r\ntwo\n\nthree"));
        Assert.Empty(await Lines(""));
    }

    [Fact]
    public async Task A_long_line_is_cut_and_the_next_line_is_whole()
    {
        Assert.Equal(["0123456789" + StderrLines.CutMarker, "next"], await Lines("0123456789abcdef\nnext\n"));
    }

    [Fact]
    public async Task A_huge_line_without_newline_is_read_in_bounded_memory()
    {
        // 64 Mi characters in pieces, never held at once: the reader keeps only the first few.
        var reader = new RepeatingReader('e', 64 * 1024 * 1024, "\nafter\n");
        var lines = new List<string>();
        var before = GC.GetAllocatedBytesForCurrentThread();
        await foreach (var line in StderrLines.Read(reader, 100))
            lines.Add(line);
        Assert.Equal([new string('e', 100) + StderrLines.CutMarker, "after"], lines);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 * 1024 * 1024);
    }

    [Fact]
    public void The_log_budget_lets_a_few_lines_a_second_through_and_counts_the_rest()
    {
        var clock = new ManualClock();
        var budget = new LogBudget(3, clock);
        var taken = Enumerable.Range(0, 100).Count(_ => budget.TryTake(out long _));
        Assert.Equal(3, taken);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(budget.TryTake(out var suppressed));
        Assert.Equal(97, suppressed);
        Assert.True(budget.TryTake(out suppressed));
        Assert.Equal(0, suppressed);
    }

    [Fact]
    public void Malformed_lines_are_logged_a_few_a_second_and_the_rest_counted_with_the_next()
    {
        var clock = new ManualClock();
        var log = new CapturingLog();
        var malformed = new MalformedLineLog(log, perSecond: 2, clock);
        for (var i = 0; i < 10; i++)
            malformed.Report("garbage"u8, "too few fields");
        Assert.Equal(2, log.Lines.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        malformed.Report(Encoding.UTF8.GetBytes(new string('x', 2000)), "too few fields");
        Assert.Equal(3, log.Lines.Count);
        Assert.Contains("(8 more not logged)", log.Lines[2]);
        // At most 512 bytes of a line are shown.
        Assert.Contains(new string('x', 512), log.Lines[2]);
        Assert.DoesNotContain(new string('x', 513), log.Lines[2]);
    }

    /// <summary>A log at debug level that keeps what it was given, formatted.</summary>
    private sealed class CapturingLog() : LoggingAdapterBase(SemanticLogMessageFormatter.Instance)
    {
        public List<string> Lines { get; } = [];

        public override bool IsDebugEnabled => true;
        public override bool IsInfoEnabled => true;
        public override bool IsWarningEnabled => true;
        public override bool IsErrorEnabled => true;

        protected override void NotifyLog(LogLevel logLevel, object message, Exception? cause) => Lines.Add(message.ToString()!);
    }

    /// <summary>A reader of <c>count</c> copies of one character followed by a tail, generated on the fly.</summary>
    private sealed class RepeatingReader(char c, long count, string tail) : TextReader
    {
        private long _left = count;
        private readonly StringReader _tail = new(tail);

        public override int Read(char[] buffer, int index, int length)
        {
            if (_left == 0)
                return _tail.Read(buffer, index, length);
            var n = (int)Math.Min(length, _left);
            buffer.AsSpan(index, n).Fill(c);
            _left -= n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            if (_left == 0)
                return ValueTask.FromResult(_tail.Read(buffer.Span));
            var n = (int)Math.Min(buffer.Length, _left);
            buffer.Span[..n].Fill(c);
            _left -= n;
            return ValueTask.FromResult(n);
        }
    }
}
