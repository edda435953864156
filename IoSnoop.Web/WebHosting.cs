using IoSnoop.Web.Api;
using IoSnoop.Web.Hubs;
using IoSnoop.Web.Metrics;
using IoSnoop.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace IoSnoop.Web;

/// <summary>
/// Wires the web side: API, hub, push feed, metrics and the dashboard's static files, behind the access
/// rules (Host check first, then Origin, token and read-only once the route is known).
/// </summary>
public static class WebHosting
{
    public static IServiceCollection AddIoSnoopWeb(this IServiceCollection services, WebSettings settings,
        AccessSettings? access = null)
    {
        services.AddSingleton(settings);
        services.AddSingleton<ProcessQueries>();
        services.AddSingleton<HistoryQueries>();
        services.AddSingleton<ProcessTreeQueries>();
        services.AddSingleton<HeavyQueries>();
        services.AddSingleton<ProcessMetrics>();
        services.AddIoSnoopSecurity(access ?? AccessSettings.Default);
        services.AddSingleton<DashboardConnections>();
        services.AddSignalR(o =>
        {
            o.AddFilter<HubAccessFilter>();
            o.AddFilter<HeavyHubQueryFilter>();
        }).AddJsonProtocol(o =>
            o.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        services.AddHostedService<ChangesFeed>();
        return services;
    }

    public static WebApplication MapIoSnoop(this WebApplication app)
    {
        app.UseHostCheck();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAccessCheck();
        app.MapStatsApi();
        app.MapHistoryApi();
        app.MapFileSearchApi();
        app.MapProcessTreeApi();
        app.MapHub<DashboardHub>(DashboardHub.Path, o => o.TransportSendTimeout = DashboardConnections.StuckClientTimeout);
        var metrics = app.Services.GetRequiredService<ProcessMetrics>();
        app.MapMetrics("/metrics", metrics.Registry);
        // An unknown API route is a JSON 404 behind the access checks, not the dashboard's page.
        app.MapFallback("/api/{**rest}", (RefusalLog log, HttpContext http) =>
            ApiErrors.Error(http, log, StatusCodes.Status404NotFound, "no such route: see the API in README.md"));
        // Any other path is the dashboard (a single-page app): deep links such as /NAME open a process page.
        app.MapFallbackToFile("index.html").WithMetadata(DashboardFile.Instance);
        return app;
    }
}
