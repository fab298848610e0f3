using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>A message a consumer fails on after every retry lands in its _error queue: counted in /health, and ops move it back.</summary>
public sealed class ConsumerErrorQueueTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    /// <summary>Encounters the consumer fails on until a test "deploys the fix".</summary>
    public sealed class Failing
    {
        public ConcurrentDictionary<Guid, bool> Encounters { get; } = new();
        public ConcurrentQueue<Guid> Applied { get; } = new();
    }

    public sealed class FlakyConsumer(Failing failing) : IConsumer<EncounterSigned>
    {
        public Task Consume(ConsumeContext<EncounterSigned> context)
        {
            if (failing.Encounters.ContainsKey(context.Message.EncounterId))
            {
                throw new InvalidOperationException("consumer bug");
            }

            failing.Applied.Enqueue(context.Message.EncounterId);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_message_in_an_error_queue_degrades_health_and_ops_replay_moves_it_back_to_the_consumer()
    {
        var failing = new Failing();
        var builder = TestHosts.Create(servers, "errq");
        builder.Services.AddSingleton(failing);
        builder.AddStaffAuthentication();
        builder.AddPortalMessaging("errq", bus => bus.AddConsumer<FlakyConsumer>());
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        await using var service = await app.StartConnectedAsync();
        using var ops = service.GetTestClient();
        ops.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            servers.StaffTokens.Issue(new StaffUser(Guid.NewGuid(), "ops-1", "Ops", StaffRoles.Operator)));

        Assert.Equal("Healthy", await ErrorQueueHealthAsync(service));
        var bad = Guid.NewGuid();
        failing.Encounters[bad] = true;
        var bus = service.Services.GetRequiredService<IBus>();
        await bus.Publish(new EncounterSigned(Guid.NewGuid(), Guid.NewGuid(), "p", DateTimeOffset.UtcNow, bad, "dr"));

        await Eventually.TrueAsync(async () => await ErrorQueueHealthAsync(service) == "Degraded", what: "the error-queues health entry to turn Degraded");
        var queue = Assert.Single(
            (await ops.GetFromJsonAsync<ErrorQueueEndpoints.ErrorQueueCount[]>(ErrorQueueEndpoints.Path))!, q => q.Messages > 0);
        Assert.Equal(1u, queue.Messages);
        Assert.Empty(failing.Applied);

        failing.Encounters.TryRemove(bad, out _);
        using var replay = await ops.PostAsync($"{ErrorQueueEndpoints.Path}/{queue.Endpoint}/replay", null);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<ErrorQueueEndpoints.ReplayResult>())!.Moved);

        await Eventually.TrueAsync(() => failing.Applied.Contains(bad), what: "the replayed message to be consumed");
        await Eventually.TrueAsync(async () => await ErrorQueueHealthAsync(service) == "Healthy", what: "the error-queues health entry to turn Healthy");
        using var unknown = await ops.PostAsync($"{ErrorQueueEndpoints.Path}/someone-elses-queue/replay", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<string?> ErrorQueueHealthAsync(WebApplication app)
    {
        using var client = app.GetTestClient();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return report.GetProperty("checks").GetProperty("error-queues").GetProperty("status").GetString();
    }
}
