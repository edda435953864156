using System.Net;
using IoSnoop.Web.Security;

namespace IoSnoop.Specs.Security;

public sealed class HostRulesSpecs
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;
    private static readonly IPAddress Lan = IPAddress.Parse("192.168.1.20");

    private static HostRules Rules(params string[] allowed) =>
        new(allowed.Select(a =>
        {
            Assert.True(HostPattern.TryParse(a, out var p, out var e), e);
            return p;
        }).ToList());

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void The_loopback_names_on_the_listen_port_are_allowed(string host)
    {
        Assert.True(Rules().Allows(host, 8092, Loopback, 8092));
        Assert.False(Rules().Allows(host, 8093, Loopback, 8092));
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("")]
    public void Other_names_are_refused(string host) =>
        Assert.False(Rules().Allows(host, 8092, Loopback, 8092));

    [Fact]
    public void The_address_the_request_arrived_on_is_allowed_with_its_port()
    {
        Assert.True(Rules().Allows("192.168.1.20", 8092, Lan, 8092));
        Assert.True(Rules().Allows("192.168.1.20", 8092, IPAddress.Parse("::ffff:192.168.1.20"), 8092));
        Assert.False(Rules().Allows("192.168.1.21", 8092, Lan, 8092));
        Assert.False(Rules().Allows("192.168.1.20", 80, Lan, 8092));
    }

    [Fact]
    public void A_configured_name_is_allowed_on_any_port_or_only_on_its_own()
    {
        var rules = Rules("box.lan", "dev.local:5173");
        Assert.True(rules.Allows("box.lan", 80, Lan, 8092));
        Assert.True(rules.Allows("BOX.LAN", 8092, Lan, 8092));
        Assert.True(rules.Allows("dev.local", 5173, Loopback, 8092));
        Assert.False(rules.Allows("dev.local", 8092, Loopback, 8092));
        Assert.False(rules.Allows("other.lan", 8092, Lan, 8092));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8092", true)]
    [InlineData("http://localhost:8092", true)]
    [InlineData("http://[::1]:8092", true)]
    [InlineData("https://box.lan", true)]
    [InlineData("http://localhost:5173", false)]
    [InlineData("http://evil.example", false)]
    [InlineData("http://evil.example:8092", false)]
    [InlineData("null", false)]
    [InlineData("", false)]
    [InlineData("file://", false)]
    [InlineData("ws://127.0.0.1:8092", false)]
    [InlineData("http://127.0.0.1:8092/path", false)]
    [InlineData("http://user@127.0.0.1:8092", false)]
    public void An_origin_is_the_dashboard_only_when_it_is_an_allowed_host(string origin, bool allowed) =>
        Assert.Equal(allowed, Rules("box.lan").AllowsOrigin(origin, Loopback, 8092));

    [Theory]
    [InlineData("box.lan", "box.lan", null)]
    [InlineData("Box.Lan:8443", "box.lan", 8443)]
    [InlineData("[::1]:9000", "[::1]", 9000)]
    [InlineData("[fe80::1]", "[fe80::1]", null)]
    [InlineData("fe80::1", "[fe80::1]", null)]
    [InlineData("10.0.0.5:80", "10.0.0.5", 80)]
    public void Allowed_host_entries_are_read(string text, string host, int? port)
    {
        Assert.True(HostPattern.TryParse(text, out var pattern, out var error), error);
        Assert.Equal(new HostPattern(host, port), pattern);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://box.lan")]
    [InlineData("box.lan/path")]
    [InlineData("box.lan:http")]
    [InlineData("box.lan:0")]
    [InlineData("box.lan:70000")]
    [InlineData("*.lan")]
    [InlineData("[not-an-address]")]
    [InlineData(":8092")]
    public void Bad_allowed_host_entries_are_errors(string text) =>
        Assert.False(HostPattern.TryParse(text, out _, out _));
}
