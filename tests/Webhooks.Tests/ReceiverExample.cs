using System.Security.Cryptography;
using System.Text;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>The receiver example of docs/webhooks.md, verbatim, so the documented code is the tested code.</summary>
public static class ReceiverExample
{
    // --- docs/webhooks.md: receiver example ---
    public static bool IsAuthentic(string secret, string id, string timestamp, string signatures, string body, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false; // too old or from the future: a replayed request
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}"))));
        return signatures.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }
    // --- end of example ---
}
