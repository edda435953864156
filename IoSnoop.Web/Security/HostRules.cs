using System.Globalization;
using System.Net;

namespace IoSnoop.Web.Security;

/// <summary>
/// One <c>--allowed-host</c> entry: a host name (or IP address) with or without a port. Without a port it
/// matches the name on any port (a reverse proxy in front of the daemon usually serves 80 or 443).
/// </summary>
public readonly record struct HostPattern(string Host, int? Port)
{
    /// <summary>Reads <c>NAME</c>, <c>NAME:PORT</c>, <c>[IPV6]</c> or <c>[IPV6]:PORT</c>.</summary>
    public static bool TryParse(string text, out HostPattern pattern, out string error)
    {
        pattern = default;
        error = "";
        text = text.Trim();
        if (text.Length == 0)
            return Fail("an empty name", out error);
        if (text.Contains("://", StringComparison.Ordinal) || text.IndexOfAny(['/', '?', '#', '@', ' ', '*']) >= 0)
            return Fail($"\"{text}\" is not a host name: give NAME or NAME:PORT, without scheme or path", out error);
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || !IPAddress.TryParse(text[1..close], out _))
                return Fail($"\"{text}\" is not a bracketed IPv6 address", out error);
            host = text[..(close + 1)];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                    return Fail($"\"{text}\" has something after the address that is not :PORT", out error);
                portText = rest[1..];
            }
        }
        else if (text.Count(c => c == ':') > 1)
        {
            if (!IPAddress.TryParse(text, out _))
                return Fail($"\"{text}\" is neither NAME:PORT nor an IPv6 address", out error);
            host = $"[{text}]";
        }
        else
        {
            var colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
        }
        if (host.Length == 0)
            return Fail($"\"{text}\" has no name", out error);
        int? port = null;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                return Fail($"\"{text}\" has a port that is not a number from 1 to 65535", out error);
            port = p;
        }
        pattern = new HostPattern(host.ToLowerInvariant(), port);
        return true;
    }

    public bool Matches(string host, int port) =>
        string.Equals(Host, host, StringComparison.OrdinalIgnoreCase) && (Port is null || Port == port);

    public override string ToString() => Port is null ? Host : $"{Host}:{Port}";

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}

/// <summary>
/// Which host names the daemon answers to, the protection against DNS rebinding: a web page on a
/// foreign site whose name was made to resolve to this machine sends that name as <c>Host</c>, so only
/// names that cannot be an attacker's are accepted: <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c>,
/// the IP address the request arrived on (all on the port it arrived on), and the configured names.
/// The same rules tell a same-origin <c>Origin</c> (the dashboard page served here) from a foreign one.
/// </summary>
public sealed class HostRules(IReadOnlyList<HostPattern> allowed)
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    public IReadOnlyList<HostPattern> Allowed { get; } = allowed;

    /// <param name="host">The host as in a <c>Host</c> header (an IPv6 address in brackets).</param>
    /// <param name="port">The port given with it, or the scheme's default port.</param>
    /// <param name="localAddress">The address the connection arrived on.</param>
    /// <param name="localPort">The port the connection arrived on.</param>
    public bool Allows(string host, int port, IPAddress? localAddress, int localPort)
    {
        if (host.Length == 0)
            return false;
        if (port == localPort && (IsLoopbackName(host) || IsAddress(host, localAddress)))
            return true;
        foreach (var pattern in Allowed)
            if (pattern.Matches(host, port))
                return true;
        return false;
    }

    /// <summary>True when <paramref name="origin"/> (an <c>Origin</c> header) is a page served by this daemon.</summary>
    public bool AllowsOrigin(string origin, IPAddress? localAddress, int localPort)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            return false;
        return Allows(uri.Host, uri.Port, localAddress, localPort);
    }

    private static bool IsLoopbackName(string host)
    {
        foreach (var name in LoopbackNames)
            if (string.Equals(name, host, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    private static bool IsAddress(string host, IPAddress? localAddress)
    {
        if (localAddress is null)
            return false;
        var text = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(text, out var address))
            return false;
        return Normal(address).Equals(Normal(localAddress));
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
