using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>The original tool's HTTP API (compat.md), plus <c>/api/status</c>.</summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/stats", async (StatsQueries q, HttpContext http) =>
        {
            var overview = await q.Overview(http.RequestAborted);
            await WriteJson(http, json => CompatJson.WriteStats(json, overview));
        });
        routes.MapDelete("/api/stats", async (StatsQueries q, HttpContext http) =>
        {
            await q.Reset(http.RequestAborted);
            return Results.NoContent();
        });
        routes.MapGet("/api/stats/{**exec}", async (string exec, StatsQueries q, HttpContext http) =>
        {
            var files = await q.Files(ProcessName(exec), http.RequestAborted);
            await WriteJson(http, json => CompatJson.WriteFiles(json, files.Files));
        });
        routes.MapDelete("/api/stats/{**exec}", async (string exec, StatsQueries q, HttpContext http) =>
        {
            await q.Delete(ProcessName(exec), http.RequestAborted);
            return Results.NoContent();
        });
        routes.MapGet("/api/stats-full", async (StatsQueries q, HttpContext http) =>
        {
            var dump = await q.FullDump(http.RequestAborted);
            await WriteJson(http, json => CompatJson.WriteFull(json, dump));
        });
        routes.MapGet("/api/status", async (StatsQueries q, AccessSettings access, HttpContext http) =>
        {
            var overview = await q.Overview(http.RequestAborted);
            return Results.Json(new StatusDto(overview.Totals, overview.Source, overview.Processes.Count, access.ReadOnly),
                WebJson.Options);
        });
        return routes;
    }

    /// <summary>Kestrel decodes a path except <c>%2F</c>; a name is one segment, so decode that too.</summary>
    internal static string ProcessName(string routeValue) =>
        routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static async Task WriteJson(HttpContext http, Action<Utf8JsonWriter> write)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(http.Response.Body,
            new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        write(json);
        await json.FlushAsync(http.RequestAborted);
    }

    /// <summary>The answer of <c>/api/status</c>; <see cref="ReadOnly"/>: started with <c>--read-only</c>.</summary>
    public sealed record StatusDto(Totals Totals, SourceStatus Source, int Processes, bool ReadOnly);
}

/// <summary>JSON settings of the API and the hub: camelCase.</summary>
public static class WebJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
