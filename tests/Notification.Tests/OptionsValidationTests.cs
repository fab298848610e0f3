using System.ComponentModel.DataAnnotations;
using PortalPlatform.Notification.Email;

namespace PortalPlatform.Notification.Tests;

public sealed class OptionsValidationTests
{
    private static List<ValidationResult> Validate(SmtpOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Theory]
    [InlineData("smtp://127.0.0.1:2525")]
    [InlineData("smtps://mail.example.com:465")]
    public void An_smtp_address_as_the_AppHost_hands_it_over_is_accepted(string server) =>
        Assert.Empty(Validate(new SmtpOptions { Server = server }));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://127.0.0.1:2525")]
    [InlineData("127.0.0.1:2525")]
    public void A_missing_or_wrong_smtp_address_stops_the_start_naming_the_setting(string? server) =>
        Assert.Contains(Validate(new SmtpOptions { Server = server }), r => r.ErrorMessage!.Contains("ConnectionStrings:smtp"));

    [Fact]
    public void A_username_without_a_password_is_refused() =>
        Assert.Contains(Validate(new SmtpOptions { Server = "smtp://127.0.0.1:25", Username = "portal" }), r => r.MemberNames.Contains("Password"));
}
