using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Security;

/// <summary>Marks the dashboard's single-page fallback: served without a token, like its static files.</summary>
public sealed class DashboardFile
{
    public static DashboardFile Instance { get; } = new();
}

/// <summary>
/// After routing, before the endpoints: decides by what a request asks for.
/// <list type="bullet">
/// <item>The dashboard's files: always served (they hold no figures; the page then asks for the token).</item>
/// <item>The hub (negotiate, WebSocket and the other transports) and every request that changes state
/// (any method but GET, HEAD and OPTIONS outside the hub): refused (403) when they carry a foreign
/// <c>Origin</c>, which stops cross-site WebSocket hijacking and cross-site deletes. Scripts send no
/// <c>Origin</c>; the dashboard sends its own.</item>
/// <item>With a token set, everything else (API, hub, <c>/metrics</c>) needs it: <c>Authorization: Bearer</c>,
/// or on the hub also the <c>access_token</c> query parameter (browsers cannot set headers on a
/// WebSocket). Missing or wrong: 401.</item>
/// <item>Read-only: requests that change state are refused (403).</item>
/// </list>
/// </summary>
public sealed class AccessMiddleware(RequestDelegate next, AccessSettings settings, HostRules rules, RefusalLog log)
{
    public const string ReadOnlyReason =
        "iosnoopng runs read-only (--read-only): deleting and resetting figures are turned off";

    public Task InvokeAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<DashboardFile>() is not null)
            return next(http);
        var request = http.Request;
        var isHub = endpoint?.Metadata.GetMetadata<HubMetadata>() is not null;
        var changesState = !isHub && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
                                        || HttpMethods.IsOptions(request.Method));

        if ((isHub || changesState) && request.Headers.Origin.Count > 0)
        {
            var origin = request.Headers.Origin;
            if (origin.Count != 1 || !rules.AllowsOrigin(origin[0]!, http.Connection.LocalIpAddress, http.Connection.LocalPort))
                return Refusal.Write(http, StatusCodes.Status403Forbidden,
                    $"cross-site request refused: Origin \"{RefusalLog.Shorten(origin.ToString())}\" is not this dashboard", log);
        }

        if (settings.Token is { } token)
        {
            var presented = BearerToken(request) ?? (isHub ? QueryToken(request) : null);
            if (presented is null)
                return Refusal.Write(http, StatusCodes.Status401Unauthorized,
                    "a token is required: send it as Authorization: Bearer TOKEN", log);
            if (!token.Matches(presented))
                return Refusal.Write(http, StatusCodes.Status401Unauthorized, "wrong token", log);
        }

        // Following a process tree changes no figures: allowed to a read-only daemon.
        if (settings.ReadOnly && changesState && !request.Path.StartsWithSegments("/api/follow"))
            return Refusal.Write(http, StatusCodes.Status403Forbidden, ReadOnlyReason, log);

        return next(http);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value)
            return null;
        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? value[scheme.Length..].Trim() : null;
    }

    private static string? QueryToken(HttpRequest request)
    {
        var values = request.Query["access_token"];
        return values.Count == 1 ? values[0] : null;
    }
}
