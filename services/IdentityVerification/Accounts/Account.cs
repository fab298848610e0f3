namespace PortalPlatform.IdentityVerification.Accounts;

/// <summary>A patient's (or caregiver's) portal account: one set of credentials, linked to each record it may open.</summary>
public sealed class Account
{
    public Guid Id { get; set; }

    /// <summary>Normalised (trimmed, lower case) for look-up.</summary>
    public string Username { get; set; } = "";

    public string PasswordHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset PasswordSetAt { get; set; }
    public List<PracticeLink> Links { get; set; } = [];

    public static string NormalizeUsername(string username) => username.Trim().ToLowerInvariant();

    public IEnumerable<PracticeLink> ActiveLinks => Links.Where(l => l.RevokedAt is null);

    /// <summary>The link to a patient's record at a practice: the patient's own (no proxy) or as their caregiver.</summary>
    public PracticeLink? LinkTo(Guid practiceId, string patientId, Guid? proxyId) =>
        Links.FirstOrDefault(l => l.PracticeId == practiceId && l.PatientId == patientId && l.ProxyId == proxyId);

    /// <summary>Links the practice's patient record (again) to this account.</summary>
    public void Link(Guid practiceId, string patientId, Guid? proxyId, Guid registrationId, DateTimeOffset now)
    {
        Links.RemoveAll(l => l.PracticeId == practiceId && l.PatientId == patientId && l.ProxyId == proxyId);
        Links.Add(new PracticeLink { PracticeId = practiceId, PatientId = patientId, ProxyId = proxyId, RegistrationId = registrationId, LinkedAt = now });
    }

    /// <summary>
    /// Ends the links to the patient's record made before <paramref name="revokedAt"/>: every link when
    /// <paramref name="onlyProxyId"/> is null (the patient's access was revoked), else only that caregiver's.
    /// True when something changed.
    /// </summary>
    public bool Revoke(Guid practiceId, string patientId, DateTimeOffset revokedAt, Guid? onlyProxyId = null)
    {
        var changed = false;
        foreach (var link in Links.Where(l => l.PracticeId == practiceId && l.PatientId == patientId
                     && (onlyProxyId is null || l.ProxyId == onlyProxyId) && l.RevokedAt is null && l.LinkedAt <= revokedAt))
        {
            link.RevokedAt = revokedAt;
            changed = true;
        }

        return changed;
    }
}

public sealed class PracticeLink
{
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";

    /// <summary>Set when the account is a caregiver's proxy access to the patient's record.</summary>
    public Guid? ProxyId { get; set; }

    public Guid RegistrationId { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
