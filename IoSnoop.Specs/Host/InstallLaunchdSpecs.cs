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
}
