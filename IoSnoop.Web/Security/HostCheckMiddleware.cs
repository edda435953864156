using Microsoft.AspNetCore.Http;

namespace IoSnoop.Web.Security;

/// <summary>
/// First in the pipeline: refuses (403) every request whose <c>Host</c> is not a name this daemon
/// answers to (<see cref="HostRules"/>), the dashboard's files included. This is what stops DNS
/// rebinding: a foreign page whose name now resolves to 127.0.0.1 still sends its own name.
/// </summary>
public sealed class HostCheckMiddleware(RequestDelegate next, HostRules rules, RefusalLog log)
{
    public Task InvokeAsync(HttpContext http)
    {
        var host = http.Request.Host;
        var port = host.Port ?? (http.Request.IsHttps ? 443 : 80);
        if (host.HasValue && rules.Allows(host.Host, port, http.Connection.LocalIpAddress, http.Connection.LocalPort))
            return next(http);
        var reason = host.HasValue
            ? $"Host \"{RefusalLog.Shorten(host.Value)}\" is not allowed: use 127.0.0.1, localhost or [::1] with the port, " +
              "or start iosnoopng with --allowed-host NAME"
            : "a Host header is required";
        return Refusal.Write(http, StatusCodes.Status403Forbidden, reason, log);
    }
}
