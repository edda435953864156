using Microsoft.AspNetCore.Http;

namespace IoSnoop.Web.Security;

/// <summary>The answer to a refused request: the status and a short reason as plain text.</summary>
internal static class Refusal
{
    public static Task Write(HttpContext http, int status, string reason, RefusalLog log)
    {
        log.Refused(http, status, reason);
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-store";
        if (status == StatusCodes.Status401Unauthorized)
            response.Headers.WWWAuthenticate = "Bearer realm=\"iosnoopng\"";
        return response.WriteAsync(reason + "\n", http.RequestAborted);
    }
}
