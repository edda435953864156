using IoSnoop.Web.Api;
using IoSnoop.Web.Hubs;
using IoSnoop.Web.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace IoSnoop.Web;

/// <summary>Wires the web side: API, hub, push feed, metrics and the dashboard's static files.</summary>
public static class WebHosting
{
    public static IServiceCollection AddIoSnoopWeb(this IServiceCollection services, WebSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<StatsQueries>();
        services.AddSingleton<HistoryQueries>();
        services.AddSingleton<ProcessMetrics>();
        services.AddSignalR().AddJsonProtocol(o =>
            o.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        services.AddHostedService<ChangesFeed>();
        return services;
    }

    public static WebApplication MapIoSnoop(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapStatsApi();
        app.MapHistoryApi();
        app.MapHub<StatsHub>(StatsHub.Path);
        var metrics = app.Services.GetRequiredService<ProcessMetrics>();
        app.MapMetrics("/metrics", metrics.Registry);
        // Any other path is the dashboard (a single-page app): deep links such as /NAME open a process page.
        app.MapFallbackToFile("index.html");
        return app;
    }
}
