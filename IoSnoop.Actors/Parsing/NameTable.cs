using System.Text;

namespace IoSnoop.Actors.Parsing;

/// <summary>
/// Turns UTF-8 bytes into strings, giving the same string object for the same text so that a process
/// name or path seen a million times is stored once. Invalid UTF-8 decodes with U+FFFD replacement
/// characters and never throws. The table is bounded: when it holds <see cref="Capacity"/> entries it
/// starts afresh (strings already handed out stay valid; only sharing is lost).
/// </summary>
public sealed class NameTable
{
    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public NameTable(int capacity = 262_144)
    {
        Capacity = capacity;
        _strings = new Dictionary<string, string>(StringComparer.Ordinal);
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Capacity { get; }

    public int Count => _strings.Count;

    /// <summary>The string for these UTF-8 bytes.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
            return string.Empty;
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        char[]? rented = null;
        var buffer = max <= 1024 ? stackalloc char[max] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, buffer);
            return Get(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>The shared string for this text.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return string.Empty;
        if (_lookup.TryGetValue(text, out var existing))
            return existing;
        if (_strings.Count >= Capacity)
            _strings.Clear();
        var created = text.ToString();
        _strings[created] = created;
        return created;
    }
}
