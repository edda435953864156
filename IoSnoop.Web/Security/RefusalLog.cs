using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IoSnoop.Web.Security;

/// <summary>
/// Logs refused requests at warning, at most <see cref="PerSecond"/> a second so that a flood of bad
/// requests cannot flood the log. Only the method, the path (never the query string, which may hold
/// <c>access_token</c>), the peer and the reason are logged; never a header value that could be the token.
/// </summary>
public sealed class RefusalLog(ILogger<RefusalLog> log, TimeProvider? clock = null)
{
    public const int PerSecond = 10;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private long _windowStart = long.MinValue;
    private int _inWindow;
    private long _suppressed;

    public void Refused(HttpContext http, int status, string reason) =>
        Refused(http.Request.Method, http.Request.Path.Value, http.Connection.RemoteIpAddress?.ToString(), status, reason);

    /// <param name="method">The HTTP method, or <c>hub</c> for a hub method.</param>
    /// <param name="path">The path without its query string, or the hub method's name.</param>
    public void Refused(string method, string? path, string? peer, int status, string reason)
    {
        long suppressed;
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            if (_windowStart == long.MinValue || _clock.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _windowStart = now;
                _inWindow = 0;
            }
            if (_inWindow >= PerSecond)
            {
                _suppressed++;
                return;
            }
            _inWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
        }
        peer ??= "unknown peer";
        if (suppressed > 0)
            log.LogWarning("Refused {Method} {Path} from {Peer} with {Status}: {Reason} ({Suppressed} more refusals not logged)",
                method, Shorten(path), peer, status, reason, suppressed);
        else
            log.LogWarning("Refused {Method} {Path} from {Peer} with {Status}: {Reason}",
                method, Shorten(path), peer, status, reason);
    }

    internal static string Shorten(string? text) =>
        text is null ? "" : text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "…");
}
