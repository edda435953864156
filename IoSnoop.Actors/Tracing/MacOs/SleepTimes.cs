using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>
/// The kernel's absolute times of the last sleep and the last wake (<c>kern.sleep_abs_time</c>,
/// <c>kern.wake_abs_time</c>). Both are 0 on a Mac that has not slept since it booted.
/// </summary>
public readonly partial record struct SleepTimes(ulong SleepAbsTime, ulong WakeAbsTime)
{
    /// <summary>Reads both sysctls; null when either cannot be read.</summary>
    [SupportedOSPlatform("macos")]
    public static SleepTimes? ReadCurrent()
    {
        if (TryReadUInt64("kern.sleep_abs_time", out var sleep) && TryReadUInt64("kern.wake_abs_time", out var wake))
            return new SleepTimes(sleep, wake);
        return null;
    }

    [SupportedOSPlatform("macos")]
    private static bool TryReadUInt64(string name, out ulong value)
    {
        value = 0;
        nuint size = sizeof(ulong);
        if (SysctlByName(name, ref value, ref size, 0, 0) != 0)
            return false;
        // A 32-bit sysctl fills only the low half, which on little-endian Apple CPUs is already right.
        return size is 4 or 8;
    }

    [LibraryImport("libc", EntryPoint = "sysctlbyname", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SysctlByName(string name, ref ulong oldValue, ref nuint oldSize, nint newValue, nuint newSize);
}
