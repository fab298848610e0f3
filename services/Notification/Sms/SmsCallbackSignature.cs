using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PortalPlatform.Notification.Sms;

/// <summary>
/// The SMS provider's callback signature, in the Standard Webhooks form (the one the platform's own outgoing webhooks
/// use): headers <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c>, a
/// space-separated list of <c>v1,{base64 HMAC-SHA256(key, "{id}.{timestamp}.{raw body}")}</c>, so a provider rotating
/// its secret may send two. The key is the base64 after <c>whsec_</c> in <see cref="SmsOptions.StatusCallbackSecret"/>.
/// </summary>
public static class SmsCallbackSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";
    private const string Version = "v1,";

    /// <summary>Why the callback is not the provider's, or null when it is: signed with the key, within the tolerance of now.</summary>
    public static string? Refusal(
        string secret, IHeaderDictionary headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        var id = headers[IdHeader].ToString();
        var timestamp = headers[TimestampHeader].ToString();
        var signatures = headers[SignatureHeader].ToString();
        if (id.Length == 0 || timestamp.Length == 0 || signatures.Length == 0)
        {
            return $"the {IdHeader}, {TimestampHeader} and {SignatureHeader} headers are required";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return $"{TimestampHeader} is not within {tolerance.TotalMinutes:0.#} minutes of now";
        }

        var expected = Sign(KeyOf(secret), id, timestamp, body);
        Span<byte> presented = stackalloc byte[64];
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith(Version, StringComparison.Ordinal)
                && Convert.TryFromBase64String(candidate[Version.Length..], presented, out var length)
                && CryptographicOperations.FixedTimeEquals(presented[..length], expected))
            {
                return null;
            }
        }

        return $"{SignatureHeader} does not match the body";
    }

    private static byte[] KeyOf(string secret) => Convert.FromBase64String(secret[SecretPrefix.Length..]);

    private static byte[] Sign(byte[] key, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
