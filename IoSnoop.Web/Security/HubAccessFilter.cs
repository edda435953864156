using System.Reflection;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Security;

/// <summary>Marks a hub method that changes the figures (delete, reset): refused in read-only mode.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChangesStateAttribute : Attribute;

/// <summary>
/// Guards hub methods. Who may connect is decided before (<see cref="AccessMiddleware"/>: Origin and
/// token at negotiate and at the WebSocket request); here, in read-only mode, a method marked
/// <see cref="ChangesStateAttribute"/> throws a <see cref="HubException"/>, whose message the client sees.
/// </summary>
public sealed class HubAccessFilter(AccessSettings settings, RefusalLog log) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (settings.ReadOnly && invocation.HubMethod.GetCustomAttribute<ChangesStateAttribute>() is not null)
        {
            log.Refused("hub", invocation.HubMethodName,
                invocation.Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString(), 403,
                AccessMiddleware.ReadOnlyReason);
            throw new HubException(AccessMiddleware.ReadOnlyReason);
        }
        return next(invocation);
    }
}
