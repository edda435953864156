using Akka.Actor;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Http;

namespace IoSnoop.Web.Api;

/// <summary>
/// Bounds the queries whose answers grow with the figures (every process, every file, history): at most
/// <see cref="WebSettings.MaxHeavyQueries"/> are answered at once, each from its query to its last byte
/// sent; up to <see cref="WebSettings.MaxQueuedQueries"/> more wait up to <see cref="WebSettings.QueueWait"/>
/// for their turn; the rest are answered 503 with <c>Retry-After</c> at once. So the memory that answers
/// hold does not grow with the number of clients, however many ask at once or however slowly they read.
/// </summary>
public sealed class HeavyQueries(WebSettings settings)
{
    private readonly SemaphoreSlim _running = new(settings.MaxHeavyQueries, settings.MaxHeavyQueries);
    private int _waiting;

    /// <summary>Takes a turn; false when too many wait already or none came within the wait.</summary>
    public async Task<bool> Enter(CancellationToken cancel)
    {
        if (_running.Wait(0))
            return true;
        if (Interlocked.Increment(ref _waiting) > settings.MaxQueuedQueries)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        try
        {
            return await _running.WaitAsync(settings.QueueWait, cancel);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Leave() => _running.Release();
}

/// <summary>
/// Runs a heavy route's handler within a turn of <see cref="HeavyQueries"/> and writes its answer within it
/// too. A full house, or actors that did not answer in time, is a 503 with <c>Retry-After</c>; a client that
/// went away or stopped reading ends the request quietly (a debug line at most).
/// </summary>
public sealed class HeavyQueryFilter(HeavyQueries gate, RefusalLog log) : IEndpointFilter
{
    public const string BusyReason = "too many queries at once: try again in a moment";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsHead(http.Request.Method))
            return await next(context);
        try
        {
            if (!await gate.Enter(http.RequestAborted))
                return ApiErrors.Busy(http, log, BusyReason);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        try
        {
            var answer = await next(context);
            if (answer is IResult result)
                await result.ExecuteAsync(http);
            return Results.Empty;
        }
        catch (AskTimeoutException)
        {
            return http.Response.HasStarted ? Results.Empty : ApiErrors.Busy(http, log, ApiErrors.NoAnswerInTime);
        }
        catch (SlowClientException e)
        {
            log.Rejected(http, StatusCodes.Status408RequestTimeout, e.Message);
            return Results.Empty;
        }
        catch (OperationCanceledException)
        {
            // The client went away (its connection may report it before RequestAborted does).
            return Results.Empty;
        }
        finally
        {
            gate.Leave();
        }
    }
}

/// <summary>A client took nothing of an answer for the write timeout; its connection was closed.</summary>
public sealed class SlowClientException(TimeSpan timeout)
    : OperationCanceledException($"the client took nothing for {timeout.TotalSeconds:0.#} s: connection closed");
