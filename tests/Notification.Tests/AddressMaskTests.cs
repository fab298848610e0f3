using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Sms;

namespace PortalPlatform.Notification.Tests;

public sealed class AddressMaskTests
{
    [Theory]
    [InlineData("jane.doe@example.com", "j***@example.com")]
    [InlineData("j@example.com", "j***@example.com")]
    [InlineData("not-an-address", "***")]
    public void Email_addresses_show_the_first_letter_and_the_domain_only(string address, string masked) =>
        Assert.Equal(masked, AddressMask.Email(address));

    [Theory]
    [InlineData("(555) 123-1234", "***-***-1234")]
    [InlineData("+15551231234", "***-***-1234")]
    [InlineData("12", "***")]
    public void Phone_numbers_show_the_last_four_digits_only(string number, string masked) =>
        Assert.Equal(masked, AddressMask.Phone(number));
}

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("(555) 123-4567", "+15551234567")]
    [InlineData("555.123.4567", "+15551234567")]
    [InlineData("1 555 123 4567", "+15551234567")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void Numbers_as_people_type_them_become_E164(string typed, string e164) =>
        Assert.Equal(e164, PhoneNumber.ToE164(typed));

    [Theory]
    [InlineData("12")]
    [InlineData("555-CALL-NOW")]
    [InlineData("(055) 123-4567")]
    [InlineData("+0123456789")]
    [InlineData("")]
    public void What_cannot_be_a_phone_number_is_rejected(string typed) =>
        Assert.Null(PhoneNumber.ToE164(typed));
}
