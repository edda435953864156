namespace IoSnoop.Actors.Interning;

/// <summary>The name of the row that stands for a process's merged small files.</summary>
public static class MergedFiles
{
    private const string Prefix = "<Smaller Files of ";

    public static string PathFor(string process) => $"{Prefix}{process}>";

    public static bool IsMergedPath(string path) => path.StartsWith(Prefix, StringComparison.Ordinal) && path.EndsWith('>');

    /// <summary>The same test on the path's UTF-8 bytes (the path pool marks these rows when it stores them).</summary>
    public static bool IsMergedPath(ReadOnlySpan<byte> utf8) => utf8.StartsWith("<Smaller Files of "u8) && utf8[^1] == (byte)'>';
}
