using System.Net;
using IoSnoop.Specs.Support;
using IoSnoop.Web.Logging;

namespace IoSnoop.Specs.Security;

/// <summary>Text from outside cannot forge log lines or drive the terminal: control characters are escaped.</summary>
public sealed class LogInjectionSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-inject-").FullName;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("plain /a b|c", "plain /a b|c")]
    [InlineData("a\r\n12:00:00 FTL forged", "a\\r\\n12:00:00 FTL forged")]
    [InlineData("\u001b[2Jcleared\ttab", "\\x1B[2Jcleared\\ttab")]
    [InlineData("nul\0 del\u007f c1\u0085\u009b", "nul\\x00 del\\x7F c1\\x85\\x9B")]
    [InlineData("line\u2028para\u2029", "line\\u2028para\\u2029")]
    [InlineData("Микро ✓", "Микро ✓")]
    public void Control_characters_are_escaped(string text, string logged) => Assert.Equal(logged, LogText.Escape(text));

    [Fact]
    public void Text_without_control_characters_is_not_copied()
    {
        var text = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        Assert.Same(text, LogText.Escape(text));
    }

    [Fact]
    public async Task A_request_path_and_a_tracer_line_cannot_forge_lines_in_the_daemons_output()
    {
        var trace = Path.Combine(_dir, "t.trace");
        await File.WriteAllTextAsync(trace, "cc|0|100|/o/a.o\nnot a line\u001b[31m red\u0085next\n", Cancel);
        await using var daemon = DaemonProcess.Start("-l", "debug", "--source", "replay", "--replay", trace);
        await daemon.WaitFor("/api/status", s => s.GetProperty("processes").GetInt32() == 1, TimeSpan.FromSeconds(60));

        // A foreign Origin is refused and logged with the (decoded) path.
        var request = new HttpRequestMessage(HttpMethod.Delete, "/api/stats/x%0D%0A00:00:00%20FTL%20forged%1B%5B2J");
        request.Headers.Add("Origin", "http://evil.example");
        using var response = await daemon.Http.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        await Poll.Until(() => daemon.Output.Contains("Refused DELETE") && daemon.Output.Contains("Malformed trace line"),
            TimeSpan.FromSeconds(30), "the refusal and the malformed line logged", () => daemon.Output);
        var output = daemon.Output;
        Assert.Contains("/api/stats/x\\r\\n00:00:00 FTL forged\\x1B[2J", output);
        Assert.Contains("not a line\\x1B[31m red\\x85next", output);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u0085', output);
        Assert.DoesNotContain(output.Split('\n'), l => l.StartsWith("00:00:00 FTL", StringComparison.Ordinal));
    }
}
