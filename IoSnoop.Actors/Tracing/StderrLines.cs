using System.Text;

namespace IoSnoop.Actors.Tracing;

/// <summary>
/// Reads a tracer's stderr line by line, keeping at most <c>maxChars</c> of each line and dropping the
/// rest up to its newline, so a tracer that prints a huge line without a newline on stderr cannot make
/// the daemon buffer without bound (a plain <c>ReadLine</c> would hold the whole line).
/// </summary>
public static class StderrLines
{
    /// <summary>Characters of a stderr line kept; a cut line ends with <see cref="CutMarker"/>.</summary>
    public const int DefaultMaxChars = 4096;

    public const string CutMarker = " [cut]";

    public static async IAsyncEnumerable<string> Read(TextReader reader, int maxChars = DefaultMaxChars)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        var cut = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            while (start < read)
            {
                var newline = Array.IndexOf(buffer, '\n', start, read - start);
                var end = newline < 0 ? read : newline;
                var room = maxChars - line.Length;
                if (end - start > room)
                {
                    line.Append(buffer, start, Math.Max(0, room));
                    cut = true;
                }
                else
                {
                    line.Append(buffer, start, end - start);
                }
                if (newline < 0)
                    break;
                yield return Finish(line, cut);
                line.Clear();
                cut = false;
                start = newline + 1;
            }
        }
        if (line.Length > 0 || cut)
            yield return Finish(line, cut);
    }

    private static string Finish(StringBuilder line, bool cut)
    {
        if (line.Length > 0 && line[^1] == '\r')
            line.Length--;
        return cut ? line + CutMarker : line.ToString();
    }
}
