namespace IoSnoop.Actors.Tracing.Linux;

/// <summary>Settings of the bpftrace source, with the defaults that were measured to work.</summary>
public sealed record BpftraceOptions
{
    /// <summary>The bpftrace executable: a path, or a name looked up on <c>PATH</c>.</summary>
    public string Bpftrace { get; init; } = "bpftrace";

    /// <summary>
    /// <c>BPFTRACE_MAP_KEYS_MAX</c>: entries per map. The (process, file, direction) pairs of one
    /// second and the path components of the files new in that second must fit, or bpftrace drops
    /// them without a word (its default, 4096, is far too small). Every map reserves kernel memory for
    /// all its entries: about 190 MB in all at the default on 2 CPUs, more with more CPUs.
    /// </summary>
    public int MapKeysMax { get; init; } = 131_072;

    /// <summary>
    /// <c>BPFTRACE_STRLEN</c>: a path component (one file or directory name) longer than this minus one
    /// byte is cut, and marked with "…" in the path. At most 200 (the BPF stack holds the string).
    /// </summary>
    public int StringLength { get; init; } = 128;

    /// <summary>How many file paths the parser keeps between the times the program sends them again.</summary>
    public int PathCacheCapacity { get; init; } = 131_072;

    /// <summary>
    /// Where <see cref="BpftraceSource.Prepare"/> writes the program. Default: systemd's
    /// <c>$RUNTIME_DIRECTORY</c>, else <c>/run/iosnoopng</c> as root, else a private temporary folder.
    /// </summary>
    public string? ProgramDirectory { get; init; }

    /// <summary>Whether the kernel has a tracepoint (<c>category:name</c>); null: tracefs is asked. Specs stand in a list.</summary>
    public Func<string, bool>? TracepointExists { get; init; }

    /// <summary>
    /// How long to wait for READY: compiling and attaching the ~40 probes takes about 6 s on an idle
    /// machine, but more than 30 s was seen on 2 CPUs busy with two builds.
    /// </summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long bpftrace may take to print its last sums after SIGINT (about 4 s measured).</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}
