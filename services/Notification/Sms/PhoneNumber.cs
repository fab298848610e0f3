namespace PortalPlatform.Notification.Sms;

/// <summary>Demographics hold numbers as people type them; the provider wants E.164.</summary>
public static class PhoneNumber
{
    /// <summary>
    /// <c>(555) 123-4567</c> and <c>555.123.4567</c> become <c>+15551234567</c> (North American numbers without a
    /// country code); <c>+44 20 7946 0958</c> keeps its country code. Null when it cannot be a phone number.
    /// </summary>
    public static string? ToE164(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return null;
        }

        var trimmed = number.Trim();
        if (trimmed.Any(c => !char.IsAsciiDigit(c) && c is not ('+' or ' ' or '-' or '.' or '(' or ')')))
        {
            return null;
        }

        var digits = new string(trimmed.Where(char.IsAsciiDigit).ToArray());
        if (trimmed.StartsWith('+'))
        {
            return digits.Length is >= 8 and <= 15 && digits[0] != '0' ? "+" + digits : null;
        }

        return digits.Length switch
        {
            10 when digits[0] is >= '2' and <= '9' => "+1" + digits,
            11 when digits[0] == '1' && digits[1] is >= '2' and <= '9' => "+" + digits,
            _ => null,
        };
    }
}
