using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Http;

namespace IoSnoop.Web.Api;

/// <summary>The API's error answers: <c>{"error": "reason"}</c> with the status, and a debug line under the refusals' budget.</summary>
public static class ApiErrors
{
    /// <summary>Seconds a client is asked to wait before it asks again (<c>Retry-After</c>).</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>The actors did not answer a query within its timeout.</summary>
    public const string NoAnswerInTime = "the daemon did not answer in time: try again in a moment";

    public static IResult BadRequest(HttpContext http, RefusalLog log, string reason) =>
        Error(http, log, StatusCodes.Status400BadRequest, reason);

    public static IResult Busy(HttpContext http, RefusalLog log, string reason)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(http, log, StatusCodes.Status503ServiceUnavailable, reason);
    }

    public static IResult Error(HttpContext http, RefusalLog log, int status, string reason)
    {
        log.Rejected(http, status, reason);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new ErrorDto(reason), WebJson.Options, statusCode: status);
    }

    /// <summary>The body of an error answer.</summary>
    public sealed record ErrorDto(string Error);
}
