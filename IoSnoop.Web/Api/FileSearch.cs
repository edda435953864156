using IoSnoop.Web.Security;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>
/// "Which processes touch this path?": the files of every process (the actors' full dump) whose path
/// contains the query (so a path prefix matches too; case-sensitive, as paths are), summed per process.
/// The answer is bounded: at most <c>limit</c> processes, those with the most bytes on matching files, each
/// with its few busiest matching paths. <c>GET /api/search?q=TEXT&amp;limit=N</c> and the hub's
/// <c>SearchFiles(query, limit)</c>. Disk figures (sources that measure the disk beside the files) are summed the
/// same way; the order is by file bytes.
/// </summary>
public static class FileSearch
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;
    public const int MaxQueryLength = 4096;
    /// <summary>Matching paths listed per process.</summary>
    public const int PathsPerProcess = 3;

    public static FileSearchResult Search(FullDump dump, string query, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var hits = new List<FileSearchHit>();
        foreach (var (name, files) in dump.Processes)
        {
            long reads = 0, writes = 0, diskReads = 0, diskWrites = 0;
            var count = 0;
            List<FileSearchPath>? top = null;
            foreach (var f in files)
            {
                if (f.Merged || !f.Path.Contains(query, StringComparison.Ordinal))
                    continue;
                reads = Figures.Add(reads, f.Reads);
                writes = Figures.Add(writes, f.Writes);
                diskReads = Figures.Add(diskReads, f.DiskReads);
                diskWrites = Figures.Add(diskWrites, f.DiskWrites);
                count++;
                top ??= [];
                top.Add(new FileSearchPath(f.Path, f.Reads, f.Writes) { DiskReads = f.DiskReads, DiskWrites = f.DiskWrites });
                if (top.Count > PathsPerProcess)
                {
                    top.Sort(ByBytes);
                    top.RemoveAt(top.Count - 1);
                }
            }
            if (count == 0)
                continue;
            top!.Sort(ByBytes);
            hits.Add(new FileSearchHit(name, reads, writes, count, top) { DiskReads = diskReads, DiskWrites = diskWrites });
        }
        hits.Sort((a, b) => Figures.Add(b.Reads, b.Writes).CompareTo(Figures.Add(a.Reads, a.Writes)) is var c and not 0 ? c : string.CompareOrdinal(a.Name, b.Name));
        var truncated = hits.Count > limit;
        return new FileSearchResult(query, truncated ? hits[..limit] : hits, truncated);
    }

    private static int ByBytes(FileSearchPath a, FileSearchPath b) =>
        Figures.Add(b.Reads, b.Writes).CompareTo(Figures.Add(a.Reads, a.Writes)) is var c and not 0 ? c : string.CompareOrdinal(a.Path, b.Path);

    /// <summary>Why a query cannot be answered, or null.</summary>
    public static string? Invalid(string? query, int? limit) =>
        string.IsNullOrEmpty(query) ? "q: give a path or part of one"
        : query.Length > MaxQueryLength ? $"q: at most {MaxQueryLength} characters"
        : limit is < 1 or > MaxLimit ? $"limit: use 1 to {MaxLimit}"
        : null;

    public static IEndpointRouteBuilder MapFileSearchApi(this IEndpointRouteBuilder routes)
    {
        // A search reads every process's files: it takes a turn among the heavy queries.
        routes.MapGet("/api/search", async (string? q, int? limit, ProcessQueries queries, RefusalLog log, HttpContext http) =>
        {
            if (Invalid(q, limit) is { } error)
                return ApiErrors.BadRequest(http, log, error);
            var dump = await queries.FullDump(http.RequestAborted);
            return Results.Json(Search(dump, q!, limit ?? DefaultLimit), WebJson.Options);
        }).AddEndpointFilter<HeavyQueryFilter>();
        return routes;
    }
}

/// <summary>A matching file: its file bytes and, when the source measures the disk too, its disk bytes (else 0).</summary>
public sealed record FileSearchPath(string Path, long Reads, long Writes)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }
}

/// <summary>A process with the bytes on its matching files only (file and disk figures).</summary>
public sealed record FileSearchHit(string Name, long Reads, long Writes, int Files, IReadOnlyList<FileSearchPath> Top)
{
    public long DiskReads { get; init; }

    public long DiskWrites { get; init; }
}

public sealed record FileSearchResult(string Query, IReadOnlyList<FileSearchHit> Processes, bool Truncated);
