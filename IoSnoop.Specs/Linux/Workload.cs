using System.Diagnostics;
using IoSnoop.Actors.Events;

namespace IoSnoop.Specs.Linux;

/// <summary>
/// A temporary folder with uniquely named copies of tools, so that the processes of one spec can be
/// picked out of everything else the machine does; also mounts that are undone at the end.
/// </summary>
internal sealed class Workload : IDisposable
{
    private readonly List<string> _mounts = new();

    public Workload()
    {
        var created = Directory.CreateTempSubdirectory("iosnoop-spec-").FullName;
        // The canonical path (the temp folder may sit behind a symlink): the tracer reports what the kernel resolved.
        using var realpath = Process.Start(new ProcessStartInfo("realpath", [created]) { RedirectStandardOutput = true })!;
        var canonical = realpath.StandardOutput.ReadToEnd().Trim();
        realpath.WaitForExit();
        Root = canonical.Length > 0 ? canonical : created;
        Directory.CreateDirectory(Bin);
    }

    public string Root { get; }

    private string Bin => Path.Combine(Root, "bin");

    /// <summary>A copy of <paramref name="program"/> under a name no other process has (the process name is the file name).</summary>
    public Tool Copy(string program, string prefix)
    {
        var name = UniqueName(prefix);
        var path = Path.Combine(Bin, name);
        File.Copy(program, path);
        return new Tool(name, path);
    }

    /// <summary>python3 under a unique name: exec through a symlink names the process after the link.</summary>
    public Tool Python()
    {
        var name = UniqueName("py");
        var path = Path.Combine(Bin, name);
        File.CreateSymbolicLink(path, "/usr/bin/python3");
        return new Tool(name, path);
    }

    /// <summary>Writes a script into the bin folder (not where the spec's files are counted).</summary>
    public string Script(string name, string text)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, text);
        return path;
    }

    public string Folder(params string[] parts)
    {
        var path = Path.Combine([Root, .. parts]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Mounts a small tmpfs at <paramref name="path"/>; it is unmounted on dispose.</summary>
    public async Task MountTmpfsAsync(string path, CancellationToken cancellation)
    {
        Directory.CreateDirectory(path);
        await RunAsync("mount", ["-t", "tmpfs", "-o", "size=16m", "iosnoop-spec", path], cancellation);
        _mounts.Add(path);
    }

    /// <summary>Runs a program to its end and returns its stdout; fails when it exits with an error.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellation, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public void Dispose()
    {
        foreach (var mount in Enumerable.Reverse(_mounts))
        {
            using var umount = Process.Start("umount", ["-l", mount]);
            umount.WaitForExit(TimeSpan.FromSeconds(30));
        }
        Directory.Delete(Root, recursive: true);
    }

    private static string UniqueName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    public sealed record Tool(string Name, string Path);
}

internal static class SinkExtensions
{
    /// <summary>Bytes per path of one process name and direction, for paths under <paramref name="folder"/>.</summary>
    public static Dictionary<string, long> Under(this CollectingSink sink, string process, IoDirection direction, string folder) =>
        sink.Events
            .Where(e => e.Process == process && e.Direction == direction && e.Path.StartsWith(folder + "/", StringComparison.Ordinal))
            .GroupBy(e => e.Path)
            .ToDictionary(g => g.Key, g => g.Sum(e => e.Bytes));
}
