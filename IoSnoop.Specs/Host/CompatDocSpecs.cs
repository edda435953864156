using IoSnoop.Host;

namespace IoSnoop.Specs.Host;

/// <summary>docs/compat.md, the contract with the original, states the original's flags as the daemon has them.</summary>
public sealed class CompatDocSpecs
{
    [Fact]
    public void The_original_flags_in_the_contract_have_the_daemons_types_and_defaults()
    {
        var doc = File.ReadAllText(Repository.File("docs/compat.md")).ReplaceLineEndings("\n");
        var section = doc[doc.IndexOf("### The original's flags", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### ", 1, StringComparison.Ordinal)];
        var rows = section.Split('\n')
            .Where(l => l.StartsWith("| `-", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim().Trim('`')).ToArray())
            .ToDictionary(c => c[1], c => (Type: c[2], Default: c[3]));

        var defaults = CommandLine.Flags.Defaults;
        var original = CommandLine.Flags.Flags.Where(f => f.Original).ToList();
        Assert.Equal(original.Select(f => f.Written), rows.Keys);
        foreach (var flag in original)
        {
            var type = flag.Property.PropertyType == typeof(bool) ? "bool" : flag.Property.PropertyType == typeof(long) ? "int" : "string";
            Assert.Equal((type, flag.DefaultMarkdown(defaults).Trim('`')), rows[flag.Written]);
        }
    }
}
