namespace PortalPlatform.Notification.Deliveries;

/// <summary>How staff see an address: enough to recognise it, not enough to copy it.</summary>
public static class AddressMask
{
    /// <summary><c>jane.doe@example.com</c> becomes <c>j***@example.com</c>.</summary>
    public static string Email(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0)
        {
            return "***";
        }

        return $"{address[0]}***{address[at..]}";
    }

    /// <summary>Any phone number becomes <c>***-***-1234</c> (its last four digits).</summary>
    public static string Phone(string number)
    {
        var digits = new string(number.Where(char.IsAsciiDigit).ToArray());
        return digits.Length >= 4 ? $"***-***-{digits[^4..]}" : "***";
    }
}
