using System.Text.Json;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Interning;

namespace IoSnoop.Web.Api;

/// <summary>
/// The original tool's JSON shapes, written key by key so that the keys and their order are exactly
/// the original's (scripts and the <c>-f</c> file depend on them). The original measures file I/O only: a
/// process or file with disk bytes and no file bytes at all (a filesystem's metadata, a file only mapped into
/// memory) is left out here rather than shown with 0/0; our own routes and the hub carry it.
/// </summary>
public static class CompatJson
{
    // The writers call pace after each entry: it sends what piled up and waits for a slow client (JsonStream).

    public static async Task WriteStats(Utf8JsonWriter json, Overview overview, Func<ValueTask> pace)
    {
        json.WriteStartObject();
        json.WriteNumber("events", overview.Totals.Events);
        json.WritePropertyName("processStats");
        json.WriteStartObject();
        foreach (var p in overview.Processes)
        {
            if (DiskOnly(p.Reads, p.Writes, p.DiskReads, p.DiskWrites))
                continue;
            json.WritePropertyName(p.Name);
            WriteEntry(json, p.Writes, p.Reads, p.LastUpdated);
            await pace();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static async Task WriteFiles(Utf8JsonWriter json, IEnumerable<FileSummary> files, Func<ValueTask> pace)
    {
        json.WriteStartObject();
        foreach (var f in files)
        {
            if (DiskOnly(f.Reads, f.Writes, f.DiskReads, f.DiskWrites))
                continue;
            json.WritePropertyName(f.Path);
            WriteEntry(json, f.Writes, f.Reads, f.LastUpdated);
            await pace();
        }
        json.WriteEndObject();
    }

    public static async Task WriteFull(Utf8JsonWriter json, FullDump dump, Func<ValueTask> pace)
    {
        json.WriteStartObject();
        json.WritePropertyName("processStats");
        json.WriteStartObject();
        foreach (var (name, files) in dump.Processes)
        {
            if (files.Count > 0 && files.All(f => DiskOnly(f.Reads, f.Writes, f.DiskReads, f.DiskWrites)))
                continue;
            json.WritePropertyName(name);
            await WriteFiles(json, files, pace);
        }
        json.WriteEndObject();
        json.WriteNumber("events", dump.Events);
        json.WriteEndObject();
    }

    /// <summary>Disk bytes without any file bytes: not a figure of the original's.</summary>
    internal static bool DiskOnly(long reads, long writes, long diskReads, long diskWrites) =>
        reads == 0 && writes == 0 && (diskReads != 0 || diskWrites != 0);

    private static void WriteEntry(Utf8JsonWriter json, long writes, long reads, DateTimeOffset lastUpdated)
    {
        json.WriteStartObject();
        json.WriteNumber("writes", writes);
        json.WriteNumber("reads", reads);
        json.WriteString("lastUpdated", lastUpdated);
        json.WriteEndObject();
    }

    /// <summary>Reads a <c>/api/stats-full</c> document (the original's <c>-f</c> stats file).</summary>
    public static FullDump ReadFull(Stream stream)
    {
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var events = root.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt64() : 0;
        var processes = new Dictionary<string, IReadOnlyList<FileSummary>>(StringComparer.Ordinal);
        if (root.TryGetProperty("processStats", out var stats) && stats.ValueKind == JsonValueKind.Object)
        {
            foreach (var process in stats.EnumerateObject())
            {
                var files = new List<FileSummary>();
                if (process.Value.ValueKind != JsonValueKind.Object)
                    continue;
                foreach (var file in process.Value.EnumerateObject())
                {
                    var v = file.Value;
                    var reads = v.TryGetProperty("reads", out var r) ? r.GetInt64() : 0;
                    var writes = v.TryGetProperty("writes", out var w) ? w.GetInt64() : 0;
                    var last = v.TryGetProperty("lastUpdated", out var l) && l.ValueKind == JsonValueKind.String
                        ? l.GetDateTimeOffset()
                        : DateTimeOffset.UnixEpoch;
                    files.Add(new FileSummary(file.Name, reads, writes, last, 0, MergedFiles.IsMergedPath(file.Name)));
                }
                processes[process.Name] = files;
            }
        }
        return new FullDump(events, processes);
    }
}
