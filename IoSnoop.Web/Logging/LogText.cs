using System.Globalization;
using System.Text;

namespace IoSnoop.Web.Logging;

/// <summary>
/// Makes text that came from outside (request paths, process names, file paths, tracer lines) safe to
/// write into a log line: control characters cannot start a forged line (CR, LF), recolour or clear a
/// terminal (ESC) or hide text. The daemon's logger applies it to every value it logs.
/// </summary>
public static class LogText
{
    /// <summary>
    /// <paramref name="text"/> with every C0 and C1 control character, DEL, and the Unicode line and
    /// paragraph separators written as escapes: <c>\r</c>, <c>\n</c>, <c>\t</c>, otherwise <c>\xNN</c>
    /// or <c>\uNNNN</c>. Text without any is returned as it is (no copy).
    /// </summary>
    public static string Escape(string text)
    {
        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!Unsafe.Contains(c))
            {
                escaped.Append(c);
                continue;
            }
            switch (c)
            {
                case '\r': escaped.Append("\\r"); break;
                case '\n': escaped.Append("\\n"); break;
                case '\t': escaped.Append("\\t"); break;
                case < '\u0100': escaped.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture)); break;
                default: escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)); break;
            }
        }
        return escaped.ToString();
    }

    /// <summary>True when <paramref name="text"/> holds a character <see cref="Escape"/> would escape.</summary>
    public static bool NeedsEscaping(string text) => text.AsSpan().ContainsAny(Unsafe);

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\u2028', '\u2029']);
}
