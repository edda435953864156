using IoSnoop.Host;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Security;

namespace IoSnoop.Specs.Security;

/// <summary>The access flags on the command line, and the daemon's refusal to listen openly beyond loopback.</summary>
public sealed class AccessFlagsSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-flags-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static DaemonOptions Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out var options, out var error), error);
        return options;
    }

    private static string Error(params string[] args)
    {
        Assert.False(CommandLine.TryParse(args, out _, out var error));
        return error;
    }

    [Fact]
    public void By_default_there_is_no_token_and_nothing_is_read_only()
    {
        var o = Parse();
        Assert.Null(o.Token);
        Assert.Null(o.TokenFile);
        Assert.Empty(o.AllowedHosts);
        Assert.False(o.ReadOnly);
        var access = DaemonAccess.Create(o);
        Assert.Null(access.Token);
        Assert.Empty(access.AllowedHosts);
    }

    [Fact]
    public void The_access_flags_are_read()
    {
        var o = Parse("--token", "abc", "--allowed-host", "box.lan", "--allowed-host=a.lan, b.lan:8443", "--read-only");
        Assert.Equal("abc", o.Token);
        Assert.Equal(["box.lan", "a.lan", "b.lan:8443"], o.AllowedHosts);
        Assert.True(o.ReadOnly);
        var access = DaemonAccess.Create(o);
        Assert.True(access.Token!.Matches("abc"));
        Assert.True(access.ReadOnly);
        Assert.Equal([new HostPattern("box.lan", null), new HostPattern("a.lan", null), new HostPattern("b.lan", 8443)],
            access.AllowedHosts);
    }

    [Theory]
    [InlineData("127.0.0.1:8092")]
    [InlineData("127.0.0.2:8092")]
    [InlineData("localhost:8092")]
    [InlineData("[::1]:8092")]
    public void Loopback_addresses_need_no_token(string listen) =>
        Assert.True(DaemonAccess.IsLoopback(Parse("-a", listen).Listen));

    [Theory]
    [InlineData(":8092")]
    [InlineData("0.0.0.0:8092")]
    [InlineData("[::]:8092")]
    [InlineData("192.168.1.20:8092")]
    [InlineData("box.lan:8092")]
    public void Listening_beyond_loopback_without_a_token_is_an_error(string listen)
    {
        var error = Error("-a", listen);
        Assert.Contains("not on loopback", error);
        Assert.Contains("--token-file", error);
        Assert.Equal(listen, Parse("-a", listen, "--token", "abc").Listen);
        Assert.Equal(listen, Parse("-a", listen, "--token-file", "/etc/iosnoopng/token").Listen);
    }

    [Theory]
    [InlineData("either --token or --token-file", "--token", "a", "--token-file", "/f")]
    [InlineData("--token must not be empty", "--token", " ")]
    [InlineData("invalid value for --allowed-host", "--allowed-host", "http://box.lan")]
    [InlineData("invalid value for --allowed-host", "--allowed-host", "box.lan:port")]
    [InlineData("invalid boolean value", "--read-only=maybe")]
    public void Bad_access_flags_are_errors(string message, params string[] args) =>
        Assert.Contains(message, Error(args));

    [Fact]
    public void A_listen_name_is_a_name_the_daemon_answers_to()
    {
        var access = DaemonAccess.Create(Parse("-a", "box.lan:8092", "--token", "abc"));
        Assert.Equal([new HostPattern("box.lan", 8092)], access.AllowedHosts);
    }

    [Fact]
    public void Building_a_daemon_that_listens_openly_beyond_loopback_fails()
    {
        var error = Assert.Throws<AccessSetupException>(() =>
            DaemonApp.Build(new DaemonOptions { Listen = "0.0.0.0:0", NoTracer = true }, null, DaemonApp.CreateLogger("fatal")));
        Assert.Contains("not on loopback", error.Message);
    }

    [Fact]
    public async Task The_executable_refuses_to_listen_beyond_loopback_without_a_token()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "-n", "-a", $"0.0.0.0:{DaemonProcess.FreePort()}");
        Assert.Equal(2, code);
        Assert.Contains("listens beyond this machine (not on loopback)", output);
    }

    [Fact]
    public async Task The_executable_refuses_to_start_with_an_unreadable_token_file()
    {
        var missing = Path.Combine(_dir, "no-such-token");
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "-n", "-a", $"127.0.0.1:{DaemonProcess.FreePort()}",
            "--token-file", missing);
        Assert.Equal(1, code);
        Assert.Contains($"Cannot start: cannot read the token file {missing}", output);
    }

    [Fact]
    public async Task The_executable_listens_beyond_loopback_with_a_token_file_and_asks_for_it()
    {
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "a-long-token-for-the-daemon-0123456789\n", TestContext.Current.CancellationToken);
        var port = DaemonProcess.FreePort();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { DaemonProcess.Executable, "-n", "-a", $"0.0.0.0:{port}", "--token-file", tokenFile, "--db", "none" })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            using var refused = (await Poll.Until(async () =>
            {
                if (process.HasExited)
                    Assert.Fail($"iosnoopng exited with {process.ExitCode}");
                try
                {
                    return await http.GetAsync("/api/stats", TestContext.Current.CancellationToken);
                }
                catch (HttpRequestException)
                {
                    return null; // not listening yet
                }
            }, answer => answer is not null, TimeSpan.FromSeconds(60), "the daemon to answer on all addresses"))!;
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            http.DefaultRequestHeaders.Authorization = new("Bearer", "a-long-token-for-the-daemon-0123456789");
            using var allowed = await http.GetAsync("/api/stats", TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, allowed.StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
