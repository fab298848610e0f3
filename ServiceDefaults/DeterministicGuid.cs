using System.Security.Cryptography;
using System.Text;

namespace PortalPlatform.ServiceDefaults;

/// <summary>
/// Name-based GUIDs (RFC 9562 version 5 layout): the same inputs give the same id, so a message derived from a
/// stored event keeps its MessageId on every re-publish and consumers can drop the duplicates.
/// </summary>
public static class DeterministicGuid
{
    public static Guid Create(Guid scope, string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetMaxByteCount(name.Length)];
        scope.TryWriteBytes(input, bigEndian: true, out _);
        var length = 16 + Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input[..length], hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
