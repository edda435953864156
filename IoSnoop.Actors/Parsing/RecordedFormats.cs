using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Parsing.MacOs;

namespace IoSnoop.Actors.Parsing;

/// <summary>Every format a raw log (<c>-o</c>) can hold, so that a log replays on any machine whatever source
/// wrote it: the original's lines (always tried first), then our sources' outputs.</summary>
public static class RecordedFormats
{
    public static ReplayParser CreateReplayParser() =>
        new(() => new BpftraceParser(), () => new DtraceParser(), () => new FsUsageParser());
}
