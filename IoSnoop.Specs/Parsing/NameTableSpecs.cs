using System.Text;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Parsing;

public sealed class NameTableSpecs
{
    [Fact]
    public void The_same_bytes_give_the_same_string_object()
    {
        var table = new NameTable();
        var a = table.Get("/usr/lib/libc.so.6"u8);
        var b = table.Get(Encoding.UTF8.GetBytes("/usr/lib/libc.so.6"));
        Assert.Equal("/usr/lib/libc.so.6", a);
        Assert.Same(a, b);
        Assert.Same(a, table.Get("/usr/lib/libc.so.6".AsSpan()));
    }

    [Fact]
    public void Non_ascii_and_invalid_utf8_decode_with_replacement_and_are_shared()
    {
        var table = new NameTable();
        var cafe = table.Get(Encoding.UTF8.GetBytes("/tmp/café ☕"));
        Assert.Equal("/tmp/café ☕", cafe);
        Assert.Same(cafe, table.Get(Encoding.UTF8.GetBytes("/tmp/café ☕")));
        var broken = new byte[] { (byte)'/', 0xFF, 0xE9, (byte)'x' };
        var s = table.Get(broken);
        Assert.Equal("/\uFFFD\uFFFDx", s);
        Assert.Same(s, table.Get(broken));
    }

    [Fact]
    public void Different_texts_stay_different_even_when_many()
    {
        var table = new NameTable(capacity: 100_000);
        var strings = Enumerable.Range(0, 50_000).Select(i => table.Get(Encoding.UTF8.GetBytes($"/p/{i}"))).ToList();
        Assert.Equal(50_000, strings.Distinct().Count());
        for (var i = 0; i < 50_000; i += 997)
            Assert.Same(strings[i], table.Get(Encoding.UTF8.GetBytes($"/p/{i}")));
        Assert.Equal(50_000, table.Count);
    }

    [Fact]
    public void A_full_table_starts_afresh_and_keeps_answering_right()
    {
        var table = new NameTable(capacity: 16);
        for (var i = 0; i < 100; i++)
            Assert.Equal($"name-{i}", table.Get(Encoding.UTF8.GetBytes($"name-{i}")));
        Assert.True(table.Count <= 16);
        Assert.Equal("name-3", table.Get("name-3"u8));
    }

    [Fact]
    public void Empty_input_is_the_empty_string() => Assert.Same(string.Empty, new NameTable().Get(ReadOnlySpan<byte>.Empty));
}
