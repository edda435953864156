using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>
/// The original tool's HTTP API (compat.md), plus <c>/api/status</c>. Every route answers GET and HEAD (HEAD:
/// the headers only, after the same access checks). The answers that grow with the figures are written as
/// they are produced, a piece at a time, and only as fast as the client takes them (<see cref="JsonStream"/>),
/// within a turn of <see cref="HeavyQueries"/>.
/// </summary>
public static class StatsApi
{
    private const string Prefix = "/api/stats/";
    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/stats", Read, async (ProcessQueries q, WebSettings settings, RefusalLog log, HttpContext http) =>
        {
            if (NamesNoProcess(http))
                return ApiErrors.BadRequest(http, log, EmptyName);
            if (Head(http))
                return Results.Empty;
            var overview = await q.Overview(http.RequestAborted);
            var json = new JsonStream(http, settings.WriteTimeout);
            await CompatJson.WriteStats(json.Writer, overview, json.Pace);
            await json.Complete();
            return Results.Empty;
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapDelete("/api/stats", async (ProcessQueries q, RefusalLog log, HttpContext http) =>
        {
            // "/api/stats/" is a process name left out, not a request to forget everything.
            if (NamesNoProcess(http))
                return ApiErrors.BadRequest(http, log, EmptyName);
            await q.Reset(http.RequestAborted);
            return Results.NoContent();
        });
        routes.MapMethods("/api/stats/{**exec}", Read, async (ProcessQueries q, WebSettings settings, RefusalLog log, HttpContext http) =>
        {
            if (!TryProcessName(http, out var name, out var error))
                return ApiErrors.BadRequest(http, log, error);
            if (Head(http))
                return Results.Empty;
            var files = await q.Files(name, http.RequestAborted);
            var json = new JsonStream(http, settings.WriteTimeout);
            await CompatJson.WriteFiles(json.Writer, files.Files, json.Pace);
            await json.Complete();
            return Results.Empty;
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapDelete("/api/stats/{**exec}", async (ProcessQueries q, RefusalLog log, HttpContext http) =>
        {
            if (!TryProcessName(http, out var name, out var error))
                return ApiErrors.BadRequest(http, log, error);
            await q.Delete(name, http.RequestAborted);
            return Results.NoContent();
        });
        routes.MapMethods("/api/stats-full", Read, async (ProcessQueries q, WebSettings settings, HttpContext http) =>
        {
            if (Head(http))
                return Results.Empty;
            var dump = await q.FullDump(http.RequestAborted);
            var json = new JsonStream(http, settings.WriteTimeout);
            await CompatJson.WriteFull(json.Writer, dump, json.Pace);
            await json.Complete();
            return Results.Empty;
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapMethods("/api/status", Read, async (ProcessQueries q, AccessSettings access, HttpContext http) =>
        {
            if (Head(http))
                return Results.Empty;
            var overview = await q.Overview(http.RequestAborted);
            return Results.Json(new StatusDto(overview.Totals, overview.Source, overview.Processes.Count, access.ReadOnly),
                WebJson.Options);
        });
        return routes;
    }

    private const string EmptyName =
        "no process name after /api/stats/: use /api/stats/NAME with the name URL-encoded (DELETE /api/stats without the slash forgets every process)";

    /// <summary>A HEAD request: the headers of a JSON answer, without working out its body.</summary>
    internal static bool Head(HttpContext http)
    {
        if (!HttpMethods.IsHead(http.Request.Method))
            return false;
        http.Response.ContentType = JsonStream.ContentType;
        return true;
    }

    /// <summary><c>/api/stats/</c>: the route of one process with its name left out.</summary>
    private static bool NamesNoProcess(HttpContext http) => http.Request.Path.Value?.EndsWith('/') == true;

    /// <summary>
    /// The process name of <c>/api/stats/NAME</c>, decoded once from the request as sent. (Kestrel decodes
    /// the path but keeps <c>%2F</c>, so its path cannot tell a name's <c>/</c>, sent as <c>%2F</c>, from a
    /// name's <c>%2F</c>, sent as <c>%252F</c>.)
    /// </summary>
    internal static bool TryProcessName(HttpContext http, out string name, out string error)
    {
        name = "";
        var raw = RawPath(http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "");
        if (!raw.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            error = "use /api/stats/NAME, with the name URL-encoded as one path segment";
            return false;
        }
        name = Uri.UnescapeDataString(raw[Prefix.Length..]);
        if (ApiLimits.NameProblem(name) is { } problem)
        {
            error = name.Length == 0 ? EmptyName : problem;
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The path of a request target, still encoded: without query and fragment, and without scheme and host in the absolute form.</summary>
    private static string RawPath(string target)
    {
        var end = target.AsSpan().IndexOfAny('?', '#');
        if (end >= 0)
            target = target[..end];
        var scheme = target.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0 && !target.StartsWith('/'))
        {
            var slash = target.IndexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target[slash..];
        }
        return target;
    }

    /// <summary>The answer of <c>/api/status</c>; <see cref="ReadOnly"/>: started with <c>--read-only</c>.</summary>
    public sealed record StatusDto(Totals Totals, SourceStatus Source, int Processes, bool ReadOnly);
}

/// <summary>JSON settings of the API and the hub: camelCase.</summary>
public static class WebJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
