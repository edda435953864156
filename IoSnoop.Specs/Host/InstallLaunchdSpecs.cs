using System.Xml.Linq;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

public sealed class InstallLaunchdSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-launchd-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Install_launchd_writes_the_plist_and_prints_the_bootstrap_command()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30),
            "install-launchd", "--dir", _dir, "--", "-a", "127.0.0.1:9000", "--source", "fs_usage");
        Assert.Equal(0, code);
        var plist = Path.Combine(_dir, "com.iosnoopng.daemon.plist");
        Assert.Contains($"sudo launchctl bootstrap system {plist}", output);
        var strings = XDocument.Load(plist).Descendants("array").Single().Elements("string").Select(e => e.Value).ToList();
        Assert.True(Path.IsPathFullyQualified(strings[0]));
        Assert.Equal(["-a", "127.0.0.1:9000", "--source", "fs_usage"], strings.TakeLast(4));
    }

    [Fact]
    public async Task Install_launchd_refuses_bad_daemon_flags()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "install-launchd", "--dir", _dir, "--", "-x");
        Assert.Equal(2, code);
        Assert.Contains("flag provided but not defined: -x", output);
        Assert.False(File.Exists(Path.Combine(_dir, "com.iosnoopng.daemon.plist")));
    }

    [Fact]
    public void Its_own_flags_take_go_syntax()
    {
        var output = new StringWriter();
        Assert.Equal(0, IoSnoop.Host.Subcommands.InstallLaunchd(["-label=com.example.io", "-dir", _dir, "--stdout=/tmp/o.log", "--", "-n"],
            output, TextWriter.Null));
        var plist = XDocument.Load(Path.Combine(_dir, "com.example.io.plist"));
        var values = plist.Descendants("string").Select(e => e.Value).ToList();
        Assert.Contains("/tmp/o.log", values);
        Assert.Equal("-n", plist.Descendants("array").Single().Elements("string").Last().Value);
    }

    [Theory]
    [InlineData("flag provided but not defined: -a", "-a", "127.0.0.1:9000")]
    [InlineData("flag needs an argument: --label", "--label")]
    public void A_daemon_flag_before_the_two_dashes_or_a_missing_value_is_an_error(string error, params string[] args)
    {
        var errors = new StringWriter();
        Assert.Equal(2, IoSnoop.Host.Subcommands.InstallLaunchd(["--dir", _dir, .. args], TextWriter.Null, errors));
        Assert.StartsWith(error + "\n", errors.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("Usage: iosnoopng install-launchd", errors.ToString());
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
