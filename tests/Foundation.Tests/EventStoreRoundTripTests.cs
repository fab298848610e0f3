using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

public sealed class EventStoreRoundTripTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    private sealed record SomethingHappened(string What);

    [Fact]
    public async Task Events_appended_through_the_shared_conventions_are_read_back_from_PostgreSQL()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(servers.ConfigurationFor("roundtrip"));
        builder.AddPortalEventStore("roundtrip");
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var streamId = Guid.NewGuid();

        await using (var session = store.LightweightSession())
        {
            session.Events.StartStream(streamId, new SomethingHappened("first"), new SomethingHappened("second"));
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(streamId);
        Assert.Equal(["first", "second"], events.Select(e => ((SomethingHappened)e.Data).What));
        Assert.Equal(2, events[^1].Version);
    }
}
