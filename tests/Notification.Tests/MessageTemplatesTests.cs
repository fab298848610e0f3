using PortalPlatform.Contracts;
using PortalPlatform.Notification.Templates;

namespace PortalPlatform.Notification.Tests;

public sealed class MessageTemplatesTests
{
    private const string Link = "https://portal.example/register?token=abc123";

    private static DeliverInvitation Command(InvitationTemplate template) => new(
        Guid.NewGuid(), Guid.NewGuid(), "P-100", Guid.NewGuid(), "Riverside Family Practice", "Ana", "ana@example.com",
        "(201) 555-0123", "v1.sealed-link-not-read-by-the-templates", new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), template);

    [Theory]
    [InlineData(InvitationTemplate.Invitation)]
    [InlineData(InvitationTemplate.Reinvitation)]
    [InlineData(InvitationTemplate.ProxyInvitation)]
    public void Every_invitation_email_has_the_practice_the_link_and_the_expiry_in_text_and_html(InvitationTemplate template)
    {
        var email = MessageTemplates.InvitationEmail(Command(template), Link);

        Assert.Contains("Riverside Family Practice", email.Subject);
        foreach (var body in new[] { email.Text, email.Html })
        {
            Assert.Contains("Riverside Family Practice", body);
            Assert.Contains(Link, body);
            Assert.Contains("December 8, 2026", body);
            Assert.Contains("Ana", body);
        }
    }

    [Fact]
    public void The_reinvitation_says_the_patient_must_verify_their_identity_and_set_up_the_account_again()
    {
        var email = MessageTemplates.InvitationEmail(Command(InvitationTemplate.Reinvitation), Link);

        Assert.Contains("verify your identity and set up your account again", email.Text);
        Assert.Contains("verify your identity and set up your account again", email.Html);
        Assert.Contains("verify your identity and set up your account again", MessageTemplates.InvitationText(Command(InvitationTemplate.Reinvitation), Link));
    }

    [Fact]
    public void The_proxy_invitation_addresses_a_caregiver_without_naming_the_patient()
    {
        var command = Command(InvitationTemplate.ProxyInvitation);
        var email = MessageTemplates.InvitationEmail(command, Link);

        Assert.Contains("caregiver", email.Text);
        Assert.DoesNotContain(command.PatientId, email.Text);
    }

    [Fact]
    public void Html_escapes_what_came_from_demographics()
    {
        var command = Command(InvitationTemplate.Invitation) with { FirstName = "<script>x</script>" };

        Assert.DoesNotContain("<script>", MessageTemplates.InvitationEmail(command, Link).Html);
    }

    [Fact]
    public void Messages_carry_no_personal_data_beyond_the_first_name()
    {
        var command = Command(InvitationTemplate.Invitation);
        var email = MessageTemplates.InvitationEmail(command, Link);

        foreach (var body in new[] { email.Text, email.Html, MessageTemplates.InvitationText(command, Link) })
        {
            Assert.DoesNotContain(command.PatientId, body);
            Assert.DoesNotContain("555", body);
            Assert.DoesNotContain("ana@example.com", body);
        }
    }

    [Fact]
    public void The_one_time_code_text_has_the_code_and_its_minutes_left()
    {
        var now = new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
        var command = new DeliverOneTimeCode(Guid.NewGuid(), Guid.NewGuid(), "P-100", Guid.NewGuid(), "Riverside Family Practice", "+12015550123", "v1.sealed-code-not-read-by-the-templates", now.AddMinutes(10));

        var text = MessageTemplates.OneTimeCodeText(command, "482913", now);

        Assert.Contains("482913", text);
        Assert.Contains("10 minutes", text);
        Assert.Contains("Riverside Family Practice", text);
    }
}
