using System.Text.Json;
using IoSnoop.Web.Api;
using Microsoft.AspNetCore.SignalR;

namespace IoSnoop.Web.Hubs;

/// <summary>
/// Reads the hub's arguments, which arrive as JSON values of any type: a value of the wrong type, a missing
/// one or an absurd one is a <see cref="HubException"/> that names the argument and says what it must be.
/// (Typed parameters would fail in SignalR's binding with a message that says neither.)
/// </summary>
public static class HubArguments
{
    /// <summary>A process name: a non-empty string of at most <see cref="ApiLimits.MaxNameLength"/> characters.</summary>
    public static string Name(JsonElement value, string argument)
    {
        if (!IsMissing(value) && value.ValueKind != JsonValueKind.String)
            throw Wrong(argument, "a process name (a string)", value);
        var name = IsMissing(value) ? "" : value.GetString()!;
        if (ApiLimits.NameProblem(name) is { } problem)
            throw new HubException($"{argument}: {problem}");
        return name;
    }

    /// <summary>A non-empty string of at most <paramref name="maxLength"/> characters (a search text).</summary>
    public static string Text(JsonElement value, string argument, int maxLength)
    {
        if (!IsMissing(value) && value.ValueKind != JsonValueKind.String)
            throw Wrong(argument, "a text (a string)", value);
        var text = IsMissing(value) ? "" : value.GetString()!;
        if (text.Length == 0)
            throw new HubException($"{argument}: give a path or part of one");
        if (text.Length > maxLength)
            throw new HubException($"{argument}: at most {maxLength} characters");
        return text;
    }

    /// <summary>A process name, or null when the argument is null or empty.</summary>
    public static string? OptionalName(JsonElement value, string argument) =>
        IsMissing(value) || value is { ValueKind: JsonValueKind.String } && value.GetString() is "" ? null : Name(value, argument);

    /// <summary>An ISO 8601 time as text, or null when the argument is null or empty (the query's default).</summary>
    public static string? OptionalTime(JsonElement value, string argument)
    {
        if (IsMissing(value))
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw Wrong(argument, "an ISO 8601 time (a string)", value);
        var text = value.GetString()!;
        if (text.Length > ApiLimits.MaxTimeLength)
            throw new HubException($"{argument}: not an ISO 8601 time (longer than {ApiLimits.MaxTimeLength} characters)");
        return text;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int Integer(JsonElement value, string argument, int min, int max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            throw new HubException($"{argument}: use a whole number from {min} to {max}");
        return number;
    }

    private static bool IsMissing(JsonElement value) => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    private static HubException Wrong(string argument, string expected, JsonElement value) =>
        new($"{argument}: expected {expected}, got {Kind(value)}");

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        _ => "nothing",
    };
}
