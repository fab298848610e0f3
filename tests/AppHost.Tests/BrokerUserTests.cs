using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.Testing;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHost.Tests;

/// <summary>On the platform the AppHost starts, every service is on the broker as its own user, never as the administrator.</summary>
[Collection(AppHostCollection.Name)]
public sealed class BrokerUserTests(AspirePlatform platform)
{
    private static readonly string[] Services = ["enrollment", "identity-verification", "notification", "webhooks"];

    [Fact]
    public async Task Each_service_is_connected_to_the_broker_as_its_own_user_with_only_its_own_permissions()
    {
        using var management = new HttpClient { BaseAddress = new Uri(platform.App.GetEndpoint("rabbitmq", "management"), "/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("guest:guest")));

        // Every service keeps two connections open (its bus, its error-queue monitor), each as the service's own user.
        var connections = await Eventually.GetAsync(async () =>
        {
            var open = await management.GetFromJsonAsync<JsonElement[]>("connections");
            var ours = open!.Select(c => (User: c.GetProperty("user").GetString(), Name: ConnectionName(c)))
                .Where(c => c.Name is "error-queue-monitor" || c.Name?.StartsWith("PortalPlatform.", StringComparison.Ordinal) == true)
                .ToList();
            return ours.Count >= Services.Length * 2 ? ours : null;
        }, TimeSpan.FromSeconds(60), "a bus and an error-queue monitor connected per service");
        Assert.All(connections, c => Assert.Contains(c.User, Services));
        Assert.Equal(Services.Order(), connections.Select(c => c.User).Distinct().Order());

        // ... with exactly the permissions BrokerPermissions gives it (which the services' own tests prove sufficient and tight).
        foreach (var service in Services)
        {
            var permissions = await management.GetFromJsonAsync<JsonElement[]>($"users/{Uri.EscapeDataString(service)}/permissions");
            var granted = Assert.Single(permissions!);
            var expected = BrokerPermissions.ForService(service);
            Assert.Equal(
                (expected.Configure, expected.Write, expected.Read),
                (granted.GetProperty("configure").GetString(), granted.GetProperty("write").GetString(), granted.GetProperty("read").GetString()));
        }
    }

    private static string? ConnectionName(JsonElement connection) =>
        connection.GetProperty("client_properties").TryGetProperty("connection_name", out var name) ? name.GetString() : null;
}
