using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IoSnoop.Web.Security;

/// <summary>
/// Logs what the daemon turns away, under one budget of at most <see cref="PerSecond"/> lines a second
/// (how many were not logged is said with the next line), so that a flood of bad or refused requests
/// cannot flood the log: refusals (401, 403) at warning, bad input (400 and the hub's argument errors) and
/// answers the daemon could not give at debug. Only the method, the path (never the query string, which
/// may hold <c>access_token</c>), the peer and the reason are logged; never a header value that could be
/// the token. The logger escapes control characters in what came from outside.
/// </summary>
public sealed class RefusalLog(ILogger<RefusalLog> log, TimeProvider? clock = null)
{
    public const int PerSecond = 10;
    private readonly LogBudget _budget = new(PerSecond, clock);

    public void Refused(HttpContext http, int status, string reason) =>
        Refused(http.Request.Method, http.Request.Path.Value, Peer(http), status, reason);

    /// <param name="method">The HTTP method, or <c>hub</c> for a hub method.</param>
    /// <param name="path">The path without its query string, or the hub method's name.</param>
    public void Refused(string method, string? path, string? peer, int status, string reason) =>
        Write(LogLevel.Warning, "Refused", method, path, peer, status, reason);

    /// <summary>A request or hub call answered with an error of its own making (bad arguments), or one the daemon could not answer now.</summary>
    public void Rejected(HttpContext http, int status, string reason) =>
        Rejected(http.Request.Method, http.Request.Path.Value, Peer(http), status, reason);

    /// <inheritdoc cref="Refused(string, string?, string?, int, string)"/>
    public void Rejected(string method, string? path, string? peer, int status, string reason) =>
        Write(LogLevel.Debug, "Answered", method, path, peer, status, reason);

    private void Write(LogLevel level, string verb, string method, string? path, string? peer, int status, string reason)
    {
        if (!log.IsEnabled(level) || !_budget.TryTake(out var suppressed))
            return;
        peer ??= "unknown peer";
        if (suppressed > 0)
            log.Log(level, "{Verb} {Method} {Path} from {Peer} with {Status}: {Reason} ({Suppressed} more not logged)",
                verb, method, Shorten(path), peer, status, reason, suppressed);
        else
            log.Log(level, "{Verb} {Method} {Path} from {Peer} with {Status}: {Reason}", verb, method, Shorten(path), peer, status, reason);
    }

    private static string? Peer(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();

    internal static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");
}
