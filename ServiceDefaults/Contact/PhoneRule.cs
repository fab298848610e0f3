using PhoneNumbers;

namespace PortalPlatform.ServiceDefaults.Contact;

/// <summary>
/// The platform's one phone rule (libphonenumber): every service that accepts a phone number checks it here and keeps
/// the E.164 form; Notification checks it again before it texts. A number must be a <em>valid</em> number for its
/// country (an assigned range), not merely of a possible length: what staff may enter is exactly what the SMS sender
/// will send. Without a leading <c>+</c> a number is read as North American (<see cref="DefaultRegion"/>).
/// Fictional numbers that pass: <c>+1 201 555 0100</c> to <c>0199</c> (US, reserved for fiction) and
/// <c>+44 20 7946 0000</c> to <c>0999</c> (Ofcom's London drama range; its mobile one, +44 7700 900xxx, is not valid here).
/// </summary>
public static class PhoneRule
{
    /// <summary>The country a number without a country code is read in.</summary>
    public const string DefaultRegion = "US";

    /// <summary>What a problem detail says about a number this rule refuses.</summary>
    public const string Requirement =
        "must be a valid phone number, such as +1 201 555 0123 or +44 20 7946 0123 (without a country code it is read as North American)";

    // Longer than any number people type with spacing; keeps the parser away from arbitrary input.
    private const int MaxLength = 32;

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164 (<c>+12015550123</c>), or null when it is not a valid phone number.</summary>
    public static string? ToE164(string? number)
    {
        if (string.IsNullOrWhiteSpace(number) || number.Length > MaxLength
            || number.Any(c => !char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '.' or '(' or ')')))
        {
            return null;
        }

        try
        {
            var parsed = Util.Parse(number, DefaultRegion);
            return Util.IsValidNumber(parsed) ? Util.Format(parsed, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    public static bool IsValid(string? number) => ToE164(number) is not null;
}
