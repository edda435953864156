namespace IoSnoop.Specs.Support;

/// <summary>The one way specs wait for a condition outside an actor (inside, TestKit's AwaitAssert): ask again
/// every <see cref="Interval"/> until it holds, and fail with what was last seen when the time is up.</summary>
internal static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads <paramref name="read"/> until <paramref name="condition"/> holds on it; returns that value.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan within, string what,
        Func<T, string>? describe = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var value = await read();
            if (condition(value))
                return value;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{what}: not within {within.TotalSeconds:0.#} s; last: {(describe is null ? value?.ToString() : describe(value))}");
            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task Until(Func<bool> condition, TimeSpan within, string what, Func<string>? last = null) =>
        Until(() => Task.FromResult(condition()), within, what, last);

    /// <summary>Waits until <paramref name="condition"/> holds, a condition that has to wait for its answer (a request).</summary>
    public static Task Until(Func<Task<bool>> condition, TimeSpan within, string what, Func<string>? last = null) =>
        Until(condition, held => held, within, what, _ => last?.Invoke() ?? "false");
}
