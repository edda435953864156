namespace IoSnoop.Web.Security;

/// <summary>Who may use the daemon and what they may do; set from the command line.</summary>
/// <remarks>The default is what a daemon listening on loopback without flags gets: no token, not read-only,
/// only the loopback names and the listen address accepted as <c>Host</c>.</remarks>
public sealed record AccessSettings
{
    /// <summary>When set, every request but the dashboard's own files must carry it.</summary>
    public AccessToken? Token { get; init; }

    /// <summary>Deleting and resetting figures is refused (REST 403, hub methods throw).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Names accepted as <c>Host</c> and <c>Origin</c> beyond the loopback names and the listen address.</summary>
    public IReadOnlyList<HostPattern> AllowedHosts { get; init; } = [];

    public static AccessSettings Default { get; } = new();
}
