using System.Reflection;
using Akka.Actor;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Security;

/// <summary>Marks a hub method that changes the figures (delete, reset): refused in read-only mode.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChangesStateAttribute : Attribute;

/// <summary>
/// Guards hub methods. Who may connect is decided before (<see cref="AccessMiddleware"/>: Origin and
/// token at negotiate and at the WebSocket request); here, in read-only mode, a method marked
/// <see cref="ChangesStateAttribute"/> throws a <see cref="HubException"/>, whose message the client sees.
/// Calls answered with a <see cref="HubException"/> (bad arguments, no history) are logged at debug under
/// the same budget as refusals; a query the actors did not answer in time becomes one too.
/// </summary>
public sealed class HubAccessFilter(AccessSettings settings, RefusalLog log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation,
        Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var peer = invocation.Context.GetHttpContext()?.Connection.RemoteIpAddress?.ToString();
        if (settings.ReadOnly && invocation.HubMethod.GetCustomAttribute<ChangesStateAttribute>() is not null)
        {
            log.Refused("hub", invocation.HubMethodName, peer, 403, AccessMiddleware.ReadOnlyReason);
            throw new HubException(AccessMiddleware.ReadOnlyReason);
        }
        try
        {
            return await next(invocation);
        }
        catch (HubException e)
        {
            log.Rejected("hub", invocation.HubMethodName, peer, 400, e.Message);
            throw;
        }
        catch (AskTimeoutException)
        {
            log.Rejected("hub", invocation.HubMethodName, peer, 503, IoSnoop.Web.Api.ApiErrors.NoAnswerInTime);
            throw new HubException(IoSnoop.Web.Api.ApiErrors.NoAnswerInTime);
        }
    }
}
