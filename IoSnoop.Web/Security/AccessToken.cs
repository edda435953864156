using System.Security.Cryptography;
using System.Text;

namespace IoSnoop.Web.Security;

/// <summary>
/// The shared secret that clients send as <c>Authorization: Bearer TOKEN</c> (or, on the hub's
/// WebSocket, as <c>access_token</c>). Only its SHA-256 hash is kept, and a candidate is compared by
/// hash in constant time, so neither the content nor the length of the token leaks through timing.
/// <see cref="ToString"/> never shows it.
/// </summary>
public sealed class AccessToken
{
    private readonly byte[] _hash;

    public AccessToken(string token)
    {
        if (string.IsNullOrWhiteSpace(token))
            throw new ArgumentException("the token is empty", nameof(token));
        _hash = Hash(token);
        Length = token.Length;
    }

    /// <summary>Characters in the token (to warn about short ones).</summary>
    public int Length { get; }

    public bool Matches(ReadOnlySpan<char> candidate) =>
        CryptographicOperations.FixedTimeEquals(Hash(candidate), _hash);

    /// <summary>Reads a token file: its content without surrounding whitespace (a trailing newline is usual).</summary>
    /// <exception cref="InvalidOperationException">The file cannot be read or holds no token.</exception>
    public static AccessToken FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"cannot read the token file {path}: {e.Message}", e);
        }
        text = text.Trim();
        if (text.Length == 0)
            throw new InvalidOperationException($"the token file {path} is empty");
        return new AccessToken(text);
    }

    public override string ToString() => "(access token)";

    private static byte[] Hash(ReadOnlySpan<char> text)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        var hash = SHA256.HashData(bytes.AsSpan(0, length));
        CryptographicOperations.ZeroMemory(bytes);
        return hash;
    }
}
