using IoSnoop.Host;

namespace IoSnoop.Specs.Host;

/// <summary>README's flag tables are the ones the options records make: every flag, its default and its meaning.</summary>
public sealed class ReadmeSpecs
{
    private static string Readme => File.ReadAllText(Repository.File("README.md")).ReplaceLineEndings("\n");

    public static TheoryData<string, string> Tables => new()
    {
        { "the original's flags", CommandLine.MarkdownTable(original: true) },
        { "our flags", CommandLine.MarkdownTable(original: false) },
        { "install-systemd", Subcommands.SystemdFlags.MarkdownTable() },
        { "install-launchd", Subcommands.LaunchdFlags.MarkdownTable() },
        { "bench", Bench.Flags.MarkdownTable() },
        { "run", IoSnoop.Host.Run.RunCommandLine.Flags.MarkdownTable() },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void Readme_has_each_flag_table_as_the_options_records_make_it(string which, string table)
    {
        var readme = Readme;
        var at = readme.IndexOf(table, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README.md should hold this table of {which}:\n\n{table}");
        // No stale row left under it.
        Assert.False(readme[(at + table.Length)..].StartsWith('|'), $"README.md has rows under its table of {which} that no flag makes");
    }
}
