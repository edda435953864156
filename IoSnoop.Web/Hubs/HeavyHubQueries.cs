using System.Reflection;
using IoSnoop.Web.Api;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Hubs;

/// <summary>Marks a hub method whose work grows with the figures (every file, the history): it takes a turn
/// among the heavy queries, like its REST twin.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HeavyQueryAttribute : Attribute;

/// <summary>
/// Runs the hub methods marked <see cref="HeavyQueryAttribute"/> within a turn of <see cref="HeavyQueries"/>,
/// shared with the REST routes: however many dashboards ask at once, at most that many heavy answers are
/// being made. A call that gets no turn is answered with the same reason as a REST <c>503</c>.
/// </summary>
public sealed class HeavyHubQueryFilter(HeavyQueries gate) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocation.HubMethod.GetCustomAttribute<HeavyQueryAttribute>() is null)
            return await next(invocation);
        if (!await gate.Enter(invocation.Context.ConnectionAborted))
            throw new HubException(HeavyQueryFilter.BusyReason);
        try
        {
            return await next(invocation);
        }
        finally
        {
            gate.Leave();
        }
    }
}
