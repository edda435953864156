using System.Text;
using Akka.Event;

namespace IoSnoop.Actors.Pipeline;

/// <summary>
/// Logs lines that did not parse at debug level, at most <c>perSecond</c> a second, so a tracer that
/// prints garbage cannot flood the log. How many were not logged is said with the next logged line.
/// </summary>
public sealed class MalformedLineLog(ILoggingAdapter log, int perSecond = 5, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private long _windowStart = long.MinValue;
    private int _inWindow;
    private long _suppressed;

    public void Report(ReadOnlySpan<byte> line, string reason)
    {
        if (!log.IsDebugEnabled)
            return;
        var now = _clock.GetTimestamp();
        if (_windowStart == long.MinValue || _clock.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
        {
            _windowStart = now;
            _inWindow = 0;
        }
        if (_inWindow >= perSecond)
        {
            _suppressed++;
            return;
        }
        _inWindow++;
        var shown = Encoding.UTF8.GetString(line[..Math.Min(line.Length, 512)]);
        if (_suppressed > 0)
        {
            log.Debug("Malformed trace line ({Reason}): {Line} ({Suppressed} more not logged)", reason, shown, _suppressed);
            _suppressed = 0;
        }
        else
        {
            log.Debug("Malformed trace line ({Reason}): {Line}", reason, shown);
        }
    }
}
