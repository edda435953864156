using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace IoSnoop.Actors.Interning;

/// <summary>
/// Turns UTF-8 bytes into strings, giving the same string object for the same bytes so that a process
/// name or path seen a million times is decoded and stored once. A hit costs a hash of the bytes and an
/// ASCII comparison, without decoding. Invalid UTF-8 decodes with U+FFFD replacement characters and never
/// throws. The table is bounded: when it holds <see cref="Capacity"/> names it starts afresh (strings
/// already handed out stay valid; only sharing is lost), so names that are gone from the process actors
/// are not kept alive for ever.
/// </summary>
public sealed class NameTable
{
    private struct Entry
    {
        public int Hash;
        public int Next;
        public string Value;
    }

    private int[] _buckets;
    private Entry[] _entries;
    private int _count;

    public NameTable(int capacity = 65_536)
    {
        Capacity = Math.Max(16, capacity);
        _buckets = new int[256];
        _entries = new Entry[256];
    }

    public int Capacity { get; }

    public int Count => _count;

    /// <summary>The string for these UTF-8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
            return string.Empty;
        var hash = Utf8Hash.Of(utf8);
        for (var i = _buckets[hash & (_buckets.Length - 1)] - 1; i >= 0; i = _entries[i].Next)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash && SameText(utf8, entry.Value))
                return entry.Value;
        }
        return Add(hash, Encoding.UTF8.GetString(utf8));
    }

    /// <summary>The shared string for this text (for parsers that build text themselves).</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return string.Empty;
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            return Get(buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private string Add(int hash, string value)
    {
        if (_count >= Capacity)
        {
            Array.Clear(_buckets);
            Array.Clear(_entries, 0, _count);
            _count = 0;
        }
        if (_count == _entries.Length)
            Grow();
        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        _entries[_count] = new Entry { Hash = hash, Next = bucket - 1, Value = value };
        bucket = ++_count;
        return value;
    }

    private void Grow()
    {
        var size = _entries.Length * 2;
        Array.Resize(ref _entries, size);
        _buckets = new int[size];
        for (var i = 0; i < _count; i++)
        {
            ref var bucket = ref _buckets[_entries[i].Hash & (size - 1)];
            _entries[i].Next = bucket - 1;
            bucket = i + 1;
        }
    }

    /// <summary>Whether the bytes decode to exactly this text; ASCII (almost every name) without decoding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SameText(ReadOnlySpan<byte> utf8, string text)
    {
        if (utf8.Length == text.Length && Ascii.Equals(utf8, text))
            return true;
        if (utf8.Length < text.Length || Ascii.IsValid(utf8))
            return false;
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        char[]? rented = null;
        var buffer = max <= 1024 ? stackalloc char[max] : (rented = ArrayPool<char>.Shared.Rent(max));
        try
        {
            return buffer[..Encoding.UTF8.GetChars(utf8, buffer)].SequenceEqual(text);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }
}
