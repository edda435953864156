using IoSnoop.Actors.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>
/// The history (ours, beside the original's API): <c>GET /api/history?from=&amp;to=&amp;process=</c> gives the
/// bytes read and written per bucket (one process, or the whole machine without <c>process</c>);
/// <c>GET /api/top?from=&amp;to=&amp;limit=&amp;by=total|reads|writes</c> the processes that moved the most.
/// Times are ISO 8601 (UTC without an offset); <c>to</c> defaults to now, <c>from</c> to an hour before
/// <c>to</c>. Without a database (<c>--db none</c>) both answer 404.
/// </summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/history", async (string? from, string? to, string? process, HistoryQueries q, HttpContext http) =>
        {
            if (!TimeRange.TryParse(from, to, DateTimeOffset.UtcNow, out var range, out var error))
                return Results.BadRequest(new ErrorDto(error));
            return await Answer(async () => Results.Json(
                HistoryDto.From(await q.Series(range, string.IsNullOrEmpty(process) ? null : process, http.RequestAborted)),
                WebJson.Options));
        });
        routes.MapGet("/api/top", async (string? from, string? to, int? limit, string? by, HistoryQueries q, HttpContext http) =>
        {
            if (!TimeRange.TryParse(from, to, DateTimeOffset.UtcNow, out var range, out var error))
                return Results.BadRequest(new ErrorDto(error));
            if (!TryOrder(by, out var order))
                return Results.BadRequest(new ErrorDto($"by: use total, reads or writes, not {by}"));
            if (limit is < 1 or > HistoryQueries.MaxLimit)
                return Results.BadRequest(new ErrorDto($"limit: use 1 to {HistoryQueries.MaxLimit}"));
            return await Answer(async () => Results.Json(
                await q.Top(range, limit ?? 10, order, http.RequestAborted), WebJson.Options));
        });
        return routes;
    }

    private static async Task<IResult> Answer(Func<Task<IResult>> query)
    {
        try
        {
            return await query();
        }
        catch (HistoryUnavailableException e)
        {
            return Results.NotFound(new ErrorDto(e.Message));
        }
    }

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

    public sealed record ErrorDto(string Error);
}

/// <summary>The answer of <c>/api/history</c> and the hub's <c>GetHistory</c>: <c>{ bucketSeconds, points: [{ time, reads, writes }] }</c>.</summary>
public sealed record HistoryDto(int BucketSeconds, IReadOnlyList<HistoryPoint> Points)
{
    public static HistoryDto From(HistorySeries series) => new(series.BucketSeconds, series.Points);
}
