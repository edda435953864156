using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Parsing.Linux;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Actors.Tracing.Linux;

/// <summary>
/// Linux: bpftrace running <c>iosnoop.bt</c> (embedded in this assembly), which sums in the kernel the
/// bytes every process reads from and writes to every regular file through the read and write
/// family of system calls, and prints the sums once a second.
/// </summary>
public sealed class BpftraceSource : ITraceSource
{
    public const string SourceName = "bpftrace";

    public const string ProgramFileName = "iosnoop.bt";

    private const string ProgramResource = "IoSnoop.Actors.Tracing.Linux.iosnoop.bt";

    private static readonly Lazy<string> EmbeddedProgram = new(() =>
    {
        using var stream = typeof(BpftraceSource).Assembly.GetManifestResourceStream(ProgramResource)
            ?? throw new InvalidOperationException($"The resource {ProgramResource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private readonly BpftraceOptions _options;
    private string? _privateDirectory;

    public BpftraceSource(BpftraceOptions? options = null) => _options = options ?? new BpftraceOptions();

    public BpftraceOptions Options => _options;

    public string Name => SourceName;

    public string Measures => "file I/O at the system-call layer (page-cache hits included) and disk I/O (page-cache misses and readahead, dirtied bytes, O_DIRECT; per-disk block-layer totals)";

    /// <summary>The bpftrace program, as embedded.</summary>
    public static string ProgramText => EmbeddedProgram.Value;

    public bool SignalsReady => true;

    public TimeSpan ReadyTimeout => _options.ReadyTimeout;

    public TimeSpan StopGracePeriod => _options.StopGracePeriod;

    public IReadOnlyList<string> Layers => [TraceLayers.File, TraceLayers.Disk];

    /// <summary>The disk probes this kernel cannot attach (see <see cref="BpftraceDiskProbes"/>): left out of the
    /// program, each said once in <see cref="Warnings"/>. Known after <see cref="Preflight"/>.</summary>
    public IReadOnlyList<BpftraceDiskProbes.Probe> MissingDiskProbes { get; private set; } = [];

    public IReadOnlyList<string> Warnings => BpftraceDiskProbes.Warnings(MissingDiskProbes);

    public IReadOnlyList<string> Preflight()
    {
        var machine = BpftracePreflight.Inspect(_options);
        if (machine.TracefsMounted)
            MissingDiskProbes = BpftraceDiskProbes.Missing(_options.TracepointExists ?? BpftraceDiskProbes.Exists);
        return BpftracePreflight.Problems(machine);
    }

    public TracerCommand Prepare() => Command(BpftracePreflight.FindExecutable(_options.Bpftrace) ?? _options.Bpftrace, WriteProgram());

    /// <summary>
    /// The command for a program at <paramref name="programPath"/>: <c>sh</c> passes its own pid
    /// (<c>$$</c>) and then <c>exec</c>s bpftrace in its place, so the program gets bpftrace's pid as
    /// <c>$1</c> and leaves bpftrace's own output uncounted. The environment rides along through
    /// <c>env</c>, so the command needs nothing from whoever starts it.
    /// </summary>
    public TracerCommand Command(string bpftrace, string programPath) => new(
        "sh",
        [
            "-c",
            $"exec env BPFTRACE_MAP_KEYS_MAX={_options.MapKeysMax} BPFTRACE_STRLEN={_options.StringLength} \"$1\" -B line -q --no-warnings \"$2\" $$",
            "sh",
            bpftrace,
            programPath,
        ]);

    public ITraceParser CreateParser() => new BpftraceParser(_options.PathCacheCapacity);

    public StderrLine ClassifyStderr(string line) => ClassifyStderrLine(line);

    /// <summary>What a line bpftrace printed on stderr means.</summary>
    public static StderrLine ClassifyStderrLine(string line)
    {
        var text = line.Trim();
        if (text.Length == 0 || text.Contains("couldn't set RLIMIT_MEMLOCK", StringComparison.Ordinal))
            return StderrLine.Noise; // printed by every run; harmless with the kernel's memcg accounting
        if (text.StartsWith("Lost ", StringComparison.Ordinal) && text.EndsWith(" events", StringComparison.Ordinal))
            return long.TryParse(text.AsSpan(5, text.Length - 5 - 7), out var lost) && lost > 0
                ? new StderrLine(StderrKind.Dropped, lost)
                : new StderrLine(StderrKind.Dropped, 1);
        if (text.StartsWith("ERROR:", StringComparison.Ordinal))
        {
            var message = text["ERROR:".Length..].Trim();
            return new StderrLine(StderrKind.Problem, Message: message.Contains("only supports running as the root user", StringComparison.Ordinal)
                ? "bpftrace must run as root: run iosnoopng as root."
                : $"bpftrace failed: {message}");
        }
        return StderrLine.Warning;
    }

    /// <summary>Writes the program where bpftrace will read it (atomically: a restart may be reading the old one).</summary>
    public string WriteProgram()
    {
        var directory = ProgramDirectory();
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, ProgramFileName);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, MissingDiskProbes.Count == 0 ? ProgramText : BpftraceDiskProbes.Without(ProgramText, MissingDiskProbes));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private string ProgramDirectory()
    {
        if (_options.ProgramDirectory is { Length: > 0 } configured)
            return configured;
        var runtime = Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY")?.Split(':')[0];
        if (!string.IsNullOrEmpty(runtime))
            return runtime;
        // /run is writable by root only, so nobody can slip another program in; elsewhere use a private folder.
        if (Environment.IsPrivilegedProcess && Directory.Exists("/run"))
            return "/run/iosnoopng";
        return _privateDirectory ??= Directory.CreateTempSubdirectory("iosnoopng-").FullName;
    }
}
