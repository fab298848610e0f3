using PortalPlatform.Contracts;

namespace PortalPlatform.IdentityVerification.Registrations;

public enum RegistrationState
{
    Open,
    Verified,
    Locked,
    Completed,
    Voided,
}

/// <summary>A registration's state, rebuilt from its events (a Marten inline snapshot, so it can be found by token hash).</summary>
public sealed class Registration
{
    public Guid Id { get; set; }
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public Guid InvitationId { get; set; }

    /// <summary>The caregiver, when this registration is for proxy access.</summary>
    public Guid? ProxyId { get; set; }
    public string TokenHash { get; set; } = "";
    public string PracticeName { get; set; } = "";
    public DateOnly DateOfBirth { get; set; }
    public string? Phone { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public RegistrationState State { get; set; }
    public int FailedChecks { get; set; }
    public int CodesSent { get; set; }
    public DateTimeOffset? LastCodeSentAt { get; set; }
    public DateTimeOffset? CodeExpiresAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public Guid? AccountId { get; set; }

    /// <summary>Open or verified, and within its lifetime.</summary>
    public bool IsUsable(DateTimeOffset now) => State is RegistrationState.Open or RegistrationState.Verified && now < ExpiresAt;

    /// <summary>Not yet completed, locked or voided (expiry aside): what a re-invite or a revocation must void.</summary>
    public bool IsPending => State is RegistrationState.Open or RegistrationState.Verified or RegistrationState.Locked;

    public static Registration Create(RegistrationOpened e) => new()
    {
        Id = e.RegistrationId,
        PracticeId = e.PracticeId,
        PatientId = e.PatientId,
        InvitationId = e.InvitationId,
        ProxyId = e.ProxyId,
        TokenHash = e.TokenHash,
        PracticeName = e.PracticeName,
        DateOfBirth = e.DateOfBirth,
        Phone = e.Phone,
        OpenedAt = e.OpenedAt,
        ExpiresAt = e.ExpiresAt,
        State = RegistrationState.Open,
    };

    public void Apply(OneTimeCodeSent e)
    {
        CodesSent = e.Sequence;
        LastCodeSentAt = e.SentAt;
        CodeExpiresAt = e.ExpiresAt;
    }

    public void Apply(IdentityCheckFailed e) => FailedChecks = e.FailedChecks;

    public void Apply(RegistrationLocked e) => State = RegistrationState.Locked;

    public void Apply(IdentityConfirmed e)
    {
        State = RegistrationState.Verified;
        VerifiedAt = e.ConfirmedAt;
    }

    public void Apply(AccountSetUp e)
    {
        State = RegistrationState.Completed;
        AccountId = e.AccountId;
    }

    public void Apply(RegistrationVoided e) => State = RegistrationState.Voided;
}
