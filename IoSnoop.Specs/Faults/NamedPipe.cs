using System.Diagnostics;

namespace IoSnoop.Specs.Faults;

/// <summary>
/// A named pipe (FIFO) that the daemon replays (<c>--source replay --replay PIPE</c>) while the spec
/// writes to it: a live stand-in for a tracer's stdout, with the daemon's read blocking like on a tracer.
/// </summary>
public sealed class NamedPipe : IAsyncDisposable
{
    private readonly Task<FileStream> _writer;

    private NamedPipe(string path)
    {
        Path = path;
        // Opening for writing waits until the daemon opens the pipe for reading.
        _writer = Task.Run(() => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1));
    }

    public string Path { get; }

    public static NamedPipe Create(string directory)
    {
        var path = System.IO.Path.Combine(directory, "feed");
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
            throw new InvalidOperationException($"mkfifo {path} failed with {mkfifo.ExitCode}");
        return new NamedPipe(path);
    }

    /// <summary>The write end, once the daemon has opened the read end.</summary>
    public async Task<FileStream> Writer(TimeSpan within) => await _writer.WaitAsync(within);

    public async ValueTask DisposeAsync()
    {
        if (_writer.IsCompletedSuccessfully)
        {
            try
            {
                await _writer.Result.DisposeAsync();
            }
            catch (IOException)
            {
                // The reader is gone.
            }
        }
    }
}
