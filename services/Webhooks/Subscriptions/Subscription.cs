using Marten.Schema;

namespace PortalPlatform.Webhooks.Subscriptions;

/// <summary>
/// An integrator's endpoint for one practice. The signing secrets are stored encrypted (ASP.NET Core Data
/// Protection); the plain secret is shown once, when it is made.
/// </summary>
public sealed class Subscription
{
    public Guid Id { get; set; }
    public Guid PracticeId { get; set; }
    public string Url { get; set; } = "";

    /// <summary>CloudEvents types to deliver; empty means every type.</summary>
    public List<string> Events { get; set; } = [];

    public string ProtectedSecret { get; set; } = "";

    /// <summary>The secret before the last rotation, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    public string? ProtectedPreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Why the subscription is disabled: by an admin, or by the service because the endpoint kept failing.</summary>
    public string? DisabledReason { get; set; }

    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The service gave up on the endpoint (not an admin's choice): the practice dashboard shows a notice until it is enabled.</summary>
    public bool DisabledAutomatically { get; set; }

    /// <summary>Start of the current run of failed attempts; cleared by any success.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    /// <summary>Marten's version of the stored document (optimistic concurrency); the API's ETag.</summary>
    [Version]
    public Guid Version { get; set; }

    public bool Wants(string cloudEventType) => Events.Count == 0 || Events.Contains(cloudEventType, StringComparer.Ordinal);

    /// <summary>Records an attempt's outcome; true when the endpoint has now failed for too long and is disabled.</summary>
    public bool RecordOutcome(bool succeeded, DateTimeOffset now, TimeSpan disableAfter)
    {
        if (succeeded)
        {
            FailingSince = null;
            return false;
        }

        FailingSince ??= now;
        if (!Enabled || now - FailingSince < disableAfter)
        {
            return false;
        }

        Disable($"Disabled automatically: every delivery has failed since {FailingSince:u}. Fix the endpoint, then enable the subscription; pending deliveries resume.", now);
        DisabledAutomatically = true;
        return true;
    }

    /// <summary>A new endpoint or filter: the failures so far were the old endpoint's.</summary>
    public void Change(string url, IReadOnlyList<string> events)
    {
        if (!string.Equals(url, Url, StringComparison.Ordinal))
        {
            FailingSince = null;
        }

        Url = url;
        Events = [.. events];
    }

    public void Disable(string reason, DateTimeOffset now)
    {
        Enabled = false;
        DisabledReason = reason;
        DisabledAt = now;
        DisabledAutomatically = false;
    }

    public void Enable()
    {
        Enabled = true;
        DisabledReason = null;
        DisabledAt = null;
        DisabledAutomatically = false;
        FailingSince = null;
    }
}
