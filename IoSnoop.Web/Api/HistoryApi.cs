using System.Globalization;
using IoSnoop.Actors.Store;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>
/// The history (ours, beside the original's API): <c>GET /api/history?from=&amp;to=&amp;process=</c> gives the
/// bytes read and written per bucket (one process, or the whole machine without <c>process</c>);
/// <c>GET /api/top?from=&amp;to=&amp;limit=&amp;by=total|reads|writes</c> the processes that moved the most.
/// Times are ISO 8601 (UTC without an offset); <c>to</c> defaults to now, <c>from</c> to an hour before
/// <c>to</c>. A bad argument is a 400 with the reason. Without a database (<c>--db none</c>) both answer 404.
/// </summary>
public static class HistoryApi
{
    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/history", Read, async (string? from, string? to, string? process, HistoryQueries q,
            RefusalLog log, HttpContext http) =>
        {
            if (!TimeRange.TryParse(from, to, DateTimeOffset.UtcNow, out var range, out var error))
                return ApiErrors.BadRequest(http, log, error);
            var name = string.IsNullOrEmpty(process) ? null : process;
            if (name is not null && ApiLimits.NameProblem(name) is { } problem)
                return ApiErrors.BadRequest(http, log, $"process: {problem}");
            if (StatsApi.Head(http))
                return Results.Empty;
            return await Answer(http, log, async () => Results.Json(
                HistoryDto.From(await q.Series(range, name, http.RequestAborted)), WebJson.Options));
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapMethods("/api/top", Read, async (string? from, string? to, string? limit, string? by, HistoryQueries q,
            RefusalLog log, HttpContext http) =>
        {
            if (!TimeRange.TryParse(from, to, DateTimeOffset.UtcNow, out var range, out var error))
                return ApiErrors.BadRequest(http, log, error);
            if (!TryOrder(by, out var order))
                return ApiErrors.BadRequest(http, log, $"by: use total, reads or writes, not {Shorten(by)}");
            var count = 10;
            if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count)
                                                 || count is < 1 or > HistoryQueries.MaxLimit))
                return ApiErrors.BadRequest(http, log, $"limit: use a whole number from 1 to {HistoryQueries.MaxLimit}");
            if (StatsApi.Head(http))
                return Results.Empty;
            return await Answer(http, log, async () => Results.Json(
                await q.Top(range, count, order, http.RequestAborted), WebJson.Options));
        }).AddEndpointFilter<HeavyQueryFilter>();
        return routes;
    }

    private static async Task<IResult> Answer(HttpContext http, RefusalLog log, Func<Task<IResult>> query)
    {
        try
        {
            return await query();
        }
        catch (HistoryUnavailableException e)
        {
            // A normal answer with --db none, not a fault.
            return ApiErrors.Error(http, log, StatusCodes.Status404NotFound, e.Message);
        }
        catch (StoreException e)
        {
            // The store actor logs the database's troubles at each write; the client gets the reason.
            return ApiErrors.Busy(http, log, e.Message);
        }
    }

    private static string Shorten(string? text) =>
        text is null ? "" : text.Length <= ApiLimits.MaxTimeLength ? text : string.Concat(text.AsSpan(0, ApiLimits.MaxTimeLength), "…");

    internal static bool TryOrder(string? by, out TopOrder order)
    {
        order = TopOrder.Total;
        switch (by)
        {
            case null or "" or "total":
                return true;
            case "reads":
                order = TopOrder.Reads;
                return true;
            case "writes":
                order = TopOrder.Writes;
                return true;
            default:
                return false;
        }
    }
}

/// <summary>The answer of <c>/api/history</c> and the hub's <c>GetHistory</c>: <c>{ bucketSeconds, points: [{ time, reads, writes }] }</c>.</summary>
public sealed record HistoryDto(int BucketSeconds, IReadOnlyList<HistoryPoint> Points)
{
    public static HistoryDto From(HistorySeries series) => new(series.BucketSeconds, series.Points);
}
