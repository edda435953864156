using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoSnoop.Actors.Events;
using IoSnoop.Actors.Processes;
using IoSnoop.Actors.Store;
using IoSnoop.Specs.Host;
using IoSnoop.Web.Api;
using IoSnoop.Web.Hubs;

namespace IoSnoop.Specs.Web;

/// <summary>The hub's contract is written in C# (the records the hub answers and pushes) and read by the
/// dashboard's TypeScript (ClientApp/src/api/types.ts, methods.ts): these specs fail when the two differ.</summary>
public sealed partial class HubContractSpecs
{
    /// <summary>Each TypeScript interface of types.ts and the C# record whose JSON it describes.</summary>
    private static readonly Dictionary<string, Type> Shapes = new()
    {
        ["SourceStatus"] = typeof(SourceStatus),
        ["Totals"] = typeof(Totals),
        ["ProcessSummary"] = typeof(ProcessSummary),
        ["Overview"] = typeof(OverviewDto),
        ["ChangedProcess"] = typeof(ChangedProcess),
        ["Changes"] = typeof(StatsChanges),
        ["FileSummary"] = typeof(FileSummary),
        ["ProcessFiles"] = typeof(ProcessFilesDto),
        ["HistoryPoint"] = typeof(HistoryPoint),
        ["History"] = typeof(HistoryDto),
        ["TopProcess"] = typeof(TopProcess),
        ["FileSearchPath"] = typeof(FileSearchPath),
        ["FileSearchHit"] = typeof(FileSearchHit),
        ["FileSearch"] = typeof(FileSearchResult),
        ["DeviceIo"] = typeof(DeviceIo),
    };

    [GeneratedRegex(@"export interface (\w+)(?: extends (\w+))? \{(.*?)\n\}", RegexOptions.Singleline)]
    private static partial Regex Interface();

    [GeneratedRegex(@"^  (\w+)\??:", RegexOptions.Multiline)]
    private static partial Regex Field();

    [GeneratedRegex(@"^  \w+: '(\w+)',", RegexOptions.Multiline)]
    private static partial Regex HubMethod();

    private static Dictionary<string, HashSet<string>> TypeScriptInterfaces()
    {
        var text = File.ReadAllText(Repository.File("ClientApp/src/api/types.ts"));
        var own = new Dictionary<string, (string? Base, HashSet<string> Fields)>();
        foreach (Match m in Interface().Matches(text))
            own[m.Groups[1].Value] = (m.Groups[2].Success ? m.Groups[2].Value : null,
                Field().Matches(m.Groups[3].Value).Select(f => f.Groups[1].Value).ToHashSet());
        HashSet<string> All(string name) =>
            own[name].Base is { } parent ? [.. own[name].Fields, .. All(parent)] : own[name].Fields;
        return own.Keys.ToDictionary(name => name, All);
    }

    private static HashSet<string> JsonNames(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToHashSet();

    [Fact]
    public void Every_interface_of_the_dashboard_has_the_fields_of_the_record_the_hub_sends()
    {
        var typeScript = TypeScriptInterfaces();
        Assert.Equal(Shapes.Keys.Order(), typeScript.Keys.Order());
        foreach (var (name, type) in Shapes)
            Assert.True(JsonNames(type).SetEquals(typeScript[name]),
                $"{name}: C# {type.Name} sends [{string.Join(", ", JsonNames(type).Order())}], " +
                $"types.ts reads [{string.Join(", ", typeScript[name].Order())}]");
    }

    [Fact]
    public void The_dashboard_calls_exactly_the_hub_methods_there_are()
    {
        var text = File.ReadAllText(Repository.File("ClientApp/src/api/methods.ts"));
        var hubSection = text[..text.IndexOf("export const Push", StringComparison.Ordinal)];
        var called = HubMethod().Matches(hubSection).Select(m => m.Groups[1].Value).Order();
        var offered = typeof(DashboardHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .Select(m => m.Name).Order();
        Assert.Equal(offered, called);
    }
}
