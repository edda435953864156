using System.Text.Json;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Web.Api;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Hubs;

/// <summary>
/// The dashboard's connection: queries answered by the actors (Ask with a timeout), and the
/// <c>changes</c> push (see <see cref="ChangesFeed"/>). Methods that change the figures are marked
/// <see cref="ChangesStateAttribute"/>: refused in read-only mode.
/// </summary>
public sealed class DashboardHub(ProcessQueries queries, HistoryQueries history, DashboardConnections connections,
    AccessSettings access) : Hub
{
    public const string Path = "/hub/stats";
    public const string ChangesMethod = "changes";

    public override Task OnConnectedAsync()
    {
        connections.Connected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Disconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public async Task<OverviewDto> GetOverview()
    {
        var o = await queries.Overview(Context.ConnectionAborted);
        return new OverviewDto(o.Totals, o.Source, o.Processes, access.ReadOnly) { Devices = o.Devices };
    }

    // Arguments arrive as JSON values of any type and are checked here (HubArguments), so that a null, a
    // number or a megabyte of text is answered with a reason and never reaches the actors.

    public async Task<ProcessFilesDto> GetProcessFiles(JsonElement name)
    {
        var process = HubArguments.Name(name, "name");
        var f = await queries.Files(process, Context.ConnectionAborted);
        return new ProcessFilesDto(process, f.Found, f.Summary?.Reads ?? 0, f.Summary?.Writes ?? 0,
            f.Summary?.LastUpdated, f.Summary?.Events ?? 0, f.Files)
        {
            DiskReads = f.Summary?.DiskReads ?? 0,
            DiskWrites = f.Summary?.DiskWrites ?? 0,
        };
    }

    [ChangesState]
    public async Task<bool> DeleteProcess(JsonElement name) =>
        await queries.Delete(HubArguments.Name(name, "name"), Context.ConnectionAborted);

    [ChangesState]
    public Task Reset() => queries.Reset(Context.ConnectionAborted);

    /// <summary>The processes whose files contain <paramref name="query"/> in their path, with their bytes on those files (see <see cref="FileSearch"/>).</summary>
    [HeavyQuery]
    public async Task<FileSearchResult> SearchFiles(JsonElement query, JsonElement limit)
    {
        var text = HubArguments.Text(query, "query", FileSearch.MaxQueryLength);
        var most = HubArguments.Integer(limit, "limit", 1, FileSearch.MaxLimit);
        return FileSearch.Search(await queries.FullDump(Context.ConnectionAborted), text, most);
    }

    /// <summary>Bytes per bucket of one process, or of the whole machine when <paramref name="process"/> is null.</summary>
    [HeavyQuery]
    public async Task<HistoryDto> GetHistory(JsonElement fromIso, JsonElement toIso, JsonElement process)
    {
        var name = HubArguments.OptionalName(process, "process");
        return HistoryDto.From(await Historic(range => history.Series(range, name, Context.ConnectionAborted), fromIso, toIso));
    }

    /// <summary>The processes that moved the most bytes (reads + writes) between the two times.</summary>
    [HeavyQuery]
    public async Task<IReadOnlyList<TopProcess>> GetTopProcesses(JsonElement fromIso, JsonElement toIso, JsonElement limit)
    {
        var count = HubArguments.Integer(limit, "limit", 1, HistoryQueries.MaxLimit);
        return await Historic(range => history.Top(range, count, TopOrder.Total, Context.ConnectionAborted), fromIso, toIso);
    }

    private static async Task<T> Historic<T>(Func<TimeRange, Task<T>> query, JsonElement fromIso, JsonElement toIso)
    {
        var from = HubArguments.OptionalTime(fromIso, "from");
        var to = HubArguments.OptionalTime(toIso, "to");
        if (!TimeRange.TryParse(from, to, DateTimeOffset.UtcNow, out var range, out var error))
            throw new HubException(error);
        try
        {
            return await query(range);
        }
        catch (Exception e) when (e is HistoryUnavailableException or StoreException)
        {
            // No history kept (--db none) is a normal answer: the dashboard then shows live charts only.
            // A database that cannot be read is logged by the store actor at each write.
            throw new HubException(e.Message);
        }
    }
}

/// <summary>The overview as the hub answers it: the totals nested as in the push (<see cref="StatsChanges"/>).</summary>
public sealed record OverviewDto(Totals Totals, SourceStatus Source, IReadOnlyList<ProcessSummary> Processes, bool ReadOnly)
{
    /// <summary>What each disk moved since the start (block layer), to set against the processes' disk figures.</summary>
    public IReadOnlyList<DeviceIo> Devices { get; init; } = [];
}

public sealed record ProcessFilesDto(
    string Name, bool Found, long Reads, long Writes, DateTimeOffset? LastUpdated, long Events,
    IReadOnlyList<FileSummary> Files)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }
}
