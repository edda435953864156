using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IoSnoop.Host;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

/// <summary>Start-up errors of the real executable: one clear line and exit code 1, nothing started and stopped again.</summary>
public sealed class StartupErrorSpecs : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-startup-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\n", Cancel);

        var (code, output) = await DaemonProcess.RunToEnd(Within, "-a", $"127.0.0.1:{port}", "--source", "replay", "--replay", trace);
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(Lines(output));
        Assert.Contains($"Cannot listen on 127.0.0.1:{port}: the address is already in use", line);
    }

    [Fact]
    public async Task An_address_of_no_interface_here_is_one_line_and_exit_code_1()
    {
        // 192.0.2.0/24 is reserved for documentation: no machine has it.
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-a", "192.0.2.1:8092", "--token", "a-long-enough-secret-token", "-n");
        Assert.Equal(ExitCodes.Failure, code);
        var line = Assert.Single(Lines(output), l => !l.Contains("--token", StringComparison.Ordinal));
        Assert.Contains("Cannot listen on 192.0.2.1:8092: no network interface of this machine has that address", line);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task An_ipv4_mapped_listen_address_listens_on_its_ipv4_address()
    {
        await using var daemon = DaemonProcess.StartListening(port => $"[::ffff:127.0.0.1]:{port}", "-n");
        await daemon.WaitFor("/api/status", _ => true, Within);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        request.Headers.Host = $"[::ffff:127.0.0.1]:{daemon.Port}";
        using var response = await daemon.Http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.ValueKind);
    }

    [Fact]
    public async Task A_stats_file_that_cannot_be_loaded_is_one_line()
    {
        var stats = Path.Combine(_dir, "stats.json");
        await File.WriteAllTextAsync(stats, "{\"processStats\": {\"cc\": {\"/a\": {\"reads\": \"many\"}}}}", Cancel);
        var (code, output) = await DaemonProcess.RunToEnd(Within, "-n", "-f", stats);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"cannot load the stats file {stats}", Assert.Single(Lines(output)));
        var (missingCode, missing) = await DaemonProcess.RunToEnd(Within, "-n", "-f", Path.Combine(_dir, "none.json"));
        Assert.Equal(ExitCodes.Failure, missingCode);
        Assert.Contains("cannot load the stats file", Assert.Single(Lines(missing)));
    }
}
