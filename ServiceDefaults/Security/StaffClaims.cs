using System.Security.Claims;

namespace PortalPlatform.ServiceDefaults.Security;

/// <summary>Staff roles, least privilege first.</summary>
public static class StaffRoles
{
    public const string Staff = "staff";
    public const string Provider = "provider";
    public const string Admin = "admin";

    /// <summary>Platform operators (ops): the services' operational endpoints, no practice's data. Not a staff role.</summary>
    public const string Operator = "operator";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Staff, Provider, Admin], StringComparer.Ordinal);
}

/// <summary>Names of the authorization policies every service registers.</summary>
public static class StaffPolicies
{
    /// <summary>Any signed-in staff member of a practice.</summary>
    public const string Staff = "staff";

    /// <summary>Admins and providers: revoking portal access.</summary>
    public const string CanRevoke = "can-revoke";

    /// <summary>Admins only: practice settings.</summary>
    public const string Admin = "admin";

    /// <summary>Platform operators: <c>/ops/*</c> on each service.</summary>
    public const string Operator = "operator";
}

/// <summary>Claim names in staff tokens.</summary>
public static class StaffClaimTypes
{
    public const string Practice = "practice_id";
    public const string User = "sub";
    public const string Name = "name";
    public const string Role = "role";
}

/// <summary>The signed-in staff member, as the token says.</summary>
public sealed record StaffUser(Guid PracticeId, string UserId, string Name, string Role)
{
    public bool IsAdmin => Role == StaffRoles.Admin;

    public bool MayRevoke => Role is StaffRoles.Admin or StaffRoles.Provider;

    public static StaffUser? From(ClaimsPrincipal principal)
    {
        var practice = principal.FindFirst(StaffClaimTypes.Practice)?.Value;
        var user = principal.FindFirst(StaffClaimTypes.User)?.Value ?? principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var role = principal.FindFirst(StaffClaimTypes.Role)?.Value ?? principal.FindFirst(ClaimTypes.Role)?.Value;
        if (!Guid.TryParse(practice, out var practiceId) || string.IsNullOrEmpty(user) || role is null || !StaffRoles.All.Contains(role))
        {
            return null;
        }

        return new StaffUser(practiceId, user, principal.FindFirst(StaffClaimTypes.Name)?.Value ?? user, role);
    }
}
