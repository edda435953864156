using IoSnoop.Web.Security;

namespace IoSnoop.Specs.Security;

public sealed class AccessTokenSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-token-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Only_the_same_token_matches()
    {
        var token = new AccessToken("s3cret-token-0123456789");
        Assert.True(token.Matches("s3cret-token-0123456789"));
        Assert.False(token.Matches("s3cret-token-012345678"));
        Assert.False(token.Matches("s3cret-token-0123456789 "));
        Assert.False(token.Matches("S3CRET-TOKEN-0123456789"));
        Assert.False(token.Matches(""));
    }

    [Fact]
    public void The_token_never_shows_in_text()
    {
        var token = new AccessToken("s3cret-token-0123456789");
        Assert.DoesNotContain("s3cret", token.ToString());
        Assert.DoesNotContain("s3cret", $"{token}");
    }

    [Fact]
    public void A_token_file_is_read_without_surrounding_whitespace()
    {
        var file = Path.Combine(_dir, "token");
        File.WriteAllText(file, "  from-a-file-0123456789\n");
        Assert.True(AccessToken.FromFile(file).Matches("from-a-file-0123456789"));
    }

    [Fact]
    public void An_empty_or_missing_token_file_is_an_error()
    {
        var empty = Path.Combine(_dir, "empty");
        File.WriteAllText(empty, "\n");
        Assert.Contains("is empty", Assert.Throws<InvalidOperationException>(() => AccessToken.FromFile(empty)).Message);
        var missing = Path.Combine(_dir, "missing");
        Assert.Contains("cannot read the token file", Assert.Throws<InvalidOperationException>(() => AccessToken.FromFile(missing)).Message);
        Assert.Throws<ArgumentException>(() => new AccessToken(" "));
    }
}
