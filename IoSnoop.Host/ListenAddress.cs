using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoSnoop.Host;

/// <summary>
/// A listen address like Go's: <c>host:port</c>, <c>:port</c> (every interface), <c>[::1]:port</c>. An
/// IPv4-mapped IPv6 address (<c>[::ffff:127.0.0.1]:port</c>) means its IPv4 address.
/// </summary>
public static class ListenAddress
{
    /// <summary>The URL Kestrel listens on for <paramref name="text"/>, or false and what is wrong.</summary>
    public static bool TryParse(string text, out string url, out string error)
    {
        url = "";
        if (!TrySplit(text, out var host, out var port, out error))
            return false;
        url = $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}";
        return true;
    }

    /// <summary>
    /// Why the daemon cannot listen on <paramref name="text"/> (the address is in use, not on this
    /// machine, not allowed), or null when it can. Tried before anything else starts, so that such a
    /// start ends with one line instead of a tracer started and stopped again.
    /// </summary>
    public static string? Problem(string text)
    {
        if (!TrySplit(text, out var host, out var port, out var error))
            return error;
        if (port == 0)
            return null;
        // Kestrel listens on every interface for a host name other than localhost.
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out var ip) => ip,
            _ => IPAddress.IPv6Any,
        };
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
            socket.DualMode = true;
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return null;
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use (is another iosnoopng running?)",
                SocketError.AddressNotAvailable => "no network interface of this machine has that address",
                SocketError.AccessDenied => "permission denied (ports below 1024 need root)",
                _ => e.Message,
            };
        }
    }

    private static bool TrySplit(string text, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        error = "";
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "expected host:port";
            return false;
        }
        host = text[..colon];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            error = "the port must be a number from 0 to 65535";
            return false;
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (host.Length == 0)
            host = "0.0.0.0";
        else if (host.Contains(':'))
        {
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"\"{host}\" is not an IPv6 address";
                return false;
            }
            if (v6.IsIPv4MappedToIPv6)
                host = v6.MapToIPv4().ToString();
        }
        return true;
    }
}
