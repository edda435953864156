using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IoSnoop.Web.Security;

/// <summary>Wires the access rules: services, and the two middlewares in their places.</summary>
public static class SecurityHosting
{
    public static IServiceCollection AddIoSnoopSecurity(this IServiceCollection services, AccessSettings access)
    {
        services.AddSingleton(access);
        services.AddSingleton(new HostRules(access.AllowedHosts));
        services.AddSingleton<RefusalLog>();
        services.AddSingleton<HubAccessFilter>();
        return services;
    }

    /// <summary>The <c>Host</c> check; first in the pipeline, before the static files.</summary>
    public static IApplicationBuilder UseHostCheck(this IApplicationBuilder app) =>
        app.UseMiddleware<HostCheckMiddleware>();

    /// <summary>Origin, token and read-only checks; between routing and the endpoints.</summary>
    public static IApplicationBuilder UseAccessCheck(this IApplicationBuilder app) =>
        app.UseMiddleware<AccessMiddleware>();
}
