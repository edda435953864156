namespace IoSnoop.Host;

/// <summary>
/// The daemon's exit codes (README, Command line). The systemd unit does not restart the daemon after
/// <see cref="Usage"/> and <see cref="Database"/>: they need a person to change something first.
/// </summary>
public static class ExitCodes
{
    /// <summary>Stopped by SIGINT or SIGTERM after delivering its last figures.</summary>
    public const int Ok = 0;

    /// <summary>Could not start or stopped on a fault: the port is in use, the tracer cannot run, the token file cannot be read.</summary>
    public const int Failure = 1;

    /// <summary>An unknown flag or a bad value (the usage is printed).</summary>
    public const int Usage = 2;

    /// <summary>The database cannot be opened, read or written at start (corrupt, read-only, immutable, no permission).</summary>
    public const int Database = 3;
}
