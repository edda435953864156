using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace IoSnoop.Actors.Interning;

/// <summary>
/// Every file path the process actors hold, stored once as UTF-8 bytes outside the garbage-collected
/// heap's object graph and named by a small integer id. The parsing stage interns the path bytes of each
/// event (no string per event), batches and file tables carry the id (4 bytes instead of a string
/// reference and its 100-odd bytes of UTF-16), and the same path touched by 200 processes is stored once.
/// </summary>
/// <remarks>
/// <para>
/// Ids are reference counted: <see cref="Intern(ReadOnlySpan{byte})"/> and <see cref="AddRef"/> take a
/// reference, <see cref="Release"/> gives one back. Whoever holds a reference may read the id's bytes
/// (<see cref="Bytes"/>, <see cref="GetString"/>) from any thread without a lock: interning takes the
/// pool's lock, and stored bytes never move (they live in fixed slabs of one size class each, so freed
/// room is reused without compacting; the slabs are on the pinned heap, which a collection does not copy).
/// </para>
/// <para>
/// Giving back the last reference takes no lock: the path stays in the table, unused, and comes back to
/// life if it is interned again. A sweep frees the unused ones (their ids and bytes are reused) once they
/// are more than an eighth of those held (and more than <see cref="SweepAtLeast"/>): one pass over the id
/// table in order, instead of a walk through a hash chain for every path a cap round lets go of. Memory is
/// bounded by the most paths held at once, which the file cap bounds, plus that eighth.
/// </para>
/// <para>
/// Bytes that are not valid UTF-8 are interned as the UTF-8 of their decoded text (U+FFFD for each bad
/// sequence), so an id stands for exactly one text and two ids never decode to the same string.
/// </para>
/// </remarks>
public sealed class PathPool
{

    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;
    private const int SlabBytes = 64 * 1024;
    private const byte FlagMerged = 1;

    /// <summary>Set in the ids of <c>&lt;Smaller Files of NAME&gt;</c> rows' paths (<see cref="IsMerged"/>); the
    /// rest of an id is the path's place in the table.</summary>
    public const int MergedBit = 1 << 30;

    private const int PlaceMask = MergedBit - 1;
    private const byte FlagLive = 2;

    private struct Meta
    {
        public int Hash;
        /// <summary>The next id in the bucket's chain, plus one (0: none), as the buckets hold them.</summary>
        public int Next;
        public int Length;
        public int Slab;
        public int Offset;
        public byte Flags;
    }

    /// <summary>Where the next slot of a size class is carved and which slots were freed.</summary>
    private sealed class SizeClass(int slotBytes)
    {
        public readonly int SlotBytes = slotBytes;
        public readonly Stack<(int Slab, int Offset)> Free = new();
        public int Slab = -1;
        public int Next;
    }

    private readonly Lock _lock = new();
    private Meta[][] _meta = new Meta[16][];
    // The reference counts, apart from the metadata: the parser takes references and the process actors give
    // them back on other cores, and a count in the same cache line as a path's hash and place would make
    // every lookup of that path miss the cache.
    private int[][] _refs = new int[16][];
    private byte[]?[] _slabs = new byte[]?[16];
    private int _slabCount;
    private readonly Stack<int> _freeSlabs = new();
    private readonly SizeClass[] _classes = CreateClasses();
    private readonly Stack<int> _freeIds = new();
    private int[] _buckets = new int[1024];
    private int _highWater;
    // Changed by the process actors' releases on another core than the parser's lookups: kept off the cache
    // line of the fields every lookup reads.
    private readonly Counters _counters = new();
    private int _inTable;
    private long _slabBytes;

    /// <summary>Unused paths are swept once there are more than this many (and more than an eighth of those held).</summary>
    public const int SweepAtLeast = 1024;

    /// <summary>Paths held now.</summary>
    public int Count => Volatile.Read(ref _counters.Live);

    /// <summary>The most paths held at once so far (the id table's size).</summary>
    public int HighWater => Volatile.Read(ref _highWater);

    /// <summary>Bytes of slab memory the pool has taken (it keeps them for reuse).</summary>
    public long SlabBytesAllocated => Interlocked.Read(ref _slabBytes);

    /// <summary>The id of these bytes, with one reference taken for the caller.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Intern(ReadOnlySpan<byte> utf8)
    {
        var hash = Utf8Hash.Of(utf8, out var ascii);
        if (!ascii && !Utf8.IsValid(utf8))
            return Intern(Encoding.UTF8.GetString(utf8));
        lock (_lock)
            return InternLocked(utf8, hash);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int InternLocked(ReadOnlySpan<byte> utf8, int hash)
    {
        var id = FindLocked(utf8, hash);
        if (id < 0)
            return Named(AddLocked(utf8, hash));
        if (Interlocked.Increment(ref RefOf(id)) == 1)
        {
            // An unused path back in use.
            Interlocked.Increment(ref _counters.Live);
            Interlocked.Decrement(ref _counters.Unused);
        }
        return Named(id);
    }

    /// <summary>The id given out for a place in the table: a merged row's path has <see cref="MergedBit"/> set.</summary>
    private int Named(int place) => (MetaOf(place).Flags & FlagMerged) != 0 ? place | MergedBit : place;

    /// <summary>Paths <see cref="Intern(ReadOnlySpan{byte}, ReadOnlySpan{int}, Span{int})"/> takes at a time at most.</summary>
    public const int MaxGroup = 64;

    /// <summary>
    /// The ids of several paths at once, one reference taken on each: path <c>i</c> is
    /// <c>bytes[ends[i - 1]..ends[i]]</c> (from 0 for the first). The same as interning them one by one, in
    /// order, but under one lock and with the group's memory reads started together: with a pool of hundreds
    /// of thousands of paths nearly every lookup misses the cache (its bucket, the path's place, its bytes),
    /// and looked up one at a time each waits for the last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Intern(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> ends, Span<int> ids)
    {
        if (ends.Length > MaxGroup)
            throw new ArgumentOutOfRangeException(nameof(ends), $"at most {MaxGroup} paths at a time");
        Span<int> hashes = stackalloc int[ends.Length];
        var valid = true;
        for (var i = 0; i < ends.Length; i++)
        {
            var path = PathAt(bytes, ends, i);
            hashes[i] = Utf8Hash.Of(path, out var ascii);
            valid &= ascii || Utf8.IsValid(path);
        }
        if (!valid)
        {
            // Rare (the tracer printed bytes that are not UTF-8): one by one, each as its decoded text if need be.
            for (var i = 0; i < ends.Length; i++)
                ids[i] = Intern(PathAt(bytes, ends, i));
            return;
        }
        lock (_lock)
        {
            // Touch each path's bucket, then the first path of each chain and its bytes, all before the first
            // comparison: the reads are independent, so the processor has them in flight together. The lookups
            // below then find them in the cache (and still read the bucket again: adding may grow the table).
            var buckets = _buckets;
            var mask = buckets.Length - 1;
            Span<int> heads = stackalloc int[ends.Length];
            for (var i = 0; i < ends.Length; i++)
                heads[i] = buckets[hashes[i] & mask];
            var slabs = _slabs;
            var touched = 0;
            for (var i = 0; i < ends.Length; i++)
            {
                if (heads[i] == 0)
                    continue;
                ref var meta = ref MetaOf(heads[i] - 1);
                if (meta.Hash == hashes[i] && meta.Length > 0)
                    touched += slabs[meta.Slab]![meta.Offset];
            }
            _touched = touched;
            for (var i = 0; i < ends.Length; i++)
                ids[i] = InternLocked(PathAt(bytes, ends, i), hashes[i]);
        }
    }

    /// <summary>Path <paramref name="i"/> of a group: from the end of the one before it to its own end.</summary>
    private static ReadOnlySpan<byte> PathAt(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> ends, int i) =>
        bytes[(i == 0 ? 0 : ends[i - 1])..ends[i]];

    // Keeps the reads that warm the cache from being optimised away.
    private int _touched;

    /// <summary>The id of this text, with one reference taken for the caller.</summary>
    public int Intern(string path) => WithUtf8(path, this, static (bytes, pool) => pool.Intern(bytes));

    /// <summary>The id of this text if someone holds it (no reference is taken: the caller must hold one already
    /// through a table that has the path, or use the id only to look it up there).</summary>
    public bool TryFind(string path, out int id)
    {
        id = WithUtf8(path, this, static (bytes, pool) =>
        {
            lock (pool._lock)
            {
                var found = pool.FindLocked(bytes, Utf8Hash.Of(bytes));
                return found >= 0 && pool.RefCount(found) > 0 ? pool.Named(found) : -1;
            }
        });
        return id >= 0;
    }

    /// <summary>Takes one more reference on an id the caller holds.</summary>
    public void AddRef(int id) => Interlocked.Increment(ref RefOf(id));

    /// <summary>Gives back one reference; after the last one the path is unused, and freed at the next sweep.</summary>
    public void Release(int id) => Release(new ReadOnlySpan<int>(in id));

    /// <summary>Gives back one reference on each of these ids (a cap round's merge: the shared counts are
    /// changed once for all of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Release(ReadOnlySpan<int> ids)
    {
        var unusedNow = 0;
        foreach (var id in ids)
        {
            var left = Interlocked.Decrement(ref RefOf(id));
            if (left == 0)
                unusedNow++;
            else if (left < 0)
                throw new InvalidOperationException($"Path id {id} released more often than taken.");
        }
        if (unusedNow == 0)
            return;
        // The ids may be swept and handed out again from here on: only the counters are touched.
        var live = Interlocked.Add(ref _counters.Live, -unusedNow);
        var unused = Interlocked.Add(ref _counters.Unused, unusedNow);
        if (SweepDue(live, unused))
            Sweep(onlyIfDue: true);
    }

    private static bool SweepDue(int live, int unused) => unused > SweepAtLeast && unused > live / 8;

    /// <summary>Frees every unused path now (it also runs by itself, see the remarks): one pass over the id
    /// table, relinking the paths still held into fresh buckets.</summary>
    /// <remarks>Under the lock no count can rise from zero (only interning revives an unused path, and
    /// <see cref="AddRef"/> needs a reference), so what is seen unused here stays unused.</remarks>
    public void Sweep() => Sweep(onlyIfDue: false);

    /// <param name="onlyIfDue">Releases that saw the count pass the mark at the same time sweep once: the
    /// others find it swept.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Sweep(bool onlyIfDue)
    {
        lock (_lock)
        {
            var unused = Volatile.Read(ref _counters.Unused);
            if (unused <= 0 || (onlyIfDue && !SweepDue(Volatile.Read(ref _counters.Live), unused)))
                return;
            Array.Clear(_buckets);
            var freed = IndexLocked(_buckets, freeUnused: true);
            _inTable -= freed;
            Interlocked.Add(ref _counters.Unused, -freed);
        }
    }

    /// <summary>Links every path in the table into <paramref name="buckets"/> (empty), in id order; with
    /// <paramref name="freeUnused"/>, the unused ones are freed instead. Returns how many were freed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int IndexLocked(int[] buckets, bool freeUnused)
    {
        var freed = 0;
        for (var id = 0; id < _highWater; id++)
        {
            ref var meta = ref MetaOf(id);
            if ((meta.Flags & FlagLive) == 0)
                continue;
            if (freeUnused && Volatile.Read(ref RefOf(id)) == 0)
            {
                if (meta.Length > 0)
                    FreeSlotLocked(meta.Slab, meta.Offset, meta.Length);
                meta = default;
                _freeIds.Push(id);
                freed++;
                continue;
            }
            ref var bucket = ref buckets[meta.Hash & (buckets.Length - 1)];
            meta.Next = bucket;
            bucket = id + 1;
        }
        return freed;
    }

    /// <summary>The UTF-8 bytes of an id the caller holds.</summary>
    public ReadOnlySpan<byte> Bytes(int id)
    {
        ref var meta = ref MetaOf(id);
        if (meta.Length == 0)
            return [];
        return Volatile.Read(ref _slabs)[meta.Slab].AsSpan(meta.Offset, meta.Length);
    }

    public string GetString(int id) => Encoding.UTF8.GetString(Bytes(id));

    /// <summary>Whether the id is a <c>&lt;Smaller Files of NAME&gt;</c> row's path.</summary>
    /// <remarks>Read from the id itself (<see cref="MergedBit"/>): the cap asks this of every entry of every table at
    /// each round, and the path's place in the table would be a cache miss each time.</remarks>
    public static bool IsMerged(int id) => (id & MergedBit) != 0;

    /// <summary>References held on an id (for specs and diagnostics).</summary>
    public int RefCount(int id) => Volatile.Read(ref RefOf(id));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Meta MetaOf(int id) => ref Volatile.Read(ref _meta)[(id & PlaceMask) >> ChunkBits]![id & (ChunkSize - 1)];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref int RefOf(int id) => ref Volatile.Read(ref _refs)[(id & PlaceMask) >> ChunkBits]![id & (ChunkSize - 1)];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FindLocked(ReadOnlySpan<byte> utf8, int hash)
    {
        var slabs = _slabs;
        for (var link = _buckets[hash & (_buckets.Length - 1)]; link != 0;)
        {
            ref var meta = ref MetaOf(link - 1);
            if (meta.Hash == hash && meta.Length == utf8.Length
                && (meta.Length == 0 || slabs[meta.Slab].AsSpan(meta.Offset, meta.Length).SequenceEqual(utf8)))
                return link - 1;
            link = meta.Next;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AddLocked(ReadOnlySpan<byte> utf8, int hash)
    {
        int id;
        if (_freeIds.Count > 0)
            id = _freeIds.Pop();
        else
        {
            if (_highWater == MergedBit)
                throw new InvalidOperationException($"The path pool holds {MergedBit:N0} paths, the most its ids can name.");
            id = _highWater++;
            var chunk = id >> ChunkBits;
            if (chunk == _meta.Length)
            {
                var grown = new Meta[_meta.Length * 2][];
                Array.Copy(_meta, grown, _meta.Length);
                var grownRefs = new int[_refs.Length * 2][];
                Array.Copy(_refs, grownRefs, _refs.Length);
                Volatile.Write(ref _refs, grownRefs);
                Volatile.Write(ref _meta, grown);
            }
            _refs[chunk] ??= new int[ChunkSize];
            _meta[chunk] ??= new Meta[ChunkSize];
        }
        ref var meta = ref MetaOf(id);
        var (slab, offset) = utf8.IsEmpty ? (0, 0) : AllocateLocked(utf8.Length);
        if (!utf8.IsEmpty)
            utf8.CopyTo(_slabs[slab].AsSpan(offset));
        meta.Hash = hash;
        meta.Length = utf8.Length;
        meta.Slab = slab;
        meta.Offset = offset;
        meta.Flags = (byte)(FlagLive | (MergedFiles.IsMergedPath(utf8) ? FlagMerged : 0));
        ref var bucket = ref _buckets[hash & (_buckets.Length - 1)];
        meta.Next = bucket;
        bucket = id + 1;
        Volatile.Write(ref RefOf(id), 1);
        Interlocked.Increment(ref _counters.Live);
        if (++_inTable > _buckets.Length)
            GrowBucketsLocked();
        return id;
    }

    private void GrowBucketsLocked()
    {
        var buckets = new int[_buckets.Length * 2];
        IndexLocked(buckets, freeUnused: false);
        _buckets = buckets;
    }

    private (int Slab, int Offset) AllocateLocked(int length)
    {
        var sizeClass = ClassOf(length);
        if (sizeClass < 0)
            return (NewSlabLocked(length), 0);
        var c = _classes[sizeClass];
        if (c.Free.Count > 0)
            return c.Free.Pop();
        if (c.Slab < 0 || c.Next + c.SlotBytes > SlabBytes)
        {
            c.Slab = NewSlabLocked(SlabBytes);
            c.Next = 0;
        }
        var offset = c.Next;
        c.Next += c.SlotBytes;
        return (c.Slab, offset);
    }

    private void FreeSlotLocked(int slab, int offset, int length)
    {
        var sizeClass = ClassOf(length);
        if (sizeClass >= 0)
        {
            _classes[sizeClass].Free.Push((slab, offset));
            return;
        }
        // A path longer than the largest class had a slab of its own.
        _slabBytes -= _slabs[slab]!.Length;
        _slabs[slab] = null;
        _freeSlabs.Push(slab);
    }

    private int NewSlabLocked(int bytes)
    {
        int slab;
        if (_freeSlabs.Count > 0)
            slab = _freeSlabs.Pop();
        else
        {
            slab = _slabCount++;
            if (slab == _slabs.Length)
            {
                var grown = new byte[]?[_slabs.Length * 2];
                Array.Copy(_slabs, grown, _slabs.Length);
                Volatile.Write(ref _slabs, grown);
            }
        }
        _slabs[slab] = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        _slabBytes += bytes;
        return slab;
    }

    /// <summary>Size classes: 16-byte steps up to 1 KiB, then powers of two up to 64 KiB; -1 beyond.</summary>
    private static int ClassOf(int length) =>
        length <= 1024 ? (length + 15) / 16 - 1
        : length <= SlabBytes ? 64 + BitOperations.Log2((uint)(length - 1)) - 10
        : -1;

    /// <summary>The live and unused counts, each on a cache line of its own.</summary>
    [StructLayout(LayoutKind.Explicit)]
    private sealed class Counters
    {
        [FieldOffset(64)] public int Live;
        [FieldOffset(128)] public int Unused;
        [FieldOffset(188)] private readonly int _end;
    }

    private static SizeClass[] CreateClasses()
    {
        var classes = new List<SizeClass>();
        for (var size = 16; size <= 1024; size += 16)
            classes.Add(new SizeClass(size));
        for (var size = 2048; size <= SlabBytes; size *= 2)
            classes.Add(new SizeClass(size));
        return [.. classes];
    }

    private static T WithUtf8<T>(string text, PathPool pool, Func<ReadOnlySpan<byte>, PathPool, T> use)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            return use(buffer[..Encoding.UTF8.GetBytes(text, buffer)], pool);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
