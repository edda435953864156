using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using IoSnoop.Actors.Store;

namespace IoSnoop.Web.Api;

/// <summary>The history queries the API and the hub make of the store actor, each an Ask with a finite timeout.</summary>
public sealed class HistoryQueries(IRequiredActor<StoreActor> store, WebSettings settings)
{
    /// <summary>The most processes a top list gives.</summary>
    public const int MaxLimit = 1000;

    public Task<HistorySeries> Series(TimeRange range, string? process, CancellationToken cancel = default) =>
        store.ActorRef.Ask<HistorySeries>(new StoreProtocol.GetSeries(range.From, range.To, process), settings.AskTimeout, cancel);

    public Task<IReadOnlyList<TopProcess>> Top(TimeRange range, int limit, TopOrder order, CancellationToken cancel = default) =>
        store.ActorRef.Ask<IReadOnlyList<TopProcess>>(
            new StoreProtocol.GetTop(range.From, range.To, Math.Clamp(limit, 1, MaxLimit), order), settings.AskTimeout, cancel);
}

/// <summary>A time range of a history query, from ISO 8601 texts (UTC when they carry no offset).</summary>
public sealed record TimeRange(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>How far back a range goes when only its end is given.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromHours(1);

    public static bool TryParse(string? from, string? to, DateTimeOffset now, out TimeRange range, out string error)
    {
        range = new TimeRange(now, now);
        error = "";
        DateTimeOffset end = now;
        if (!string.IsNullOrEmpty(to) && !TryTime(to, out end))
        {
            error = $"to: not an ISO 8601 time: {to}";
            return false;
        }
        var start = end - DefaultLength;
        if (!string.IsNullOrEmpty(from) && !TryTime(from, out start))
        {
            error = $"from: not an ISO 8601 time: {from}";
            return false;
        }
        if (start >= end)
        {
            error = "from must be before to";
            return false;
        }
        range = new TimeRange(start, end);
        return true;
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
