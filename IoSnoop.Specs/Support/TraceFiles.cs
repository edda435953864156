using System.Diagnostics;
using System.Text;

namespace IoSnoop.Specs.Support;

/// <summary>Trace files for the specs, and totals computed from them independently of the daemon's parser.</summary>
public static class TraceFiles
{
    /// <summary>Runs the shared generator (the original's line format).</summary>
    public static string Generate(string dir, int events, int procs, int paths, bool hostile = false, int seed = 7)
    {
        var script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gen_trace.py"));
        var output = Path.Combine(dir, $"gen-{events}-{procs}-{paths}-{seed}{(hostile ? "-h" : "")}.trace");
        var info = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--events", $"{events}", "--procs", $"{procs}", "--paths", $"{paths}", "--seed", $"{seed}" })
            info.ArgumentList.Add(a);
        if (hostile)
            info.ArgumentList.Add("--hostile");
        using var process = Process.Start(info)!;
        using (var file = File.Create(output))
            process.StandardOutput.BaseStream.CopyTo(file);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"gen_trace.py failed with {process.ExitCode}");
        return output;
    }

    public sealed record Expected(long Events, Dictionary<string, (long Reads, long Writes)> Processes)
    {
        public long Reads => Processes.Values.Sum(p => p.Reads);
        public long Writes => Processes.Values.Sum(p => p.Writes);
    }

    /// <summary>
    /// Sums a file of original-format lines with a deliberately plain reading: split at the first three
    /// bars, the flag an integer, the size all digits that fit in a long, the path not empty after "??".
    /// </summary>
    public static Expected Sum(string path)
    {
        var processes = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        long events = 0;
        foreach (var raw in File.ReadAllBytes(path).AsSpan().ToArray().Split((byte)'\n'))
        {
            var line = Encoding.UTF8.GetString(raw);
            if (line.EndsWith('\r'))
                line = line[..^1];
            var parts = line.Split('|', 4);
            if (parts.Length < 4 || parts[0].Length == 0)
                continue;
            var flag = parts[1].StartsWith('-') || parts[1].StartsWith('+') ? parts[1][1..] : parts[1];
            if (flag.Length == 0 || !flag.All(char.IsAsciiDigit))
                continue;
            if (parts[2].Length == 0 || !parts[2].All(char.IsAsciiDigit) || !long.TryParse(parts[2], out var bytes))
                continue;
            var p = parts[3].StartsWith("??") ? parts[3][2..] : parts[3];
            if (p.Length == 0)
                continue;
            var isRead = flag.Any(c => c != '0');
            processes.TryGetValue(parts[0], out var t);
            processes[parts[0]] = isRead ? (t.Item1 + bytes, t.Item2) : (t.Item1, t.Item2 + bytes);
            events++;
        }
        return new Expected(events, processes);
    }

    private static IEnumerable<byte[]> Split(this byte[] data, byte separator)
    {
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != separator)
                continue;
            yield return data[start..i];
            start = i + 1;
        }
        if (start < data.Length)
            yield return data[start..];
    }
}
