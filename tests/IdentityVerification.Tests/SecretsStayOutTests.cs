using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>No token, code or password in anything broadcast, logged or traced while a patient registers.</summary>
public sealed class SecretsStayOutTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task No_token_code_or_password_appears_in_broadcast_events_log_lines_or_trace_attributes_during_a_full_registration()
    {
        const string password = "Unmistakable-Secret-Passphrase-4711";

        // A full registration, with both kinds of code and the page the link opens.
        var patient = await host.InviteAsync();
        var page = await host.Client.GetAsync("/register?token=" + Uri.EscapeDataString(patient.Token));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var accessCode = await host.AccessCodeAsync(patient);
        var code = await host.TextedCodeAsync(patient);
        var registrationId = await host.VerifiedAsync(patient, code);
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(registrationId, "avery.secretive", password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SignInAsync("avery.secretive", password)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignInAsync("avery.secretive", password + "-typo")).StatusCode);
        await host.BroadcastAsync<IdentityVerified>(e => e.RegistrationId == registrationId);
        await host.BroadcastAsync<RegistrationCompleted>(e => e.RegistrationId == registrationId);
        await Eventually.TrueAsync(() => host.Service.Spans.Any(s => s.OperationName.Contains("RegistrationCompleted", StringComparison.Ordinal)),
            what: "the relay's publish span of RegistrationCompleted");

        var broadcasts = host.Broadcasts.Select(b => b.Body).ToList();
        var logs = host.Logs.Lines.ToList();
        var spans = host.Service.Spans.Select(Describe).ToList();

        // The capture is real: each source saw this registration.
        Assert.Contains(broadcasts, b => b.Contains(registrationId.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Contains(logs, l => l.Contains(registrationId.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Contains(spans, s => s.Contains("/portal/api/registration/verify", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.Contains("/register", StringComparison.Ordinal));
        // The page request's query string is recorded (redacted), so a token there would have been seen.
        Assert.Contains(spans, s => s.Contains("url.query=?token=", StringComparison.Ordinal));

        var proof = host.Service.Services.GetRequiredService<PortalPlatform.IdentityVerification.Registrations.RegistrationSecrets>().CompletionProofFor(registrationId);
        string[] secrets =
        [
            proof,
            patient.Token, Uri.EscapeDataString(patient.Token), code, accessCode, accessCode.Replace("-", "", StringComparison.Ordinal),
            password, password + "-typo",
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(broadcasts, b => b.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(spans, s => s.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task The_link_and_the_code_travel_to_Notification_sealed_so_no_queue_or_error_queue_holds_them_in_clear()
    {
        var patient = await host.InviteAsync();
        var code = await host.TextedCodeAsync(patient);
        var invitation = host.Invitations.Single(i => i.InvitationId == patient.InvitationId);
        var codeCommand = host.OneTimeCodes.Last(c => c.PatientId == patient.PatientId && c.PracticeId == patient.PracticeId);
        // The bodies as they sit on the broker; a consumer failing for good moves exactly these bytes to its _error queue.
        var bodies = host.NotificationCommandBodies.Where(b =>
            b.Contains(invitation.CommandId.ToString(), StringComparison.OrdinalIgnoreCase) || b.Contains(codeCommand.CommandId.ToString(), StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Equal(2, bodies.Count); // the capture is real: both commands were seen raw
        foreach (var secret in new[] { patient.Token, Uri.EscapeDataString(patient.Token), code })
        {
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
        }

        // Notification, holding the key, opens them; bound to their command, a sealed secret opens nowhere else.
        Assert.EndsWith("/register?token=" + Uri.EscapeDataString(patient.Token), IdentityHost.LinkOf(invitation));
        Assert.Equal(code, IdentityHost.CodeOf(codeCommand));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            DevelopmentCommandSecrets.Instance.Open(codeCommand.SealedCode, invitation.CommandId));
    }

    /// <summary>A span's name, every tag, every event and its tags, and its baggage, as one searchable string.</summary>
    private static string Describe(Activity span)
    {
        var text = new StringBuilder(span.OperationName).Append(' ').Append(span.DisplayName);
        foreach (var tag in span.TagObjects)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        foreach (var activityEvent in span.Events)
        {
            text.Append(' ').Append(activityEvent.Name);
            foreach (var tag in activityEvent.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }

        foreach (var item in span.Baggage)
        {
            text.Append(' ').Append(item.Key).Append('=').Append(item.Value);
        }

        return text.ToString();
    }
}
