using System.Net;
using IoSnoop.Web.Security;

namespace IoSnoop.Host;

/// <summary>
/// From the command line to the access rules. A daemon on loopback needs nothing; one that listens
/// beyond this machine must have a token, because it shows every process's file activity and lets
/// anyone who can reach it reset the figures.
/// </summary>
public static class DaemonAccess
{
    /// <summary>Tokens shorter than this get a warning at start.</summary>
    public const int ShortToken = 16;

    /// <summary>What is wrong with the access flags, or null.</summary>
    public static string? Problem(DaemonOptions o)
    {
        if (o.Token is not null && o.TokenFile is not null)
            return "use either --token or --token-file, not both";
        if (o.Token is not null && string.IsNullOrWhiteSpace(o.Token))
            return "--token must not be empty";
        if (o.TokenFile is not null && o.TokenFile.Length == 0)
            return "--token-file needs a file name";
        foreach (var host in o.AllowedHosts)
            if (!HostPattern.TryParse(host, out _, out var hostError))
                return $"invalid value for --allowed-host: {hostError}";
        if (!IsLoopback(o.Listen) && o.Token is null && o.TokenFile is null)
            return $"-a {o.Listen} listens beyond this machine (not on loopback), where anyone who reaches the port " +
                   "could read every process's file activity and reset it: give a token with --token-file FILE " +
                   "(or --token TOKEN), or listen on 127.0.0.1";
        return null;
    }

    /// <summary>The access rules of the options; reads the token file.</summary>
    /// <exception cref="AccessSetupException">The flags are wrong or the token file cannot be used.</exception>
    public static AccessSettings Create(DaemonOptions o, Serilog.ILogger? log = null)
    {
        if (Problem(o) is { } problem)
            throw new AccessSetupException(problem);
        AccessToken? token;
        try
        {
            token = o.Token is not null ? new AccessToken(o.Token.Trim())
                : o.TokenFile is not null ? AccessToken.FromFile(o.TokenFile)
                : null;
        }
        catch (InvalidOperationException e)
        {
            throw new AccessSetupException(e.Message);
        }
        if (token is not null && token.Length < ShortToken)
            log?.Warning("The token has fewer than {Characters} characters: a long random one (openssl rand -hex 32) cannot be guessed",
                ShortToken);
        if (o.Token is not null)
            log?.Information("The token was given with --token, which other local users can see in the process list; --token-file avoids that");

        var hosts = o.AllowedHosts.Select(h =>
        {
            HostPattern.TryParse(h, out var pattern, out _);
            return pattern;
        }).ToList();
        // A listen address given by name (not an address) is a name the daemon answers to.
        if (ListenHostName(o.Listen) is { } name && HostPattern.TryParse(name, out var listen, out _))
            hosts.Add(listen);
        return new AccessSettings { Token = token, ReadOnly = o.ReadOnly, AllowedHosts = hosts };
    }

    /// <summary>True when the <c>-a</c> address is on loopback only: localhost, 127.0.0.0/8 or ::1.</summary>
    public static bool IsLoopback(string listen)
    {
        var host = HostPart(listen);
        if (host is null)
            return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        return IPAddress.TryParse(host, out var address)
               && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    private static string? HostPart(string listen)
    {
        var colon = listen.LastIndexOf(':');
        return colon < 0 ? null : listen[..colon].Trim('[', ']');
    }

    private static string? ListenHostName(string listen)
    {
        var host = HostPart(listen);
        if (string.IsNullOrEmpty(host) || IPAddress.TryParse(host, out _))
            return null;
        return listen;
    }
}

/// <summary>The access flags cannot be used as given (the daemon does not start).</summary>
public sealed class AccessSetupException(string message) : Exception(message);
