using System.Net;
using System.Net.Http.Json;
using PortalPlatform.Gateway.Routing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>The gateway in front of Notification with a callback window of a few requests (an hour long, so it cannot roll over mid-test).</summary>
public sealed class GatewayWithATightCallbackWindow : GatewayInFrontOfNotification
{
    public const int CallbacksPerWindow = 3;

    protected override Dictionary<string, string?> GatewaySettings() => new()
    {
        ["Gateway:CallbackRequestsPerWindow"] = CallbacksPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gateway:CallbackRateLimitWindow"] = "01:00:00",
    };
}

public sealed class SmsCallbackRateLimitTests(GatewayWithATightCallbackWindow platform) : IClassFixture<GatewayWithATightCallbackWindow>
{
    [Fact]
    public async Task An_address_past_its_callback_window_gets_429_even_when_signed_and_the_text_is_left_as_it_was()
    {
        var practice = Guid.NewGuid();
        var (patientId, deliveryId, text) = await platform.SentTextAsync(practice);
        using var anonymous = platform.Client();
        var body = new { reference = deliveryId.ToString("N"), status = "undelivered" };

        // Within the window every callback reaches Notification, which refuses the unsigned ones itself
        for (var i = 0; i < GatewayWithATightCallbackWindow.CallbacksPerWindow; i++)
        {
            using var unsigned = await anonymous.PostAsJsonAsync(ServiceRoutes.SmsStatusCallbackPath, body);
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        }

        // Past it the gateway answers, for a signed report too (which would bounce the text: SmsCallbackThroughGatewayTests)
        Assert.Equal(HttpStatusCode.TooManyRequests, await platform.Sms.ReportStatusAsync(text, "undelivered", "30003 unreachable handset"));
        using var refused = await anonymous.PostAsJsonAsync(ServiceRoutes.SmsStatusCallbackPath, body);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter is not null, "a 429 says when to retry");
        Assert.Equal("Sent", await platform.StateAsync(practice, patientId));
        Assert.Equal(0, await platform.BouncesAsync(deliveryId));

        // The patient routes count in a window of their own: this address is not refused there
        // (no Identity-Verification behind this gateway, so the answer is the proxy's, never a 429)
        using var patient = await anonymous.PostAsJsonAsync("/portal/api/sign-in", new { username = "someone", password = "wrong" });
        Assert.NotEqual(HttpStatusCode.TooManyRequests, patient.StatusCode);
    }
}
