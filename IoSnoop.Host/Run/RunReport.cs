using System.Globalization;
using System.Text;
using System.Text.Json;
using IoSnoop.Actors.Instances;

namespace IoSnoop.Host.Run;

/// <summary>
/// What <c>iosnoopng run</c> reports when its command has exited: the followed tree's figures (see
/// <see cref="FollowReport"/>), the command's exit status and the time it ran.
/// </summary>
/// <param name="Tracer">Who traced: <c>daemon</c> (the daemon at -a) or <c>own</c> (this process's tracer).</param>
/// <param name="Complete">The tracer had reported the command's end when the figures were taken; false when it did
/// not within the wait (the figures may miss the last second).</param>
public sealed record RunReport(
    IReadOnlyList<string> Command, int ExitCode, double ElapsedSeconds, string Tracer, bool Complete, FollowReport Tree)
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false };

    /// <summary>The folders of the files (their parent directories), summed, most bytes first.</summary>
    public IReadOnlyList<(string Path, long Reads, long Writes)> Folders() =>
        Tree.Files.Where(f => f.Path != ProcessTree.OtherFiles)
            .GroupBy(f => Folder(f.Path), StringComparer.Ordinal)
            .Select(g => (Path: g.Key, Reads: g.Sum(f => f.Reads), Writes: g.Sum(f => f.Writes)))
            .OrderByDescending(g => g.Reads + g.Writes).ThenBy(g => g.Path, StringComparer.Ordinal)
            .ToArray();

    /// <summary>A file's folder: the path up to its last <c>/</c> (<c>/</c> for a file at the root; a partial path's own prefix).</summary>
    public static string Folder(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash switch
        {
            < 0 => ".",
            0 => "/",
            _ => path[..slash],
        };
    }

    /// <summary>The report for people: a few lines, the top <paramref name="top"/> of each list.</summary>
    public string Text(int top)
    {
        var t = Tree;
        var text = new StringBuilder();
        var status = ExitCode > 128 ? $"exit status {ExitCode} (signal {ExitCode - 128})" : $"exit status {ExitCode}";
        text.Append(CultureInfo.InvariantCulture,
            $"iosnoopng run: {string.Join(' ', Command)} (pid {t.Pid}): {status}, {ElapsedSeconds:0.00} s\n");
        text.Append(CultureInfo.InvariantCulture, $"  read {Bytes(t.TreeReads)}, written {Bytes(t.TreeWrites)}");
        if (t.DiskReads > 0 || t.DiskWrites > 0)
            text.Append(CultureInfo.InvariantCulture, $" (disk: read {Bytes(t.DiskReads)}, written {Bytes(t.DiskWrites)})");
        var instances = t.Processes.Sum(p => p.Instances);
        text.Append(CultureInfo.InvariantCulture, $", {instances} process{(instances == 1 ? "" : "es")}\n");

        var processes = t.Processes.Where(p => p.Instances > 0 || p.Reads > 0 || p.Writes > 0).Take(top).ToArray();
        if (processes.Length > 0)
        {
            var width = Math.Max(7, processes.Max(p => p.Name.Length));
            text.Append(CultureInfo.InvariantCulture, $"\n  {"process".PadRight(width)}  {"count",5}  {"read",10}  {"written",10}\n");
            foreach (var p in processes)
                text.Append(CultureInfo.InvariantCulture,
                    $"  {p.Name.PadRight(width)}  {p.Instances,5}  {Bytes(p.Reads),10}  {Bytes(p.Writes),10}\n");
        }
        // Files with disk bytes only (metadata, pages read through mmap) are in the JSON, not in these tables.
        Table(text, "file", t.Files.Where(f => f.Reads > 0 || f.Writes > 0).Take(top).Select(f => (f.Path, f.Reads, f.Writes)).ToArray());
        Table(text, "folder", Folders().Where(f => f.Reads > 0 || f.Writes > 0).Take(top).ToArray());
        if (t.Running > 0)
            text.Append(CultureInfo.InvariantCulture,
                $"\n  {t.Running} process{(t.Running == 1 ? "" : "es")} of the tree still running: the figures so far\n");
        if (!Complete)
            text.Append("\n  the tracer had not reported the command's end: the last second may be missing\n");
        return text.ToString();
    }

    private static void Table(StringBuilder text, string title, IReadOnlyList<(string Path, long Reads, long Writes)> rows)
    {
        if (rows.Count == 0)
            return;
        text.Append(CultureInfo.InvariantCulture, $"\n  {"read",10}  {"written",10}  {title}\n");
        foreach (var (path, reads, writes) in rows)
            text.Append(CultureInfo.InvariantCulture, $"  {Bytes(reads),10}  {Bytes(writes),10}  {path}\n");
    }

    /// <summary>The report as one JSON object on one line: every process name, file and folder.</summary>
    public string Json()
    {
        var t = Tree;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("pid", t.Pid);
            json.WriteStartArray("command");
            foreach (var word in Command)
                json.WriteStringValue(word);
            json.WriteEndArray();
            json.WriteNumber("exitCode", ExitCode);
            json.WriteNumber("elapsedSeconds", Math.Round(ElapsedSeconds, 3));
            json.WriteNumber("treeReads", t.TreeReads);
            json.WriteNumber("treeWrites", t.TreeWrites);
            json.WriteNumber("diskReads", t.DiskReads);
            json.WriteNumber("diskWrites", t.DiskWrites);
            json.WriteNumber("running", t.Running);
            json.WriteBoolean("complete", Complete);
            json.WriteString("tracer", Tracer);
            json.WriteStartArray("processes");
            foreach (var p in t.Processes)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteNumber("instances", p.Instances);
                json.WriteNumber("reads", p.Reads);
                json.WriteNumber("writes", p.Writes);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("files");
            foreach (var f in t.Files)
            {
                json.WriteStartObject();
                json.WriteString("path", f.Path);
                json.WriteNumber("reads", f.Reads);
                json.WriteNumber("writes", f.Writes);
                json.WriteNumber("diskReads", f.DiskReads);
                json.WriteNumber("diskWrites", f.DiskWrites);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("folders");
            foreach (var (path, reads, writes) in Folders())
            {
                json.WriteStartObject();
                json.WriteString("path", path);
                json.WriteNumber("reads", reads);
                json.WriteNumber("writes", writes);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Bytes as people read them: <c>512 B</c>, <c>1.5 KiB</c>, <c>12.0 MiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
