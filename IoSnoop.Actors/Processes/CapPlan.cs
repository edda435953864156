namespace IoSnoop.Actors.Processes;

/// <summary>
/// The cap on tracked files: once more files are tracked than allowed, every process with several files merges
/// its share of the excess (in proportion to its files), its least significant first, down to the low-water mark
/// so that merging does not run at every batch.
/// </summary>
public static class CapPlan
{
    /// <summary>How many files each process merges now; empty while the cap holds.</summary>
    public static IReadOnlyList<(string Process, int Count)> Plan(IEnumerable<ProcessSummary> processes, long totalFiles, MergePolicy policy)
    {
        if (totalFiles <= policy.MaxFiles)
            return [];
        var target = (long)(policy.MaxFiles * policy.LowWater);
        var excess = totalFiles - target;
        var plan = new List<(string, int)>();
        foreach (var p in processes)
        {
            if (p.Files < 3)
                continue;
            // +1: the merged row itself may be new.
            plan.Add((p.Name, (int)Math.Min(p.Files, Math.Ceiling(excess * (double)p.Files / totalFiles) + 1)));
        }
        return plan;
    }
}
