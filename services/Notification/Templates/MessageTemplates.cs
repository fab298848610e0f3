using System.Globalization;
using System.Net;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;

namespace PortalPlatform.Notification.Templates;

/// <summary>A rendered email: plain text and HTML carry the same words.</summary>
public sealed record EmailContent(string Subject, string Text, string Html);

/// <summary>
/// The wording of every message. Only what the patient needs: their first name, the practice, the link or code
/// and when it expires. No date of birth, no last name, no clinical detail.
/// </summary>
public static class MessageTemplates
{
    public static MessageKind KindOf(InvitationTemplate template) => template switch
    {
        InvitationTemplate.Reinvitation => MessageKind.Reinvitation,
        InvitationTemplate.ProxyInvitation => MessageKind.ProxyInvitation,
        _ => MessageKind.Invitation,
    };

    /// <param name="link">The registration link, opened from the command's sealed one.</param>
    public static EmailContent InvitationEmail(DeliverInvitation command, string link)
    {
        var expires = DateOf(command.ExpiresAt);
        var (subject, paragraphs) = KindOf(command.Template) switch
        {
            MessageKind.Reinvitation => (
                $"{command.PracticeName}: set up your patient portal account again",
                new[]
                {
                    $"{command.PracticeName} has given you access to your health records in the patient portal again.",
                    "Your previous sign-in no longer works: you need to verify your identity and set up your account again.",
                    "Open the link below to start. You will be asked for your date of birth and a code sent to your phone.",
                }),
            MessageKind.ProxyInvitation => (
                $"{command.PracticeName}: you have been invited as a caregiver",
                new[]
                {
                    $"{command.PracticeName} has invited you to access a patient's health records in the patient portal as their caregiver (proxy).",
                    "Open the link below to verify your identity and set up your account.",
                }),
            _ => (
                $"{command.PracticeName} invites you to the patient portal",
                new[]
                {
                    $"{command.PracticeName} invites you to see your health records in the patient portal.",
                    "Open the link below to verify your identity and set up your account. You will be asked for your date of birth and a code sent to your phone.",
                }),
        };

        var closing = $"The link works once and until {expires}. If you did not expect this message, ignore it or call {command.PracticeName}.";
        var text = string.Join("\n\n", [$"Hello {command.FirstName},", .. paragraphs, link, closing]) + "\n";
        var html = $"""
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif; line-height: 1.5">
            <p>Hello {Html(command.FirstName)},</p>
            {string.Concat(paragraphs.Select(p => $"<p>{Html(p)}</p>\n"))}<p><a href="{Html(link)}">Set up your patient portal account</a></p>
            <p style="font-size: small">If the button does not work, copy this address into your browser: {Html(link)}</p>
            <p style="font-size: small">{Html(closing)}</p>
            </body></html>
            """;
        return new EmailContent(subject, text, html);
    }

    public static string InvitationText(DeliverInvitation command, string link) => KindOf(command.Template) switch
    {
        MessageKind.Reinvitation =>
            $"{command.PracticeName}: your patient portal access is back. To use it, verify your identity and set up your account again: {link} (expires {DateOf(command.ExpiresAt)})",
        MessageKind.ProxyInvitation =>
            $"{command.PracticeName}: you are invited to the patient portal as a caregiver. Set up your account: {link} (expires {DateOf(command.ExpiresAt)})",
        _ =>
            $"{command.PracticeName} invites you to the patient portal. Set up your account: {link} (expires {DateOf(command.ExpiresAt)})",
    };

    /// <param name="code">The code, opened from the command's sealed one.</param>
    public static string OneTimeCodeText(DeliverOneTimeCode command, string code, DateTimeOffset now)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling((command.ExpiresAt - now).TotalMinutes));
        return $"{command.PracticeName}: your patient portal verification code is {code}. It expires in {minutes} minutes. Never share it; staff will not ask for it.";
    }

    private static string DateOf(DateTimeOffset at) => at.UtcDateTime.ToString("MMMM d, yyyy", CultureInfo.InvariantCulture);

    private static string Html(string value) => WebUtility.HtmlEncode(value);
}
