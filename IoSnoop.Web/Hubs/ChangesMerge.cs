using IoSnoop.Actors.Processes;

namespace IoSnoop.Web.Hubs;

/// <summary>
/// Folds two consecutive pushes into one, as if the processes actor had pushed once over both intervals:
/// per process the newer totals win and the deltas add up; the interval is the sum, so rates stay right;
/// the newer counters, device totals and source state win; a delete or reset in the newer push wins over what came before.
/// </summary>
public static class ChangesMerge
{
    public static StatsChanges Merge(StatsChanges older, StatsChanges newer)
    {
        var interval = older.IntervalSeconds + newer.IntervalSeconds;
        // Everything before a reset is void; the client drops its data and fetches the overview.
        if (newer.Reset)
            return newer with { IntervalSeconds = interval };

        var processes = new Dictionary<string, ChangedProcess>(older.Processes.Count + newer.Processes.Count, StringComparer.Ordinal);
        foreach (var p in older.Processes)
            processes[p.Name] = p;
        foreach (var name in newer.Removed)
            processes.Remove(name);
        foreach (var p in newer.Processes)
            processes[p.Name] = processes.TryGetValue(p.Name, out var before)
                ? p with
                {
                    ReadDelta = before.ReadDelta + p.ReadDelta,
                    WriteDelta = before.WriteDelta + p.WriteDelta,
                    DiskReadDelta = before.DiskReadDelta + p.DiskReadDelta,
                    DiskWriteDelta = before.DiskWriteDelta + p.DiskWriteDelta,
                }
                : p;

        var removed = new HashSet<string>(older.Removed, StringComparer.Ordinal);
        removed.UnionWith(newer.Removed);
        foreach (var p in newer.Processes)
            removed.Remove(p.Name);

        return new StatsChanges(newer.Time, interval, older.Reset, newer.Totals, newer.Source,
            [.. processes.Values], [.. removed])
        {
            Devices = newer.Devices,
        };
    }
}
