using System.Text;
using Akka.Event;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Logs lines that did not parse at debug level, at most <c>perSecond</c> a second (a <see cref="LogBudget"/>),
/// so a tracer that prints garbage cannot flood the log. How many were not logged is said with the next
/// logged line.
/// </summary>
public sealed class MalformedLineLog(ILoggingAdapter log, int perSecond = 5, TimeProvider? clock = null)
{
    private readonly LogBudget _budget = new(perSecond, clock);

    public void Report(ReadOnlySpan<byte> line, string reason)
    {
        if (!log.IsDebugEnabled || !_budget.TryTake(out var suppressed))
            return;
        var shown = Encoding.UTF8.GetString(line[..Math.Min(line.Length, 512)]);
        if (suppressed > 0)
            log.Debug("Malformed trace line ({Reason}): {Line} ({Suppressed} more not logged)", reason, shown, suppressed);
        else
            log.Debug("Malformed trace line ({Reason}): {Line}", reason, shown);
    }
}
