namespace IoSnoop.Actors.Instances;

/// <summary>What the API says of the process tree for a source that gives no process instances.</summary>
public static class ProcessTreeSources
{
    /// <summary>fs_usage prints a thread id, never a pid, so its figures are per process name only.</summary>
    public const string FsUsageMessage =
        "process trees need --source dtrace on macOS: fs_usage prints no process ids, so its figures are per process name only";

    /// <summary>Why the tree of a source is empty, or null when the source can give instances.</summary>
    /// <param name="sourceName">The name of the running source, as the status says it.</param>
    public static string? WhyNone(string? sourceName) =>
        string.Equals(sourceName, "fs_usage", StringComparison.Ordinal) ? FsUsageMessage : null;
}
