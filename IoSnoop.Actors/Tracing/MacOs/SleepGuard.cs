namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>What the sleep guard decided about starting DTrace.</summary>
public enum SleepGuardVerdict
{
    /// <summary>The Mac has not slept since boot: DTrace may start.</summary>
    NeverSlept,
    /// <summary>The Mac has slept (or it cannot tell), but the user forced DTrace: start, and warn.</summary>
    Forced,
    /// <summary>The Mac has slept (or it cannot tell): do not start DTrace.</summary>
    Refused,
}

/// <param name="Verdict">The decision.</param>
/// <param name="Message">For <see cref="SleepGuardVerdict.Refused"/> the problem shown to the user, for
/// <see cref="SleepGuardVerdict.Forced"/> a warning to log; null when the Mac has not slept.</param>
public readonly record struct SleepGuardDecision(SleepGuardVerdict Verdict, string? Message)
{
    public bool MayStart => Verdict != SleepGuardVerdict.Refused;
}

/// <summary>
/// DTrace can freeze a Mac that has slept since boot, both when it starts and when it quits. Before the
/// DTrace source starts, the guard refuses unless the Mac has not slept or the user forces it.
/// </summary>
public static class SleepGuard
{
    /// <summary>The command-line flag that starts DTrace even after sleep.</summary>
    public const string ForceFlag = "--force-dtrace-after-sleep";

    public const string SleptMessage =
        "This Mac has slept since it booted, and DTrace can freeze a Mac that has slept (when it starts " +
        "and when it quits), so the dtrace source does not start. Use the default source (--source fs_usage), " +
        "which has no such problem, or restart the Mac before using DTrace; " + ForceFlag + " starts it anyway.";

    public const string UnknownMessage =
        "Cannot tell whether this Mac has slept since it booted (kern.sleep_abs_time and kern.wake_abs_time " +
        "are unreadable), and DTrace can freeze a Mac that has slept, so the dtrace source does not start. " +
        "Use the default source (--source fs_usage); " + ForceFlag + " starts DTrace anyway.";

    public const string ForcedMessage =
        "This Mac has slept since it booted; starting DTrace anyway because of " + ForceFlag +
        ". If the Mac freezes, restart it and use the default source (--source fs_usage).";

    public const string ForcedUnknownMessage =
        "Cannot tell whether this Mac has slept since it booted; starting DTrace anyway because of " + ForceFlag + ".";

    /// <summary>Either time non-zero means the Mac has slept since boot.</summary>
    public static SleepGuardDecision Decide(ulong sleepAbsTime, ulong wakeAbsTime, bool force)
    {
        if (sleepAbsTime == 0 && wakeAbsTime == 0)
            return new SleepGuardDecision(SleepGuardVerdict.NeverSlept, null);
        return force
            ? new SleepGuardDecision(SleepGuardVerdict.Forced, ForcedMessage)
            : new SleepGuardDecision(SleepGuardVerdict.Refused, SleptMessage);
    }

    /// <summary>As <see cref="Decide(ulong, ulong, bool)"/>; unreadable times count as "may have slept".</summary>
    public static SleepGuardDecision Decide(SleepTimes? times, bool force)
    {
        if (times is { } known)
            return Decide(known.SleepAbsTime, known.WakeAbsTime, force);
        return force
            ? new SleepGuardDecision(SleepGuardVerdict.Forced, ForcedUnknownMessage)
            : new SleepGuardDecision(SleepGuardVerdict.Refused, UnknownMessage);
    }
}
