using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace PortalPlatform.Webhooks.Subscriptions;

/// <summary>Makes Standard Webhooks secrets (<c>whsec_</c> + base64 of 32 random bytes) and keeps them encrypted at rest.</summary>
public sealed class SubscriptionSecrets(IDataProtectionProvider dataProtection)
{
    public const string Prefix = "whsec_";
    private readonly IDataProtector _protector = dataProtection.CreateProtector("PortalPlatform.Webhooks.SubscriptionSecret.v1");

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>The secrets to sign with now: the current one, and the previous one during its grace period.</summary>
    public IReadOnlyList<string> SigningSecretsOf(Subscription subscription, DateTimeOffset now) =>
        subscription.ProtectedPreviousSecret is { } previous && subscription.PreviousSecretExpiresAt > now
            ? [Unprotect(subscription.ProtectedSecret), Unprotect(previous)]
            : [Unprotect(subscription.ProtectedSecret)];
}
