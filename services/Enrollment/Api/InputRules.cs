using System.Text.RegularExpressions;
using FluentValidation;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The practice's own patient id (the EHR id).</summary>
public static partial class PatientIds
{
    public static bool IsValid(string? patientId) => patientId is not null && Pattern().IsMatch(patientId);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();
}

internal static partial class ContactRules
{
    public const int MaxNameLength = 100;

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(254).EmailAddress().WithMessage("'{PropertyName}' is not a valid email address.");

    public static IRuleBuilderOptions<T, string?> ValidPhone<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Matches(Phone()).WithMessage("'{PropertyName}' must be a phone number: 7 to 15 digits, optionally starting with +.");

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]{5,20}[0-9]$")]
    private static partial Regex Phone();
}
