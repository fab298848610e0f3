using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.ServiceDefaults.Contact;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Api;

/// <summary>What every staff endpoint reads from the request: the signed-in user (the practice always comes from the token).</summary>
internal static class StaffRequests
{
    public static StaffUser Staff(this HttpContext http) =>
        StaffUser.From(http.User) ?? throw new InvalidOperationException("the Staff policy admits only tokens StaffUser can read");

    public static Actor Actor(this StaffUser user) => new(user.UserId, user.Role);

    /// <summary>Trimmed, or null when empty.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A phone number the validator passed, in E.164; null when empty.</summary>
    public static string? Phone(string? value) => Blank(value) is { } number
        ? PhoneRule.ToE164(number) ?? throw new InvalidOperationException("phone numbers are validated before they are read")
        : null;
}
