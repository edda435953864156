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

    /// <summary>The earliest time a range may name: no history is older than the Unix epoch.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>The latest time a range may name (far enough from the end of the calendar for any arithmetic).</summary>
    public static readonly DateTimeOffset Latest = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads a range; a missing <paramref name="to"/> is now, a missing <paramref name="from"/> an hour before <c>to</c>.</summary>
    /// <param name="error">What is wrong, naming the argument, when it returns false.</param>
    public static bool TryParse(string? from, string? to, DateTimeOffset now, out TimeRange range, out string error)
    {
        range = new TimeRange(now, now);
        var end = now;
        if (!string.IsNullOrEmpty(to) && !TryTime("to", to, out end, out error))
            return false;
        var start = end - DefaultLength < Earliest ? Earliest : end - DefaultLength;
        if (!string.IsNullOrEmpty(from) && !TryTime("from", from, out start, out error))
            return false;
        if (start >= end)
        {
            error = "from must be before to";
            return false;
        }
        range = new TimeRange(start, end);
        error = "";
        return true;
    }

    private static bool TryTime(string name, string text, out DateTimeOffset time, out string error)
    {
        error = "";
        if (text.Length > ApiLimits.MaxTimeLength || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            time = default;
            error = text.Length > ApiLimits.MaxTimeLength
                ? $"{name}: not an ISO 8601 time (longer than {ApiLimits.MaxTimeLength} characters)"
                : $"{name}: not an ISO 8601 time: {text}";
            return false;
        }
        if (time < Earliest || time > Latest)
        {
            error = $"{name}: {text} is out of range: use a time from {Earliest.Year} to {Latest.Year - 1}";
            return false;
        }
        return true;
    }
}
