using System.Text.RegularExpressions;
using FluentValidation;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Api;

public sealed record DemographicsRequest(string? FirstName, string? LastName, DateOnly? DateOfBirth, string? Email, string? Phone);

/// <summary>Omitted email or phone means "use the demographics".</summary>
public sealed record InvitationRequest(string? Email, string? Phone);

/// <summary>For reason PreventingHarm also the deciding clinician, the basis and the scope (45 CFR 171.201).</summary>
public sealed record RevocationRequest(
    string? Reason, string? Note, string? DecidingClinicianId = null, string? DecidingClinicianName = null, string? Basis = null, string? Scope = null)
{
    public bool IsHarmBased => string.Equals(Reason, nameof(RevocationReason.PreventingHarm), StringComparison.OrdinalIgnoreCase);

    public HarmDetermination? Harm => IsHarmBased
        ? new HarmDetermination(DecidingClinicianId!.Trim(), DecidingClinicianName!.Trim(),
            Enum.Parse<HarmBasis>(Basis!, ignoreCase: true), Enum.Parse<HarmScope>(Scope!, ignoreCase: true))
        : null;
}

public sealed record ProxyRequest(string? FirstName, string? LastName, DateOnly? DateOfBirth, string? Relationship, string? Email, string? Phone);

/// <summary>Omitted AutoRenewExpiredInvitations keeps the current value.</summary>
public sealed record PortalSettingsRequest(
    bool? AutoInvite, string? WhoCanInvite, int? InvitationLifetimeDays, string? PracticeName, bool? AutoRenewExpiredInvitations = null);

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

public sealed class DemographicsRequestValidator : AbstractValidator<DemographicsRequest>
{
    public DemographicsRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.DateOfBirth).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("'Date Of Birth' cannot be in the future.")
            .Must(d => d >= new DateOnly(1900, 1, 1)).WithMessage("'Date Of Birth' must be after 1900-01-01.");
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
    }
}

public sealed class InvitationRequestValidator : AbstractValidator<InvitationRequest>
{
    public InvitationRequestValidator()
    {
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
    }
}

public sealed class RevocationRequestValidator : AbstractValidator<RevocationRequest>
{
    public RevocationRequestValidator()
    {
        RuleFor(r => r.Reason).NotEmpty()
            .IsEnumName(typeof(RevocationReason), caseSensitive: false)
            .WithMessage($"'Reason' must be one of {string.Join(", ", Enum.GetNames<RevocationReason>())}.");
        RuleFor(r => r.Note).MaximumLength(2000);
        When(r => r.IsHarmBased, () =>
        {
            RuleFor(r => r.DecidingClinicianId).NotEmpty().MaximumLength(64)
                .WithMessage("A PreventingHarm revocation needs the deciding clinician's user id ('decidingClinicianId').");
            RuleFor(r => r.DecidingClinicianName).NotEmpty().MaximumLength(ContactRules.MaxNameLength)
                .WithMessage("A PreventingHarm revocation needs the deciding clinician's name ('decidingClinicianName').");
            RuleFor(r => r.Basis).NotEmpty().IsEnumName(typeof(HarmBasis), caseSensitive: false)
                .WithMessage($"'Basis' must be one of {string.Join(", ", Enum.GetNames<HarmBasis>())}.");
            RuleFor(r => r.Scope).NotEmpty().IsEnumName(typeof(HarmScope), caseSensitive: false)
                .WithMessage($"'Scope' must be one of {string.Join(", ", Enum.GetNames<HarmScope>())}.");
        }).Otherwise(() =>
        {
            const string OnlyForHarm = "'{PropertyName}' belongs to a PreventingHarm revocation only.";
            RuleFor(r => r.DecidingClinicianId).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.DecidingClinicianName).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.Basis).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.Scope).Empty().WithMessage(OnlyForHarm);
        });
    }
}

public sealed class ProxyRequestValidator : AbstractValidator<ProxyRequest>
{
    public ProxyRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.Relationship).NotEmpty().MaximumLength(50);
        RuleFor(r => r.DateOfBirth).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("'Date Of Birth' cannot be in the future.");
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
        RuleFor(r => r.Email).NotEmpty().When(r => string.IsNullOrEmpty(r.Phone))
            .WithMessage("A proxy invitation needs an email address or a phone number.");
    }
}

public sealed class PortalSettingsRequestValidator : AbstractValidator<PortalSettingsRequest>
{
    public PortalSettingsRequestValidator()
    {
        RuleFor(r => r.AutoInvite).NotNull();
        RuleFor(r => r.WhoCanInvite).NotEmpty().IsEnumName(typeof(WhoCanInvite), caseSensitive: false)
            .WithMessage("'Who Can Invite' must be AllUsers or AdminsOnly.");
        RuleFor(r => r.InvitationLifetimeDays).NotNull().InclusiveBetween(1, 90);
        RuleFor(r => r.PracticeName).MaximumLength(200);
    }
}
