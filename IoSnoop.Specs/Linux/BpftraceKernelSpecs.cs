using IoSnoop.Actors.Events;
using IoSnoop.Actors.Tracing.Linux;
using IoSnoop.Actors.Parsing.Linux;
using Xunit;
using IoSnoop.Actors.Tracing;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// The bpftrace source on this machine's kernel: one tracer for the whole class, each spec with its
/// own uniquely named processes and files. These need root, bpftrace and tracefs; when the machine
/// cannot trace they fail and say why.
/// </summary>
[Collection(BpftraceKernelCollection.Name)]
public sealed class BpftraceKernelSpecs(BpftraceKernelSpecs.Tracer tracer) : IClassFixture<BpftraceKernelSpecs.Tracer>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private TracerRun Run => tracer.Run;

    [Fact]
    public void This_machine_passes_the_preflight_and_its_struct_mount_is_as_the_program_expects()
    {
        var machine = BpftracePreflight.Inspect(new BpftraceOptions());

        Assert.Empty(BpftracePreflight.Problems(machine));
        Assert.NotNull(machine.MountLayout);
    }

    [Fact]
    public async Task Short_lived_processes_are_counted_to_the_byte_per_full_path()
    {
        using var work = new Workload();
        var writer = work.Copy("/usr/bin/dd", "dd");
        var reader = work.Copy("/usr/bin/dd", "dd");
        var data = work.Folder("data");
        var file = Path.Combine(data, "out.bin");

        await Workload.RunAsync(writer.Path, ["if=/dev/zero", $"of={file}", "bs=1000", "count=37", "status=none"], Cancellation);
        await Workload.RunAsync(reader.Path, [$"if={file}", "of=/dev/null", "bs=4096", "status=none"], Cancellation);
        await SettleAsync(() => Run.Sink.Under(reader.Name, IoDirection.Read, data).GetValueOrDefault(file) >= 37_000);

        Assert.Equal(new Dictionary<string, long> { [file] = 37_000 }, Run.Sink.Under(writer.Name, IoDirection.Write, work.Root));
        Assert.Equal(new Dictionary<string, long> { [file] = 37_000 }, Run.Sink.Under(reader.Name, IoDirection.Read, work.Root));
        Assert.Empty(Run.Sink.Under(reader.Name, IoDirection.Write, work.Root));
        Assert.All(Run.Sink.Events.Where(e => e.Process == writer.Name || e.Process == reader.Name), e => Assert.StartsWith("/", e.Path));
    }

    [Fact]
    public async Task Files_on_another_mount_and_opened_by_relative_paths_get_their_full_path()
    {
        using var work = new Workload();
        var writer = work.Copy("/usr/bin/dd", "dd");
        var reader = work.Copy("/usr/bin/dd", "dd");
        var mount = Path.Combine(work.Root, "mnt");
        await work.MountTmpfsAsync(mount, Cancellation);
        var deep = Directory.CreateDirectory(Path.Combine(mount, "deep", "er")).FullName;
        var file = Path.Combine(deep, "x.bin");

        await Workload.RunAsync(writer.Path, ["if=/dev/zero", $"of={file}", "bs=500", "count=10", "status=none"], Cancellation);
        await Workload.RunAsync(reader.Path, ["if=er/x.bin", "of=/dev/null", "bs=64", "status=none"], Cancellation, workingDirectory: Path.Combine(mount, "deep"));
        await SettleAsync(() => Run.Sink.Under(reader.Name, IoDirection.Read, mount).GetValueOrDefault(file) >= 5_000);

        Assert.Equal(new Dictionary<string, long> { [file] = 5_000 }, Run.Sink.Under(writer.Name, IoDirection.Write, work.Root));
        Assert.Equal(new Dictionary<string, long> { [file] = 5_000 }, Run.Sink.Under(reader.Name, IoDirection.Read, work.Root));
        Assert.Equal(5_000 / 64 + 1, Run.Sink.Events.Where(e => e.Process == reader.Name && e.Path == file).Sum(e => e.Events));
    }

    [Fact]
    public async Task Every_call_of_the_read_and_write_families_counts_at_both_ends()
    {
        using var work = new Workload();
        var python = work.Python();
        var script = work.Script("calls.py", Scripts.AllCalls);
        var data = work.Folder("calls");

        await Workload.RunAsync(python.Path, [script, data], Cancellation);
        string At(string name) => Path.Combine(data, name);
        await SettleAsync(() => Run.Sink.Under(python.Name, IoDirection.Write, data).GetValueOrDefault(At("e.dat")) >= 777
            && Run.Sink.Under(python.Name, IoDirection.Read, data).GetValueOrDefault(At("a.dat")) >= Scripts.AllCallsRead);

        Assert.Equal(
            new Dictionary<string, long>
            {
                [At("a.dat")] = Scripts.AllCallsWritten, // write, pwrite64, writev, pwritev, pwritev2
                [At("b.dat")] = 1_234,                   // sendfile64, destination
                [At("c.dat")] = 999,                     // copy_file_range, destination
                [At("d.dat")] = 512,                     // splice from a pipe
                [At("e.dat")] = 777,                     // written by a thread: counts to its process
            },
            Run.Sink.Under(python.Name, IoDirection.Write, data));
        Assert.Equal(
            new Dictionary<string, long> { [At("a.dat")] = Scripts.AllCallsRead }, // the reads, then the sources of sendfile64, copy_file_range, splice
            Run.Sink.Under(python.Name, IoDirection.Read, data));
    }

    [Fact]
    public async Task Pipes_sockets_devices_and_proc_files_are_not_counted()
    {
        using var work = new Workload();
        var python = work.Python();
        var script = work.Script("others.py", Scripts.NotFiles);
        var marker = Path.Combine(work.Folder("out"), "marker");

        await Workload.RunAsync(python.Path, [script, marker], Cancellation);
        await SettleAsync(() => Run.Sink.Under(python.Name, IoDirection.Write, work.Root).ContainsKey(marker));

        var events = Run.Sink.Events.Where(e => e.Process == python.Name).ToArray();
        Assert.Equal([(marker, 42L)], events.Where(e => e.Direction == IoDirection.Write).Select(e => (e.Path, e.Bytes)));
        Assert.All(events, e =>
        {
            Assert.StartsWith("/", e.Path);
            Assert.False(e.Path.StartsWith("/proc/", StringComparison.Ordinal) || e.Path.StartsWith("/sys/", StringComparison.Ordinal) || e.Path.StartsWith("/dev/", StringComparison.Ordinal), e.Path);
        });
    }

    [Fact]
    public async Task A_file_deleted_and_created_again_with_the_same_inode_number_is_another_file()
    {
        using var work = new Workload();
        var python = work.Python();
        var script = work.Script("reuse.py", Scripts.ReuseInode);
        var data = work.Folder("reuse");

        var output = await Workload.RunAsync(python.Path, [script, data], Cancellation);
        var round = output.Split(' ')[0];
        var first = Path.Combine(data, $"first{round}");
        var second = Path.Combine(data, $"second{round}");
        await SettleAsync(() => Run.Sink.Under(python.Name, IoDirection.Write, data).ContainsKey(second));

        var written = Run.Sink.Under(python.Name, IoDirection.Write, data);
        Assert.Equal(111, written[first]);
        Assert.Equal(222, written[second]);
    }

    [Fact]
    public async Task Names_longer_than_the_string_limit_are_cut_and_marked()
    {
        using var work = new Workload();
        var writer = work.Copy("/usr/bin/dd", "dd");
        var data = work.Folder("long");
        var name = new string('n', 200);

        await Workload.RunAsync(writer.Path, ["if=/dev/zero", $"of={Path.Combine(data, name)}", "bs=10", "count=1", "status=none"], Cancellation);
        var shown = Path.Combine(data, name[..(Run.Source.Options.StringLength - 1)]) + "…";
        await SettleAsync(() => Run.Sink.Under(writer.Name, IoDirection.Write, data).Count > 0);

        Assert.Equal(new Dictionary<string, long> { [shown] = 10 }, Run.Sink.Under(writer.Name, IoDirection.Write, data));
    }

    /// <summary>Waits until the spec's bytes showed up, then one more interval, so that any extra bytes would have shown too.</summary>
    private async Task SettleAsync(Func<bool> arrived)
    {
        await Run.WaitUntilAsync(arrived, TimeSpan.FromSeconds(60), "the spec's I/O to be reported", Cancellation);
        await Run.WaitForIntervalsAsync(1, Cancellation);
        Assert.Empty(Run.Sink.MalformedLines);
        Assert.Equal(0, Run.Sink.Dropped);
    }

    /// <summary>One bpftrace for all specs of the class (starting it takes ~6 s).</summary>
    public sealed class Tracer : IAsyncLifetime
    {
        private TracerRun? _run;

        internal TracerRun Run => _run ?? throw new InvalidOperationException("The tracer did not start.");

        public async ValueTask InitializeAsync() =>
            _run = await TracerRun.StartAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_run is not null)
                await _run.DisposeAsync();
        }
    }
}

/// <summary>The specs that start bpftrace run one after another: two tracers would slow each other down.</summary>
public static class BpftraceKernelCollection
{
    public const string Name = "bpftrace on this kernel";
}

internal static class Scripts
{
    public const long AllCallsWritten = 1_001 + 502 + 304 + 100 + 50 + 70;

    public const long AllCallsRead = 700 + 300 + 300 + 400 + 60 + 80 + 1_234 + 999 + 512;

    /// <summary>All 13 calls on files in argv[1] (python's os module uses pwritev2/preadv2, so pwritev/preadv go through libc).</summary>
    public const string AllCalls = """
        import ctypes, os, sys, threading
        d = sys.argv[1]
        A, B, C, D, E = (os.path.join(d, n) for n in ("a.dat", "b.dat", "c.dat", "d.dat", "e.dat"))
        libc = ctypes.CDLL(None, use_errno=True)
        class iovec(ctypes.Structure):
            _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
        for f in (libc.pwritev, libc.preadv):
            f.argtypes = [ctypes.c_int, ctypes.POINTER(iovec), ctypes.c_int, ctypes.c_long]
        def vec(n):
            buf = ctypes.create_string_buffer(b"v" * n)
            return buf, iovec(ctypes.cast(buf, ctypes.c_void_p), n)
        a = os.open(A, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        assert os.write(a, b"a" * 1001) == 1001
        assert os.pwrite(a, b"b" * 502, 2000) == 502
        assert os.writev(a, [b"c" * 300, b"d" * 4]) == 304
        assert os.pwritev(a, [b"e" * 100], 5000) == 100
        assert os.pwritev(a, [b"f" * 50], 6000, os.RWF_DSYNC) == 50
        buf, v = vec(70)
        assert libc.pwritev(a, ctypes.byref(v), 1, 7000) == 70
        os.lseek(a, 0, os.SEEK_SET)
        assert len(os.read(a, 700)) == 700
        assert len(os.pread(a, 300, 0)) == 300
        assert os.readv(a, [bytearray(200), bytearray(100)]) == 300
        assert os.preadv(a, [bytearray(400)], 0) == 400
        assert os.preadv(a, [bytearray(60)], 0, os.RWF_NOWAIT) == 60
        buf, v = vec(80)
        assert libc.preadv(a, ctypes.byref(v), 1, 0) == 80
        b = os.open(B, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        assert os.sendfile(b, a, 0, 1234) == 1234
        c = os.open(C, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        assert os.copy_file_range(a, c, 999, 0) == 999
        r, w = os.pipe()
        assert os.splice(a, w, 512, offset_src=0) == 512
        dd = os.open(D, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        assert os.splice(r, dd, 512) == 512
        def worker():
            e = os.open(E, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            assert os.write(e, b"t" * 777) == 777
            os.close(e)
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        """;

    /// <summary>I/O on everything but regular files of real filesystems, then 42 bytes to argv[1].</summary>
    public const string NotFiles = """
        import os, socket, sys
        r, w = os.pipe()
        os.write(w, b"p" * 100)
        os.read(r, 100)
        s1, s2 = socket.socketpair()
        os.write(s1.fileno(), b"s" * 200)
        os.read(s2.fileno(), 200)
        for path in ("/proc/self/status", "/proc/meminfo", "/sys/kernel/mm/transparent_hugepage/enabled", "/sys/fs/cgroup/cgroup.controllers"):
            try:
                with open(path, "rb") as f:
                    f.read()
            except OSError:
                pass
        with open("/dev/null", "wb") as f:
            f.write(b"n" * 300)
        with open("/dev/zero", "rb") as f:
            f.read(400)
        with open(sys.argv[1], "wb") as f:
            f.write(b"m" * 42)
        """;

    /// <summary>Writes 111 bytes to firstN, deletes it and writes 222 bytes to secondN until both had the same inode number.</summary>
    public const string ReuseInode = """
        import os, sys
        d = sys.argv[1]
        for k in range(200):
            a, b = os.path.join(d, "first%d" % k), os.path.join(d, "second%d" % k)
            fd = os.open(a, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, b"1" * 111)
            ino_a = os.fstat(fd).st_ino
            os.close(fd)
            os.unlink(a)
            fd = os.open(b, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, b"2" * 222)
            ino_b = os.fstat(fd).st_ino
            os.close(fd)
            if ino_a == ino_b:
                print(k, ino_a)
                sys.exit(0)
            os.unlink(b)
        sys.exit("the filesystem never gave the same inode number again: cannot check")
        """;
}
