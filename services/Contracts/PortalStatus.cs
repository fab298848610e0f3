namespace PortalPlatform.Contracts;

/// <summary>A patient's portal status at one practice (DESIGN.md, "Portal status").</summary>
public enum PortalStatus
{
    NotInvited,
    Invited,
    InviteExpired,
    VerificationLocked,
    Enrolled,
    AccessRevoked,
}

/// <summary>Why staff revoked portal access.</summary>
public enum RevocationReason
{
    PatientRequest,
    PreventingHarm,
    Privacy,
    Security,
    Deceased,
    Other,
}

/// <summary>How a message reaches the patient.</summary>
public enum DeliveryChannel
{
    Email,
    Sms,
}

/// <summary>Which message an invitation delivery renders.</summary>
public enum InvitationTemplate
{
    /// <summary>First invitation to the portal.</summary>
    Invitation,

    /// <summary>Invitation after access was revoked: the patient must verify and set up the account again.</summary>
    Reinvitation,

    /// <summary>Invitation of a caregiver to proxy access.</summary>
    ProxyInvitation,
}

/// <summary>How the patient proved their identity.</summary>
public enum VerificationMethod
{
    OneTimeCode,
    AccessCode,
}

/// <summary>The chart texts of each status, exactly as DESIGN.md lists them.</summary>
public static class PortalStatusText
{
    public static string For(PortalStatus status) => status switch
    {
        PortalStatus.NotInvited => "Invite to patient portal",
        PortalStatus.Invited => "Invitation sent",
        PortalStatus.InviteExpired => "Invitation expired",
        PortalStatus.VerificationLocked => "Locked: too many verification attempts",
        PortalStatus.Enrolled => "Enrolled",
        PortalStatus.AccessRevoked => "Access revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>What a revoked patient is told at sign-in.</summary>
    public const string RevokedSignInMessage = "Ask your doctor to provide access to your health records.";
}
