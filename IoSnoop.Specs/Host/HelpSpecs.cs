using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

/// <summary>What <c>-h</c> says is what the program does.</summary>
public sealed class HelpSpecs
{
    [Fact]
    public void Help_shows_the_original_flags_with_their_original_defaults()
    {
        var help = CommandLine.Usage();
        Assert.Contains("  -a address\n        listen address of the HTTP server (:8092 = every interface) (default \"127.0.0.1:8092\")\n", help);
        Assert.Contains("(default 33554432)\n  -s seconds\n", help);
        Assert.Contains("for more than this many seconds (default 3600)\n", help);
        Assert.Contains("  -d\n        de-duplicate launchd", help);
        Assert.Contains($"(default \"{DaemonOptions.PlatformDatabase}\")", help);
        Assert.Contains("dashboard at http://127.0.0.1:8092.", help);
    }

    [Fact]
    public void Help_lists_every_flag_of_the_options_record()
    {
        var help = CommandLine.Usage();
        var marked = typeof(DaemonOptions).GetProperties().Where(p => p.IsDefined(typeof(FlagAttribute), false)).ToList();
        Assert.Equal(marked.Count, CommandLine.Flags.Flags.Count);
        foreach (var flag in CommandLine.Flags.Flags)
            Assert.Contains($"\n  {flag.Synopsis}\n        {flag.Usage}", help);
    }

    [Fact]
    public async Task Every_subcommand_the_help_lists_exists_and_has_its_own_help()
    {
        var help = CommandLine.Usage();
        var section = help[(help.IndexOf("Subcommands", StringComparison.Ordinal))..];
        var listed = section.Split('\n').Skip(1).TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ')[0]).ToList();
        Assert.Equal(["install-systemd", "install-launchd", "bench", "run"], listed);
        foreach (var name in listed)
        {
            Assert.Contains($"       iosnoopng {name} [flags]", help);
            var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), name, "-h");
            Assert.Equal(0, code);
            Assert.StartsWith($"Usage: iosnoopng {name} ", output);
        }
    }

    [Fact]
    public async Task An_unknown_subcommand_is_an_unexpected_argument()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "install-upstart");
        Assert.Equal(2, code);
        Assert.StartsWith("unexpected argument: install-upstart", output);
    }
}
