namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Lets at most <c>perSecond</c> log lines through each second and counts the rest, so that a source of
/// log lines we do not control (a tracer's stderr) cannot flood the log or the logger's mailbox.
/// Thread-safe.
/// </summary>
public sealed class LogBudget(int perSecond, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private long _windowStart = long.MinValue;
    private int _inWindow;
    private long _suppressed;

    /// <summary>True when this line may be logged; <paramref name="suppressed"/> says how many were not since the last one.</summary>
    public bool TryTake(out long suppressed)
    {
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            if (_windowStart == long.MinValue || _clock.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _windowStart = now;
                _inWindow = 0;
            }
            if (_inWindow >= perSecond)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _inWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
