using System.Xml.Linq;
using IoSnoop.Host.Daemon;
using Xunit;

namespace IoSnoop.Specs.MacOs;

public sealed class LaunchdPlistSpecs
{
    private static readonly string[] Argv = ["/usr/local/bin/iosnoopng", "-a", "127.0.0.1:8092"];

    /// <summary>The plist's top-level dict as key → value element, in order.</summary>
    private static List<(string Key, XElement Value)> ParseDict(string plist)
    {
        var document = XDocument.Parse(plist);
        Assert.Equal("plist", document.Root!.Name.LocalName);
        Assert.Equal("1.0", document.Root.Attribute("version")?.Value);
        Assert.Equal("plist", document.DocumentType?.Name);
        var elements = Assert.Single(document.Root.Elements("dict")).Elements().ToList();
        Assert.Equal(0, elements.Count % 2);
        return [.. elements.Chunk(2).Select(pair =>
        {
            Assert.Equal("key", pair[0].Name.LocalName);
            return (pair[0].Value, pair[1]);
        })];
    }

    [Fact]
    public void The_plist_holds_exactly_the_keys_of_a_root_daemon_that_starts_at_boot_and_restarts()
    {
        var dict = ParseDict(LaunchdPlist.Render("com.iosnoopng.daemon", Argv, "/var/log/iosnoopng.log", "/var/log/iosnoopng.err.log"));

        Assert.Equal(
            ["Label", "ProgramArguments", "RunAtLoad", "KeepAlive", "StandardOutPath", "StandardErrorPath"],
            dict.Select(d => d.Key));
        var values = dict.ToDictionary(d => d.Key, d => d.Value);
        Assert.Equal(("string", "com.iosnoopng.daemon"), (values["Label"].Name.LocalName, values["Label"].Value));
        Assert.Equal("array", values["ProgramArguments"].Name.LocalName);
        Assert.Equal(Argv, values["ProgramArguments"].Elements("string").Select(e => e.Value));
        Assert.Equal(values["ProgramArguments"].Elements().Count(), Argv.Length);
        Assert.Equal("true", values["RunAtLoad"].Name.LocalName);
        Assert.Equal("true", values["KeepAlive"].Name.LocalName);
        Assert.Equal("/var/log/iosnoopng.log", values["StandardOutPath"].Value);
        Assert.Equal("/var/log/iosnoopng.err.log", values["StandardErrorPath"].Value);
    }

    [Fact]
    public void Values_are_xml_escaped_and_read_back_unchanged()
    {
        string[] argv = ["/Applications/I & O <snoop>/iosnoopng", "-o", "/tmp/a \"b\" 'c' & <d>.log", "-l", "ünïcode ✓"];

        var dict = ParseDict(LaunchdPlist.Render("com.example.io-snoop_2", argv, "/tmp/out & more.log", "/tmp/<err>.log"));

        var values = dict.ToDictionary(d => d.Key, d => d.Value);
        Assert.Equal(argv, values["ProgramArguments"].Elements("string").Select(e => e.Value));
        Assert.Equal("/tmp/out & more.log", values["StandardOutPath"].Value);
        Assert.Equal("/tmp/<err>.log", values["StandardErrorPath"].Value);
    }

    [Theory]
    [InlineData("iosnoopng")]
    [InlineData("./iosnoopng")]
    [InlineData("")]
    public void argv0_must_be_an_absolute_path(string program)
    {
        Assert.Throws<ArgumentException>(() => LaunchdPlist.Render("com.iosnoopng.daemon", [program], "/var/log/a", "/var/log/b"));
    }

    [Fact]
    public void An_empty_argv_is_refused()
    {
        Assert.Throws<ArgumentException>(() => LaunchdPlist.Render("com.iosnoopng.daemon", [], "/var/log/a", "/var/log/b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../evil")]
    [InlineData("com/iosnoopng")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    public void Labels_that_are_not_reverse_DNS_names_are_refused(string label)
    {
        Assert.Throws<ArgumentException>(() => LaunchdPlist.Render(label, Argv, "/var/log/a", "/var/log/b"));
    }

    [Theory]
    [InlineData("relative.log", "/var/log/b")]
    [InlineData("/var/log/a", "")]
    public void Log_paths_must_be_absolute(string stdoutPath, string stderrPath)
    {
        Assert.Throws<ArgumentException>(() => LaunchdPlist.Render("com.iosnoopng.daemon", Argv, stdoutPath, stderrPath));
    }

    [Fact]
    public void Characters_xml_cannot_carry_are_refused()
    {
        Assert.Throws<ArgumentException>(() => LaunchdPlist.Render("com.iosnoopng.daemon", ["/usr/local/bin/iosnoopng", "-o", "a\0b"], "/var/log/a", "/var/log/b"));
    }

    [Fact]
    public void Writing_puts_LABEL_plist_in_the_directory_readable_by_all_and_returns_the_bootstrap_command()
    {
        var directory = Directory.CreateTempSubdirectory("launchd-").FullName;
        try
        {
            var installation = LaunchdPlist.Write("com.iosnoopng.daemon", Argv, directory: directory);

            var path = Path.Combine(directory, "com.iosnoopng.daemon.plist");
            Assert.Equal(path, installation.PlistPath);
            Assert.Equal(
                LaunchdPlist.Render("com.iosnoopng.daemon", Argv, LaunchdPlist.DefaultStdoutPath, LaunchdPlist.DefaultStderrPath),
                File.ReadAllText(path));
            Assert.Equal($"sudo launchctl bootstrap system {path}", installation.BootstrapCommand);
            Assert.Equal("sudo launchctl bootout system/com.iosnoopng.daemon", installation.BootoutCommand);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    File.GetUnixFileMode(path));
            Assert.Equal(["com.iosnoopng.daemon.plist"], Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Writing_again_replaces_the_plist_and_a_directory_with_spaces_is_quoted()
    {
        var directory = Path.Combine(Directory.CreateTempSubdirectory("launchd-").FullName, "Launch Daemons");
        try
        {
            LaunchdPlist.Write("com.iosnoopng.daemon", Argv, directory: directory);
            var installation = LaunchdPlist.Write("com.iosnoopng.daemon", ["/usr/local/bin/iosnoopng", "-n"], "/tmp/o.log", "/tmp/e.log", directory);

            Assert.Contains("<string>-n</string>", File.ReadAllText(installation.PlistPath), StringComparison.Ordinal);
            Assert.Equal($"sudo launchctl bootstrap system '{installation.PlistPath}'", installation.BootstrapCommand);
            Assert.Single(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    [Fact]
    public void The_example_plist_in_the_repository_is_what_Render_produces()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IoSnoop.sln")))
            root = root.Parent;
        Assert.NotNull(root);

        var example = File.ReadAllText(Path.Combine(root.FullName, "IoSnoop.Host", "Daemon", "com.iosnoopng.daemon.plist"));

        Assert.Equal(
            LaunchdPlist.Render(LaunchdPlist.DefaultLabel, Argv, LaunchdPlist.DefaultStdoutPath, LaunchdPlist.DefaultStderrPath),
            example);
    }

    [Fact]
    public void The_current_program_is_argv0_with_an_absolute_path()
    {
        var argv = LaunchdPlist.CurrentProgramArguments(["-a", "127.0.0.1:8092"]);

        Assert.True(Path.IsPathFullyQualified(argv[0]));
        Assert.Equal(["-a", "127.0.0.1:8092"], argv.TakeLast(2));
    }
}
