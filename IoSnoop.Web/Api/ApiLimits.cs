namespace IoSnoop.Web.Api;

/// <summary>What the API and the hub accept as arguments; anything else is answered with a reason and never reaches the actors.</summary>
public static class ApiLimits
{
    /// <summary>The longest process name accepted (a tracer's names are at most a few dozen characters).</summary>
    public const int MaxNameLength = 1024;

    /// <summary>The longest time text accepted (ISO 8601 with fractions and an offset is about 35).</summary>
    public const int MaxTimeLength = 64;

    /// <summary>The error for a process name, or null when it can be asked for.</summary>
    public static string? NameProblem(string name) =>
        name.Length == 0 ? "the process name is empty"
        : name.Length > MaxNameLength ? $"the process name is longer than {MaxNameLength} characters"
        : null;
}
