namespace IoSnoop.Actors.Tracing;

/// <summary>How to start a tracer child process.</summary>
/// <param name="Program">Executable name or path (looked up on PATH).</param>
/// <param name="Arguments">Arguments, passed without a shell.</param>
public sealed record TracerCommand(string Program, IReadOnlyList<string> Arguments)
{
    /// <summary>Variables added to the child's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public override string ToString() => Arguments.Count == 0 ? Program : $"{Program} {string.Join(' ', Arguments)}";
}
