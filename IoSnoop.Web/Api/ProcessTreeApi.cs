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
/// its children; <c>GET /api/groups</c> the bytes per group (cgroup). Held in memory only.
/// </summary>
public static class ProcessTreeApi
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 100_000;

    private static readonly string[] Read = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapProcessTreeApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMethods("/api/processes", Read, async (string? running, string? name, string? group, string? limit, ProcessTreeQueries q,
            RefusalLog log, HttpContext http) =>
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
            if (StatsApi.Head(http))
                return Results.Empty;
            var list = await q.List(running == "true", only, count, http.RequestAborted, inGroup);
            return Results.Json(list.Instances.Select(InstanceDto.From), WebJson.Options);
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapMethods("/api/processes/{pid}", Read, async (string pid, ProcessTreeQueries q, RefusalLog log, HttpContext http) =>
        {
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                return ApiErrors.BadRequest(http, log, "use /api/processes/PID with a process id (a whole number from 1)");
            var found = await q.Latest(number, http.RequestAborted);
            if (found.Detail is not { } detail)
                return ApiErrors.Error(http, log, StatusCodes.Status404NotFound, $"no process instance with pid {number} is held");
            if (StatsApi.Head(http))
                return Results.Empty;
            return Results.Json(InstanceTreeDto.From(detail), WebJson.Options);
        }).AddEndpointFilter<HeavyQueryFilter>();
        routes.MapMethods("/api/groups", Read, async (ProcessTreeQueries q, HttpContext http) =>
        {
            if (StatsApi.Head(http))
                return Results.Empty;
            var groups = await q.Groups(http.RequestAborted);
            // An object keyed by the group's name, most bytes first.
            var answer = new Dictionary<string, GroupDto>(StringComparer.Ordinal);
            foreach (var g in groups.Groups)
                answer[g.Name] = new GroupDto(g.Reads, g.Writes, g.Processes);
            return Results.Json(answer, WebJson.Options);
        });
        return routes;
    }

    /// <summary>One group's bytes: what its instances read and wrote (exited ones included) and how many there were.</summary>
    public sealed record GroupDto(long Reads, long Writes, long Processes);

    /// <summary>One instance: <c>ended</c> null while it runs; <c>reads</c>/<c>writes</c> its own bytes, <c>tree*</c> with all descendants.</summary>
    public sealed record InstanceDto(
        int Pid, int Ppid, string Name, string? Exe, string? Group, DateTimeOffset? Started, DateTimeOffset? Ended,
        long Reads, long Writes, long TreeReads, long TreeWrites)
    {
        public static InstanceDto From(InstanceInfo i) =>
            new(i.Pid, i.Ppid, i.Name, i.Exe, i.Group, i.Started, i.Ended, i.Reads, i.Writes, i.TreeReads, i.TreeWrites);
    }

    /// <summary>One instance with its children (each without children of its own).</summary>
    public sealed record InstanceTreeDto(
        int Pid, int Ppid, string Name, string? Exe, string? Group, DateTimeOffset? Started, DateTimeOffset? Ended,
        long Reads, long Writes, long TreeReads, long TreeWrites, IReadOnlyList<InstanceDto> Children)
    {
        public static InstanceTreeDto From(InstanceDetail d)
        {
            var i = d.Instance;
            return new(i.Pid, i.Ppid, i.Name, i.Exe, i.Group, i.Started, i.Ended, i.Reads, i.Writes, i.TreeReads, i.TreeWrites,
                d.Children.Select(InstanceDto.From).ToArray());
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
}
