using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>The key that seals the secrets commands carry (section <c>CommandSecrets</c>).</summary>
public sealed class CommandSecretOptions
{
    public const string Section = "CommandSecrets";

    /// <summary>Used in Development and Testing when no key is configured; never elsewhere.</summary>
    public const string DevelopmentKey = "portalplatform-development-command-secrets-key-not-for-production";

    /// <summary>Shared by exactly the sender and the receiver of the sealed commands (Identity-Verification and Notification).</summary>
    [Required, MinLength(32)]
    public string Key { get; set; } = "";
}

/// <summary>
/// Seals a secret a command carries (a registration link, a one-time code) with AES-256-GCM, bound to the command's id,
/// so the broker, and any <c>_error</c> queue a failed command lands in, only ever hold ciphertext. Only the two services
/// configured with the key can open it; integrators, ops browsing queues and a copy of an error queue cannot.
/// </summary>
public sealed class CommandSecrets(IOptions<CommandSecretOptions> options)
{
    private const string Version = "v1.";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key = HKDF.DeriveKey(
        HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.Key), 32, info: Encoding.UTF8.GetBytes("portalplatform command secrets v1"));

    public string Seal(string secret, Guid commandId)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), commandId.ToByteArray());
        return Version + Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The secret; <see cref="CryptographicException"/> when sealed with another key, for another command, or altered.</summary>
    public string Open(string sealedSecret, Guid commandId)
    {
        if (!sealedSecret.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Not a sealed command secret.");
        }

        var sealedBytes = Base64Url.DecodeFromChars(sealedSecret.AsSpan(Version.Length));
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("Not a sealed command secret.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plaintext.Length), sealedBytes.AsSpan(NonceSize + plaintext.Length), plaintext, commandId.ToByteArray());
        return Encoding.UTF8.GetString(plaintext);
    }
}

public static class CommandSecretsExtensions
{
    /// <summary>Registers <see cref="CommandSecrets"/>; outside Development and Testing <c>CommandSecrets:Key</c> must be set (checked at start).</summary>
    public static IHostApplicationBuilder AddCommandSecrets(this IHostApplicationBuilder builder)
    {
        var local = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<CommandSecretOptions>()
            .Bind(builder.Configuration.GetSection(CommandSecretOptions.Section))
            .PostConfigure(o => o.Key = string.IsNullOrEmpty(o.Key) && local ? CommandSecretOptions.DevelopmentKey : o.Key)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CommandSecrets>();
        return builder;
    }
}
