using PortalPlatform.Notification.Deliveries;

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
    [InlineData("(201) 555-0134", "***-***-0134")]
    [InlineData("+12015550134", "***-***-0134")]
    [InlineData("12", "***")]
    public void Phone_numbers_show_the_last_four_digits_only(string number, string masked) =>
        Assert.Equal(masked, AddressMask.Phone(number));
}
