using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>
/// Two instances of Notification on one database and one vhost, as two replicas run: they compete for the
/// commands and for the due deliveries, and each claim is exclusive, so every patient gets one email.
/// </summary>
public sealed class ReplicaTests(NotificationServers servers) : IClassFixture<NotificationServers>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Guid _practice = Guid.NewGuid();
    private LocalMailSink _mail = null!;
    private LocalSmsSink _sms = null!;

    public async Task InitializeAsync()
    {
        _mail = servers.NewMailSink();
        _sms = servers.NewSmsSink();
        await Task.WhenAll(_mail.StartAsync(), _sms.StartAsync());
    }

    public async Task DisposeAsync()
    {
        await _mail.DisposeAsync();
        await _sms.DisposeAsync();
    }

    [Fact]
    public async Task Two_replicas_send_each_invitation_of_a_burst_exactly_once()
    {
        await using var a = await StartReplicaAsync();
        await using var b = await StartReplicaAsync();
        var burst = Invitations(40);

        await Task.WhenAll(burst.Select(servers.SendAsync));

        await WaitUntilAllDeliveredAsync(burst);
        AssertOneEmailEach(burst);
    }

    [Fact]
    public async Task A_replica_stopping_mid_burst_leaves_the_rest_to_the_other_and_no_email_is_lost_or_doubled()
    {
        await using var a = await StartReplicaAsync();
        await using var b = await StartReplicaAsync();
        var burst = Invitations(40);

        // When the first half is under way and one replica stops while the second half arrives
        await Task.WhenAll(burst.Take(20).Select(servers.SendAsync));
        await Eventually.TrueAsync(() => _mail.ReadAll().Count >= 5, Patience, "the first emails");
        var rest = Task.WhenAll(burst.Skip(20).Select(servers.SendAsync));
        await a.DisposeAsync();
        await rest;

        // Then every invitation is delivered, once
        await WaitUntilAllDeliveredAsync(burst);
        AssertOneEmailEach(burst);
    }

    private async Task<WebApplicationFactory<NotificationService>> StartReplicaAsync()
    {
        // As deploy/ runs them: the schema applied at start-up (replicas creating tables on first use race on the DDL).
        var replica = servers.Service(_mail.Port, _sms)
            .WithWebHostBuilder(web => web.UseSetting(PortalEventStoreExtensions.ApplySchemaOnStartupKey, "true"));
        var client = replica.CreateClient();
        await Eventually.TrueAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, Patience, "Notification healthy");
        return replica;
    }

    private List<DeliverInvitation> Invitations(int count) =>
        Enumerable.Range(0, count).Select(_ => NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), phone: null)).ToList();

    // InviteDelivered leaves only after DeliverySent was recorded, a final state: nothing sends any of them again.
    private Task WaitUntilAllDeliveredAsync(IReadOnlyCollection<DeliverInvitation> burst)
    {
        var ids = burst.Select(c => c.InvitationId).ToHashSet();
        return Eventually.TrueAsync(() => servers.Delivered.Where(d => ids.Contains(d.InvitationId)).Select(d => d.InvitationId).Distinct().Count() == ids.Count,
            Patience, $"InviteDelivered for all {ids.Count}");
    }

    private void AssertOneEmailEach(IReadOnlyCollection<DeliverInvitation> burst)
    {
        var received = _mail.ReadAll().SelectMany(m => m.To).ToList();
        Assert.All(burst, command => Assert.Single(received, to => to == command.Email));
        Assert.Equal(burst.Count, received.Count);
    }
}
