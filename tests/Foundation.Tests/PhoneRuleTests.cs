using PortalPlatform.ServiceDefaults.Contact;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>The one phone rule every service uses (staff input in Enrollment, the SMS sender in Notification).</summary>
public sealed class PhoneRuleTests
{
    [Theory]
    [InlineData("(201) 555-0123", "+12015550123")]
    [InlineData("201.555.0123", "+12015550123")]
    [InlineData("1 201 555 0123", "+12015550123")]
    [InlineData("+1 (202) 555-0199", "+12025550199")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void Valid_numbers_as_people_type_them_become_E164(string typed, string e164) =>
        Assert.Equal(e164, PhoneRule.ToE164(typed));

    [Theory]
    [InlineData("+15550100")] // too short for North America: the old fixtures' number
    [InlineData("+15555550123")] // area code 555 is not assigned
    [InlineData("(555) 123-4567")] // the same, typed without a country code
    [InlineData("+1 201 055 0123")] // an exchange cannot start with 0
    [InlineData("+44 7700 900123")] // Ofcom's mobile drama range: libphonenumber does not count it as valid
    [InlineData("+0123456789")]
    [InlineData("201-555-CALL")]
    [InlineData("+1 201 555 0123 ext 4")]
    [InlineData("12")]
    [InlineData("")]
    [InlineData("   ")]
    public void What_is_not_a_valid_phone_number_is_refused(string typed) =>
        Assert.Null(PhoneRule.ToE164(typed));

    [Fact]
    public void Every_fictional_test_number_passes_the_rule_unchanged() =>
        Assert.All(FictionalPhones.Every(), number => Assert.Equal(number, PhoneRule.ToE164(number)));
}
