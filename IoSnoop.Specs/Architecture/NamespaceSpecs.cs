using System.Text.RegularExpressions;
using IoSnoop.Specs.Host;

namespace IoSnoop.Specs.Architecture;

/// <summary>The folders of IoSnoop.Actors follow the flow, and each namespace uses only the ones before it:
/// tracer → lines → events → process actors → store, with interning below them all.</summary>
public sealed partial class NamespaceSpecs
{
    /// <summary>Each namespace (a folder) and what it may use. The order of the flow, read from the top.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Interning"] = [],
        ["Events"] = ["Interning"],
        ["Parsing"] = ["Interning", "Events", "Parsing.Linux", "Parsing.MacOs"],
        ["Parsing.Linux"] = ["Interning", "Events", "Parsing"],
        ["Parsing.MacOs"] = ["Interning", "Events", "Parsing"],
        ["Processes"] = ["Interning", "Events"],
        ["Instances"] = ["Interning", "Events"],
        ["Tracing"] = ["Interning", "Events", "Parsing", "Processes", "Instances"],
        ["Tracing.Linux"] = ["Interning", "Events", "Parsing", "Parsing.Linux", "Tracing"],
        ["Tracing.MacOs"] = ["Interning", "Events", "Parsing", "Parsing.MacOs", "Tracing"],
        ["Store"] = ["Interning", "Events", "Processes", "Instances"],
        ["Hosting"] = ["Interning", "Events", "Parsing", "Processes", "Instances", "Tracing", "Store"],
    };

    [GeneratedRegex(@"^namespace IoSnoop\.Actors\.([\w\.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"(?<![\w\.])IoSnoop\.Actors\.([A-Z]\w*(?:\.(?:Linux|MacOs))?)\b")]
    private static partial Regex Reference();

    private static IEnumerable<(string File, string Namespace, string Source)> SourceFiles()
    {
        var root = Repository.File("IoSnoop.Actors");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
                continue;
            var source = File.ReadAllText(file);
            yield return (relative, NamespaceLine().Match(source).Groups[1].Value, source);
        }
    }

    [Fact]
    public void Every_file_sits_in_the_folder_its_namespace_names()
    {
        foreach (var (file, ns, _) in SourceFiles())
            Assert.Equal(Path.GetDirectoryName(file)!.Replace(Path.DirectorySeparatorChar, '.'), ns);
    }

    [Fact]
    public void Each_namespace_uses_only_the_stages_before_it()
    {
        var wrong = new List<string>();
        foreach (var (file, ns, source) in SourceFiles())
        {
            Assert.True(Allowed.ContainsKey(ns), $"{file}: namespace IoSnoop.Actors.{ns} has no place in the flow");
            foreach (Match used in Reference().Matches(source))
            {
                var target = used.Groups[1].Value;
                if (target != ns && !Allowed[ns].Contains(target))
                    wrong.Add($"{file} ({ns}) uses {target}");
            }
        }
        Assert.Empty(wrong.Distinct());
    }

    [Fact]
    public void The_allowed_uses_have_no_cycle()
    {
        var visiting = new HashSet<string>();
        var done = new HashSet<string>();
        void Visit(string ns)
        {
            if (done.Contains(ns))
                return;
            Assert.True(visiting.Add(ns), $"cycle through {ns}");
            foreach (var next in Allowed[ns].Where(n => !(n.StartsWith(ns + ".", StringComparison.Ordinal))))
                Visit(next);
            visiting.Remove(ns);
            done.Add(ns);
        }
        foreach (var ns in Allowed.Keys)
            Visit(ns);
    }
}
