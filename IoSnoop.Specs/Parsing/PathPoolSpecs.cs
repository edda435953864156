using System.Text;
using IoSnoop.Actors.Parsing;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Specs.Parsing;

public sealed class PathPoolSpecs
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void The_same_bytes_are_one_id_counted_once_per_reference_and_freed_with_the_last()
    {
        var pool = new PathPool();
        var a = pool.Intern(U("/usr/lib/libc.so"));
        var again = pool.Intern("/usr/lib/libc.so");
        var b = pool.Intern(U("/usr/lib/libm.so"));
        Assert.Equal(a, again);
        Assert.NotEqual(a, b);
        Assert.Equal((2, 1, 2), (pool.RefCount(a), pool.RefCount(b), pool.Count));
        Assert.Equal("/usr/lib/libc.so", pool.GetString(a));
        Assert.True(pool.Bytes(b).SequenceEqual(U("/usr/lib/libm.so")));

        pool.Release(a);
        Assert.True(pool.TryFind("/usr/lib/libc.so", out _));
        pool.Release(a);
        Assert.False(pool.TryFind("/usr/lib/libc.so", out _));
        Assert.Equal(1, pool.Count);
        Assert.Throws<InvalidOperationException>(() => pool.Release(a));
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_the_utf8_of_their_decoded_text()
    {
        var pool = new PathPool();
        var bad = pool.Intern([(byte)'/', 0xFF, 0xFE, (byte)'a']);
        Assert.Equal("/\uFFFD\uFFFDa", pool.GetString(bad));
        Assert.Equal(bad, pool.Intern("/\uFFFD\uFFFDa"));
        // A lone surrogate in a text has no UTF-8 either.
        Assert.Equal("/\uFFFD", pool.GetString(pool.Intern("/\uD800")));
        Assert.Equal(2, pool.Count);
    }

    [Fact]
    public void Only_the_rows_of_merged_small_files_are_marked_merged()
    {
        var pool = new PathPool();
        Assert.True(PathPool.IsMerged(pool.Intern("<Smaller Files of mds>")));
        Assert.True(PathPool.IsMerged(pool.Intern("<Smaller Files of a | b>")));
        Assert.False(PathPool.IsMerged(pool.Intern("<Smaller Files of mds")));
        Assert.False(PathPool.IsMerged(pool.Intern("/<Smaller Files of mds>")));
        Assert.False(PathPool.IsMerged(pool.Intern("")));
        Assert.Equal("", pool.GetString(pool.Intern([])));
    }

    [Fact]
    public void A_merged_rows_id_says_so_itself_and_names_its_path_like_any_other()
    {
        var pool = new PathPool();
        var plain = pool.Intern("/a");
        var merged = pool.Intern("<Smaller Files of a>");
        Assert.Equal(0, plain & PathPool.MergedBit);
        Assert.NotEqual(0, merged & PathPool.MergedBit);
        Assert.Equal(merged, pool.Intern("<Smaller Files of a>"u8));
        Assert.True(pool.TryFind("<Smaller Files of a>", out var found));
        Assert.Equal(merged, found);
        Assert.Equal("<Smaller Files of a>", pool.GetString(merged));
        Assert.Equal(2, pool.RefCount(merged));
        pool.AddRef(merged);
        pool.Release([merged, merged, merged]);
        Assert.Equal(0, pool.RefCount(merged));
        Assert.False(pool.TryFind("<Smaller Files of a>", out _));
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void Freed_room_is_reused_so_a_stream_of_new_paths_needs_only_the_room_of_those_held_at_once()
    {
        var pool = new PathPool();
        var held = new Queue<int>();
        long afterFirstRound = 0;
        for (var i = 0; i < 200_000; i++)
        {
            // Lengths from 10 bytes to 3 KiB in a cycle, so that many size classes take part.
            held.Enqueue(pool.Intern($"/p/{i:D6}/{new string('x', i % 3000)}"));
            if (held.Count > 1000)
                pool.Release(held.Dequeue());
            if (i == 20_000)
                afterFirstRound = pool.SlabBytesAllocated;
        }
        Assert.Equal(1000, pool.Count);
        Assert.Equal(afterFirstRound, pool.SlabBytesAllocated);
        // The ones held still read back.
        var first = 200_000 - 1000;
        Assert.Equal($"/p/{first:D6}/{new string('x', first % 3000)}", pool.GetString(held.Peek()));
    }

    [Fact]
    public void A_path_longer_than_the_largest_size_class_has_room_of_its_own_given_back_when_freed()
    {
        var pool = new PathPool();
        var small = pool.Intern("/small");
        var before = pool.SlabBytesAllocated;
        var longPath = "/" + new string('y', 100_000);
        var id = pool.Intern(longPath);
        Assert.Equal(longPath, pool.GetString(id));
        Assert.Equal(before + longPath.Length, pool.SlabBytesAllocated);
        pool.Release(id);
        Assert.Equal(before + longPath.Length, pool.SlabBytesAllocated);
        pool.Sweep();
        Assert.Equal(before, pool.SlabBytesAllocated);
        Assert.Equal("/small", pool.GetString(small));
    }

    [Fact]
    public void A_path_given_back_stays_for_reuse_until_the_unused_ones_pass_an_eighth_of_those_held()
    {
        var pool = new PathPool();
        var held = Enumerable.Range(0, 20_000).Select(i => pool.Intern($"/held/{i}")).ToArray();
        var id = pool.Intern("/tmp/x.o");
        pool.Release(id);
        Assert.Equal(20_000, pool.Count);
        Assert.False(pool.TryFind("/tmp/x.o", out _));
        // Interned again before a sweep: the same entry comes back to life.
        Assert.Equal(id, pool.Intern("/tmp/x.o"));
        Assert.Equal(20_001, pool.Count);
        pool.Release(id);

        // Past about 2,200 unused of 17,800 held a sweep runs and frees them, so most of the 5,000 new paths
        // take freed ids (the last unused ones, fewer than SweepAtLeast, wait for the next sweep).
        var highWater = pool.HighWater;
        for (var i = 0; i < 5_000; i++)
            pool.Release(held[i]);
        Assert.Equal(15_000, pool.Count);
        var reused = Enumerable.Range(0, 5_000).Select(i => pool.Intern($"/new/{i}")).ToArray();
        Assert.InRange(pool.HighWater, highWater, highWater + PathPool.SweepAtLeast);
        Assert.Equal("/new/4999", pool.GetString(reused[^1]));
        Assert.Equal("/held/19999", pool.GetString(held[^1]));
        Assert.False(pool.TryFind("/held/0", out _));
    }

    [Fact]
    public void Many_paths_with_the_same_start_are_kept_apart_as_the_table_grows()
    {
        var pool = new PathPool();
        var ids = Enumerable.Range(0, 50_000).Select(i => pool.Intern($"/var/folders/zz/T/tmp{i:D6}")).ToArray();
        Assert.Equal(50_000, ids.Distinct().Count());
        for (var i = 0; i < ids.Length; i += 997)
        {
            Assert.Equal($"/var/folders/zz/T/tmp{i:D6}", pool.GetString(ids[i]));
            Assert.True(pool.TryFind($"/var/folders/zz/T/tmp{i:D6}", out var found));
            Assert.Equal(ids[i], found);
        }
        // Free every other one, then intern them again: the others keep their ids and texts.
        for (var i = 0; i < ids.Length; i += 2)
            pool.Release(ids[i]);
        Assert.Equal(25_000, pool.Count);
        for (var i = 0; i < ids.Length; i += 2)
            ids[i] = pool.Intern($"/var/folders/zz/T/tmp{i:D6}");
        for (var i = 0; i < ids.Length; i++)
            Assert.Equal($"/var/folders/zz/T/tmp{i:D6}", pool.GetString(ids[i]));
    }

    [Fact]
    public void Releasing_many_at_once_counts_each_path_and_sweeps_when_due()
    {
        var pool = new PathPool();
        var ids = Enumerable.Range(0, 10_000).Select(i => pool.Intern($"/merged/{i}")).ToArray();
        pool.AddRef(ids[0]);
        pool.Release(ids.AsSpan(0, 5_000));
        // ids[0] is still held once; 4,999 are unused, past an eighth of the 5,001 held: swept.
        Assert.Equal(5_001, pool.Count);
        Assert.Equal("/merged/0", pool.GetString(ids[0]));
        Assert.False(pool.TryFind("/merged/1", out _));
        var fresh = pool.Intern("/fresh");
        Assert.True(fresh < 10_000, "a swept id is handed out again");
        Assert.Throws<InvalidOperationException>(() => pool.Release(new[] { ids[1] }));
    }

    [Fact]
    public void Threads_interning_and_releasing_the_same_paths_at_once_leave_every_count_right()
    {
        var pool = new PathPool();
        var paths = Enumerable.Range(0, 64).Select(i => $"/shared/{i}").ToArray();
        var failures = 0;
        Parallel.For(0, 4, worker =>
        {
            var random = new Random(worker);
            for (var round = 0; round < 50_000; round++)
            {
                var path = paths[random.Next(paths.Length)];
                var id = pool.Intern(U(path));
                if (pool.GetString(id) != path)
                    Interlocked.Increment(ref failures);
                pool.Release(id);
            }
        });
        Assert.Equal(0, failures);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void A_group_interned_at_once_gets_the_ids_and_references_of_interning_its_paths_one_by_one()
    {
        var pool = new PathPool();
        var random = new Random(7);
        // Paths seen before, new ones, the same path twice in a group, a merged row, an empty path; enough new
        // paths that the table grows while groups are interned.
        var texts = Enumerable.Range(0, 3000).Select(i => $"/group/{i % 2500}/{new string('x', i % 90)}").ToList();
        texts.Insert(100, "<Smaller Files of g>");
        texts.Insert(200, "");
        var expected = new Dictionary<string, int>();
        foreach (var text in texts.Take(500))
            expected[text] = pool.Intern(text);
        var references = texts.Take(500).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var at = 0;
        while (at < texts.Count)
        {
            var group = texts.Skip(at).Take(random.Next(1, PathPool.MaxGroup + 1)).ToList();
            at += group.Count;
            var bytes = new List<byte>();
            var ends = new int[group.Count];
            for (var i = 0; i < group.Count; i++)
            {
                bytes.AddRange(U(group[i]));
                ends[i] = bytes.Count;
            }
            var ids = new int[group.Count];
            pool.Intern(bytes.ToArray(), ends, ids);
            for (var i = 0; i < group.Count; i++)
            {
                Assert.Equal(group[i], pool.GetString(ids[i]));
                if (expected.TryGetValue(group[i], out var id))
                    Assert.Equal(id, ids[i]);
                expected[group[i]] = ids[i];
                references[group[i]] = references.GetValueOrDefault(group[i]) + 1;
            }
        }
        Assert.Equal(expected.Count, pool.Count);
        foreach (var (text, id) in expected)
            Assert.Equal(references[text], pool.RefCount(id));
        Assert.True(PathPool.IsMerged(expected["<Smaller Files of g>"]));
    }

    [Fact]
    public void A_group_with_bytes_that_are_not_utf8_interns_their_decoded_text()
    {
        var pool = new PathPool();
        byte[] bytes = [(byte)'/', (byte)'a', (byte)'/', 0xFF, (byte)'/', (byte)'a'];
        var ids = new int[3];
        pool.Intern(bytes, [2, 4, 6], ids);
        Assert.Equal(ids[0], ids[2]);
        Assert.Equal("/\uFFFD", pool.GetString(ids[1]));
        Assert.Equal(ids[1], pool.Intern("/\uFFFD"));
        Assert.Equal(2, pool.RefCount(ids[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Intern(new byte[65], Enumerable.Range(1, 65).ToArray(), new int[65]));
    }
}
