namespace PortalPlatform.IdentityVerification.Accounts;

/// <summary>A patient's portal account: one set of credentials, linked to each practice that enrolled the patient.</summary>
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

    public PracticeLink? LinkTo(Guid practiceId, string patientId) =>
        Links.FirstOrDefault(l => l.PracticeId == practiceId && l.PatientId == patientId);

    /// <summary>Links the practice's patient record (again) to this account.</summary>
    public void Link(Guid practiceId, string patientId, Guid registrationId, DateTimeOffset now)
    {
        Links.RemoveAll(l => l.PracticeId == practiceId && l.PatientId == patientId);
        Links.Add(new PracticeLink { PracticeId = practiceId, PatientId = patientId, RegistrationId = registrationId, LinkedAt = now });
    }

    /// <summary>Ends the link made before <paramref name="revokedAt"/>; true when something changed.</summary>
    public bool Revoke(Guid practiceId, string patientId, DateTimeOffset revokedAt)
    {
        var link = LinkTo(practiceId, patientId);
        if (link is null || link.RevokedAt is not null || link.LinkedAt > revokedAt)
        {
            return false;
        }

        link.RevokedAt = revokedAt;
        return true;
    }
}

public sealed class PracticeLink
{
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public Guid RegistrationId { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
