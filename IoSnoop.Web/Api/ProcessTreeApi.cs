using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using IoSnoop.Actors.Instances;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IoSnoop.Web.Api;

/// <summary>
/// Process instances (ours, beside the original's API; the bpftrace source only): <c>GET /api/processes</c>
/// lists them, newest first (<c>?running=true</c>, <c>?name=</c>, <c>?group=</c>, <c>?limit=</c>, default 100);
/// <c>GET /api/processes/{pid}</c> the latest instance with that pid, with its own and its tree's bytes and
/// its children (file and disk bytes); <c>GET /api/groups</c> the bytes per group (cgroup). Kept in the database with the other
/// figures (when there is one), the groups' sums too, so the tree and the groups survive a restart.
/// With a source that gives no instances (fs_usage) an empty list carries the reason in the <see cref="NoteHeader"/>
/// header and a 404 says it in its error text.
/// <para><c>POST /api/follow</c> <c>{"pid": N}</c> follows the tree of a running process (what <c>iosnoopng run</c>
/// asks for): <c>GET /api/follow/{pid}</c> then gives its totals, its bytes per process name and per file;
/// <c>DELETE /api/follow/{pid}</c> ends the follow. Following changes no figures, so <c>--read-only</c> allows it.</para>
/// </summary>
public static class ProcessTreeApi
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 100_000;

    /// <summary>The header of an empty list that says why the source gives no process instances.</summary>
    public const string NoteHeader = "X-Iosnoopng-Note";

    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapProcessTreeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/processes", Read, async (string? running, string? name, string? group, string? limit, ProcessTreeQueries q,
            ProcessQueries stats, RefusalLog log, HttpContext http) =>
        {
            if (running is not (null or "" or "true" or "false"))
                return ApiErrors.BadRequest(http, log, "running: use true or false");
            var count = DefaultLimit;
            if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count)
                                                 || count is < 1 or > MaxLimit))
                return ApiErrors.BadRequest(http, log, $"limit: use a whole number from 1 to {MaxLimit}");
            var only = string.IsNullOrEmpty(name) ? null : name;
            if (only is not null && ApiLimits.NameProblem(only) is { } problem)
                return ApiErrors.BadRequest(http, log, $"name: {problem}");
            var inGroup = string.IsNullOrEmpty(group) ? null : group;
            if (inGroup is not null && inGroup.Length > ApiLimits.MaxNameLength)
                return ApiErrors.BadRequest(http, log, $"group: a group name is at most {ApiLimits.MaxNameLength} characters");
            var list = await q.List(running == "true", only, count, http.RequestAborted, inGroup);
            if (list.Instances.Count == 0 && await WhyNone(stats, http) is { } why)
                http.Response.Headers[NoteHeader] = why;
            if (StatsApi.Head(http))
                return Results.Empty;
            return Results.Json(list.Instances.Select(InstanceDto.From), WebJson.Options);
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapMethods("/api/processes/{pid}", Read, async (string pid, ProcessTreeQueries q, ProcessQueries stats, RefusalLog log,
            HttpContext http) =>
        {
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                return ApiErrors.BadRequest(http, log, "use /api/processes/PID with a process id (a whole number from 1)");
            var found = await q.Latest(number, http.RequestAborted);
            if (found.Detail is not { } detail)
                return ApiErrors.Error(http, log, StatusCodes.Status404NotFound,
                    await WhyNone(stats, http) is { } why
                        ? $"no process instance with pid {number} is held: {why}"
                        : $"no process instance with pid {number} is held");
            if (StatsApi.Head(http))
                return Results.Empty;
            return Results.Json(InstanceTreeDto.From(detail), WebJson.Options);
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapPost("/api/follow", async (ProcessTreeQueries q, RefusalLog log, HttpContext http) =>
        {
            int pid;
            try
            {
                var body = await System.Text.Json.JsonSerializer.DeserializeAsync<FollowRequest>(http.Request.Body, WebJson.Options, http.RequestAborted);
                pid = body?.Pid ?? 0;
            }
            catch (System.Text.Json.JsonException)
            {
                pid = 0;
            }
            if (pid < 1)
                return ApiErrors.BadRequest(http, log, "send {\"pid\": N} with the pid of a running process");
            var started = await q.Follow(pid, http.RequestAborted);
            if (started.Problem is { } problem)
                return ApiErrors.Error(http, log, problem.StartsWith("no process", StringComparison.Ordinal)
                    ? StatusCodes.Status404NotFound : StatusCodes.Status429TooManyRequests, problem);
            var found = await q.Followed(pid, http.RequestAborted);
            return found.Report is { } report
                ? Results.Json(FollowDto.From(report), WebJson.Options, statusCode: StatusCodes.Status201Created)
                : ApiErrors.Error(http, log, StatusCodes.Status404NotFound, $"the tree of pid {pid} is not followed");
        });
        routes.MapMethods("/api/follow/{pid}", Read, async (string pid, ProcessTreeQueries q, RefusalLog log, HttpContext http) =>
        {
            if (!TryPid(pid, out var number))
                return ApiErrors.BadRequest(http, log, "use /api/follow/PID with a process id (a whole number from 1)");
            var found = await q.Followed(number, http.RequestAborted);
            if (found.Report is not { } report)
                return ApiErrors.Error(http, log, StatusCodes.Status404NotFound, $"the tree of pid {number} is not followed");
            return StatsApi.Head(http) ? Results.Empty : Results.Json(FollowDto.From(report), WebJson.Options);
        });
        routes.MapDelete("/api/follow/{pid}", async (string pid, ProcessTreeQueries q, RefusalLog log, HttpContext http) =>
        {
            if (!TryPid(pid, out var number))
                return ApiErrors.BadRequest(http, log, "use /api/follow/PID with a process id (a whole number from 1)");
            var done = await q.Unfollow(number, http.RequestAborted);
            return done.WasFollowed
                ? Results.NoContent()
                : ApiErrors.Error(http, log, StatusCodes.Status404NotFound, $"the tree of pid {number} is not followed");
        });
        routes.MapMethods("/api/groups", Read, async (ProcessTreeQueries q, HttpContext http) =>
        {
            if (StatsApi.Head(http))
                return Results.Empty;
            var groups = await q.Groups(http.RequestAborted);
            // An object keyed by the group's name, most bytes first.
            var answer = new Dictionary<string, GroupDto>(StringComparer.Ordinal);
            foreach (var g in groups.Groups)
                answer[g.Name] = new GroupDto(g.Reads, g.Writes, g.Processes, g.DiskReads, g.DiskWrites);
            return Results.Json(answer, WebJson.Options);
        });
        return routes;
    }

    /// <summary>Why the running source gives no process instances, or null when it can.</summary>
    private static async Task<string?> WhyNone(ProcessQueries stats, HttpContext http) =>
        ProcessTreeSources.WhyNone((await stats.Overview(http.RequestAborted)).Source.Name);

    private static bool TryPid(string text, out int pid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid >= 1;

    /// <summary>The body of <c>POST /api/follow</c>.</summary>
    public sealed record FollowRequest(int Pid);

    /// <summary>A followed tree: totals (all its instances' bytes), per name and per file (since the follow), most bytes first.</summary>
    public sealed record FollowDto(
        int Pid, string Name, string? Exe, DateTimeOffset? Started, DateTimeOffset? Ended, int Running,
        long TreeReads, long TreeWrites, long DiskReads, long DiskWrites,
        IReadOnlyList<FollowedName> Processes, IReadOnlyList<FollowedFile> Files)
    {
        public static FollowDto From(FollowReport r) => new(r.Pid, r.Name, r.Exe, r.Started, r.Ended, r.Running,
            r.TreeReads, r.TreeWrites, r.DiskReads, r.DiskWrites, r.Processes, r.Files);
    }

    /// <summary>One group's bytes: what its instances read and wrote (exited ones included), how many there were, and
    /// their disk bytes.</summary>
    public sealed record GroupDto(long Reads, long Writes, long Processes, long DiskReads, long DiskWrites);

    /// <summary>One instance: <c>ended</c> null while it runs; <c>reads</c>/<c>writes</c> its own bytes, <c>tree*</c> with all
    /// descendants, <c>disk*</c>/<c>treeDisk*</c> the same in the disk layer; <c>exitCode</c> its exit status when the tracer
    /// saw it, else null.</summary>
    public sealed record InstanceDto(
        int Pid, int Ppid, string Name, string? Exe, string? Group, DateTimeOffset? Started, DateTimeOffset? Ended,
        long Reads, long Writes, long TreeReads, long TreeWrites, long DiskReads, long DiskWrites, long TreeDiskReads, long TreeDiskWrites)
    {
        public int? ExitCode { get; init; }

        public static InstanceDto From(InstanceInfo i) =>
            new(i.Pid, i.Ppid, i.Name, i.Exe, i.Group, i.Started, i.Ended, i.Reads, i.Writes, i.TreeReads, i.TreeWrites,
                i.DiskReads, i.DiskWrites, i.TreeDiskReads, i.TreeDiskWrites) { ExitCode = i.ExitCode };
    }

    /// <summary>One instance with its children (each without children of its own).</summary>
    public sealed record InstanceTreeDto(
        int Pid, int Ppid, string Name, string? Exe, string? Group, DateTimeOffset? Started, DateTimeOffset? Ended,
        long Reads, long Writes, long TreeReads, long TreeWrites, long DiskReads, long DiskWrites, long TreeDiskReads, long TreeDiskWrites,
        IReadOnlyList<InstanceDto> Children)
    {
        public int? ExitCode { get; init; }

        public static InstanceTreeDto From(InstanceDetail d)
        {
            var i = d.Instance;
            return new(i.Pid, i.Ppid, i.Name, i.Exe, i.Group, i.Started, i.Ended, i.Reads, i.Writes, i.TreeReads, i.TreeWrites,
                i.DiskReads, i.DiskWrites, i.TreeDiskReads, i.TreeDiskWrites,
                d.Children.Select(InstanceDto.From).ToArray()) { ExitCode = i.ExitCode };
        }
    }
}

/// <summary>The queries of the process-tree actor, each an Ask with a finite timeout.</summary>
public sealed class ProcessTreeQueries(IRequiredActor<ProcessTreeActor> tree, WebSettings settings)
{
    public Task<ProcessTreeProtocol.InstanceList> List(bool runningOnly, string? name, int limit, CancellationToken cancel = default,
        string? group = null) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.InstanceList>(new ProcessTreeProtocol.GetInstances(runningOnly, name, limit, group), settings.AskTimeout, cancel);

    public Task<ProcessTreeProtocol.GroupList> Groups(CancellationToken cancel = default) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.GroupList>(new ProcessTreeProtocol.GetGroups(), settings.AskTimeout, cancel);

    public Task<ProcessTreeProtocol.InstanceFound> Latest(int pid, CancellationToken cancel = default) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.InstanceFound>(new ProcessTreeProtocol.GetInstance(pid), settings.AskTimeout, cancel);

    public Task<ProcessTreeProtocol.FollowStarted> Follow(int pid, CancellationToken cancel = default) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.FollowStarted>(new ProcessTreeProtocol.Follow(pid), settings.AskTimeout, cancel);

    public Task<ProcessTreeProtocol.FollowFound> Followed(int pid, CancellationToken cancel = default) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.FollowFound>(new ProcessTreeProtocol.GetFollow(pid), settings.AskTimeout, cancel);

    public Task<ProcessTreeProtocol.Unfollowed> Unfollow(int pid, CancellationToken cancel = default) =>
        tree.ActorRef.Ask<ProcessTreeProtocol.Unfollowed>(new ProcessTreeProtocol.Unfollow(pid), settings.AskTimeout, cancel);
}
