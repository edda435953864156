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
public sealed class StatsHub(StatsQueries queries, HistoryQueries history, DashboardConnections connections,
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
        return new OverviewDto(o.Totals.Events, o.Totals.MalformedLines, o.Totals.DroppedEvents, o.Totals.BytesRead,
            o.Totals.BytesWritten, o.Source, o.Processes, access.ReadOnly);
    }

    public async Task<ProcessFilesDto> GetProcessFiles(string name)
    {
        var f = await queries.Files(name, Context.ConnectionAborted);
        return new ProcessFilesDto(name, f.Found, f.Summary?.Reads ?? 0, f.Summary?.Writes ?? 0,
            f.Summary?.LastUpdated, f.Summary?.Events ?? 0, f.Files);
    }

    [ChangesState]
    public Task<bool> DeleteProcess(string name) => queries.Delete(name, Context.ConnectionAborted);

    [ChangesState]
    public Task Reset() => queries.Reset(Context.ConnectionAborted);

    /// <summary>The processes whose files contain <paramref name="query"/> in their path, with their bytes on those files (see <see cref="FileSearch"/>).</summary>
    public async Task<FileSearchResult> SearchFiles(string query, int limit)
    {
        if (FileSearch.Invalid(query, limit) is { } error)
            throw new HubException(error);
        return FileSearch.Search(await queries.FullDump(Context.ConnectionAborted), query, limit);
    }

    /// <summary>Bytes per bucket of one process, or of the whole machine when <paramref name="process"/> is null.</summary>
    public async Task<HistoryDto> GetHistory(string fromIso, string toIso, string? process) =>
        HistoryDto.From(await Historic(range => history.Series(range, process, Context.ConnectionAborted), fromIso, toIso));

    /// <summary>The processes that moved the most bytes (reads + writes) between the two times.</summary>
    public Task<IReadOnlyList<TopProcess>> GetTopProcesses(string fromIso, string toIso, int limit) =>
        Historic(range => history.Top(range, limit, TopOrder.Total, Context.ConnectionAborted), fromIso, toIso);

    private static async Task<T> Historic<T>(Func<TimeRange, Task<T>> query, string fromIso, string toIso)
    {
        if (!TimeRange.TryParse(fromIso, toIso, DateTimeOffset.UtcNow, out var range, out var error))
            throw new HubException(error);
        try
        {
            return await query(range);
        }
        catch (HistoryUnavailableException e)
        {
            throw new HubException(e.Message);
        }
    }
}

public sealed record OverviewDto(
    long Events, long MalformedLines, long DroppedEvents, long BytesRead, long BytesWritten,
    SourceStatus Source, IReadOnlyList<ProcessSummary> Processes, bool ReadOnly);

public sealed record ProcessFilesDto(
    string Name, bool Found, long Reads, long Writes, DateTimeOffset? LastUpdated, long Events,
    IReadOnlyList<FileSummary> Files);
