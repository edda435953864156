using IoSnoop.Actors.Tracing;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Tracing.MacOs;
using IoSnoop.Actors.Parsing.MacOs;

namespace IoSnoop.Host;

/// <summary>Which trace source a name stands for on this machine.</summary>
public static class SourceCatalog
{
    /// <summary>The source <c>auto</c> picks here: fs_usage on macOS, bpftrace on Linux.</summary>
    public static string AutoName() =>
        OperatingSystem.IsMacOS() ? FsUsageSource.SourceName : OperatingSystem.IsLinux() ? BpftraceSource.SourceName : "none";

    /// <summary>The live source for a name, or null with a reason.</summary>
    public static ITraceSource? Create(string name, DaemonOptions options, out string error)
    {
        error = "";
        switch (name)
        {
            case BpftraceSource.SourceName:
                return new BpftraceSource();
            case FsUsageSource.SourceName:
                return new FsUsageSource();
            case DtraceSource.SourceName:
                return new DtraceSource(options.ForceDtraceAfterSleep);
            default:
                error = $"the {name} source is not available on this system (sources: bpftrace on Linux; fs_usage, dtrace on macOS)";
                return null;
        }
    }
}
