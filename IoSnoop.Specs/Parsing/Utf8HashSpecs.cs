using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Parsing;

public sealed class Utf8HashSpecs
{
    [Fact]
    public void Equal_bytes_hash_alike_and_a_byte_over_0x7F_anywhere_is_seen()
    {
        var random = new Random(5);
        for (var length = 0; length <= 40; length++)
        {
            var bytes = new byte[length];
            for (var i = 0; i < length; i++)
                bytes[i] = (byte)random.Next(0x20, 0x7F);
            var hash = Utf8Hash.Of(bytes, out var ascii);
            Assert.True(ascii);
            Assert.Equal(hash, Utf8Hash.Of(bytes.ToArray()));
            Assert.True(hash >= 0);
            for (var at = 0; at < length; at++)
            {
                var changed = bytes.ToArray();
                changed[at] = 0xC3;
                Assert.NotEqual(hash, Utf8Hash.Of(changed, out var changedAscii));
                Assert.False(changedAscii);
            }
        }
    }

    [Fact]
    public void Paths_that_differ_in_one_place_rarely_share_a_bucket()
    {
        // 100,000 paths with a long shared start, told apart only near the end, into 2^17 buckets.
        var buckets = new int[1 << 17];
        for (var i = 0; i < 100_000; i++)
            buckets[Utf8Hash.Of(System.Text.Encoding.UTF8.GetBytes($"/Users/dev/src/project/node_modules/pkg/{i}.js")) & (buckets.Length - 1)]++;
        Assert.True(buckets.Max() <= 8, $"longest chain {buckets.Max()}");
    }
}
