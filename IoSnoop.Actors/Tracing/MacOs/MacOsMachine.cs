namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>
/// What the macOS sources ask of the machine before they start a tracer. <see cref="Current"/> reads
/// the real machine; tests pass their own.
/// </summary>
/// <param name="IsMacOs">Whether this is macOS (fs_usage and the io provider exist nowhere else).</param>
/// <param name="IsRoot">Whether this process runs as root (both tracers need it).</param>
/// <param name="SearchPath">The PATH the tracer is looked up on.</param>
/// <param name="ReadSleepTimes">Reads <c>kern.sleep_abs_time</c> and <c>kern.wake_abs_time</c>; null when they cannot be read.</param>
public sealed record MacOsMachine(bool IsMacOs, bool IsRoot, string? SearchPath, Func<SleepTimes?> ReadSleepTimes)
{
    public static MacOsMachine Current => new(
        OperatingSystem.IsMacOS(),
        Environment.IsPrivilegedProcess,
        Environment.GetEnvironmentVariable("PATH"),
        () => OperatingSystem.IsMacOS() ? SleepTimes.ReadCurrent() : null);
}
