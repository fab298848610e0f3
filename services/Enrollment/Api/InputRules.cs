using System.Text.RegularExpressions;
using FluentValidation;
using PortalPlatform.ServiceDefaults.Contact;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The practice's own patient id (the EHR id).</summary>
public static partial class PatientIds
{
    public static bool IsValid(string? patientId) => patientId is not null && Pattern().IsMatch(patientId);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();
}

internal static class ContactRules
{
    public const int MaxNameLength = 100;

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(254).EmailAddress().WithMessage("'{PropertyName}' is not a valid email address.");

    /// <summary>The platform's one phone rule (<see cref="PhoneRule"/>); endpoints store <see cref="StaffRequests.Phone"/>.</summary>
    public static IRuleBuilderOptions<T, string?> ValidPhone<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(PhoneRule.IsValid).WithMessage("'{PropertyName}' " + PhoneRule.Requirement + ".");
}
