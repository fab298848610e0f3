using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PortalPlatform.IdentityVerification.Registrations;

/// <summary>
/// Derives every secret of a registration from the configured key (HMAC-SHA256), so nothing secret is ever stored:
/// the database keeps SHA-256 of the token only, and the outbox can rebuild the very same link or code on a re-send.
/// </summary>
public sealed class RegistrationSecrets(IOptions<RegistrationOptions> options)
{
    // Crockford's base32 alphabet: no I, L, O or U, easy to read out and type from a printed note.
    private const string AccessCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>The registration link's token: 256 bits, base64url.</summary>
    public string TokenFor(Guid registrationId) => Base64Url.EncodeToString(Mac("registration-token", registrationId, 0));

    /// <summary>
    /// Handed (as an HttpOnly cookie) to whoever passed the identity check: completing needs it or the token, so the
    /// registration id alone (which broadcast events carry) cannot complete anyone's registration.
    /// </summary>
    public string CompletionProofFor(Guid registrationId) => Base64Url.EncodeToString(Mac("completion-proof", registrationId, 0));

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The <paramref name="sequence"/>-th one-time code of a registration: 6 digits.</summary>
    public string OneTimeCodeFor(Guid registrationId, int sequence)
    {
        var mac = Mac("one-time-code", registrationId, sequence);
        return (BinaryPrimitives.ReadUInt64BigEndian(mac) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The access code staff hand over in person: 10 characters (50 bits), shown as XXXXX-XXXXX.</summary>
    public string AccessCodeFor(Guid registrationId)
    {
        var mac = Mac("access-code", registrationId, 0);
        var chars = new char[11];
        var bits = BinaryPrimitives.ReadUInt64BigEndian(mac);
        for (int i = 0, c = 0; i < 10; i++, c++)
        {
            if (i == 5)
            {
                chars[c++] = '-';
            }

            chars[c] = AccessCodeAlphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return new string(chars);
    }

    /// <summary>Upper case, without spaces or dashes, so "abcde-12345" and "ABCDE 12345" both match.</summary>
    public static string Normalize(string code) =>
        new(code.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    /// <summary>Compares two codes in constant time.</summary>
    public static bool Same(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Normalize(expected)), Encoding.UTF8.GetBytes(Normalize(given)));

    /// <summary>Compares two strings exactly, in constant time.</summary>
    public static bool SameExactly(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    private byte[] Mac(string purpose, Guid registrationId, int sequence) =>
        HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(options.Value.TokenKey),
            Encoding.UTF8.GetBytes($"{purpose}:{registrationId:N}:{sequence}"));
}
