using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The AppHost gives the SMS sink and Notification one callback secret and points the sink at the gateway.</summary>
[Collection(AppHostCollection.Name)]
public sealed class SmsStatusCallbackTests(AspirePlatform platform)
{
    [Fact]
    public async Task The_sink_s_signed_undelivered_report_reaches_notification_through_the_gateway_and_staff_see_the_text_bounced()
    {
        using var portal = new PortalClient(platform);
        var admin = await portal.StaffTokenAsync("admin");
        var phone = FictionalPhones.Next();
        var patientId = await portal.AddPatientAsync(admin, $"sms.{Guid.NewGuid():N}@patients.test", phone);
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        var text = await Eventually.GetAsync(async () => (await platform.Sms.ReadAsync()).FirstOrDefault(m => m.To == phone),
            TimeSpan.FromSeconds(90), "the invitation text at the sink");
        await Eventually.TrueAsync(async () => await SmsStateAsync(portal, admin, patientId) == "Sent", TimeSpan.FromSeconds(60), "the text sent");

        var answered = await platform.Sms.ReportStatusAsync(text.Id, "undelivered", "30003 unreachable handset");

        Assert.Equal(204, answered);
        Assert.Equal("Bounced", await SmsStateAsync(portal, admin, patientId));
    }

    private static async Task<string?> SmsStateAsync(PortalClient portal, string token, Guid patientId)
    {
        var rows = await portal.SendOkAsync(HttpMethod.Get, $"/api/patients/{patientId}/portal/deliveries", token);
        return rows.EnumerateArray().Where(r => r.GetProperty("channel").GetString() == "Sms").Select(r => r.GetProperty("state").GetString()).SingleOrDefault();
    }
}
