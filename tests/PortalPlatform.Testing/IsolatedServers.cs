using Microsoft.Extensions.Hosting;
using Xunit;

namespace PortalPlatform.Testing;

/// <summary>
/// A class fixture that gives one test class its own database and its own RabbitMQ virtual host, so test classes
/// run in parallel and in any order without seeing each other's data or messages.
/// </summary>
public class IsolatedServers : IAsyncLifetime
{
    public string Name { get; } = $"t{Guid.NewGuid():N}"[..20];
    public string DatabaseConnectionString { get; private set; } = "";
    public string RabbitMqConnectionString { get; private set; } = "";
    public TestServers Servers { get; private set; } = null!;

    /// <summary>Signs staff tokens every service under test accepts (it is their <c>Auth:Authority</c>).</summary>
    public TestIdentityProvider StaffTokens { get; private set; } = null!;

    /// <summary>Configuration for a service under test, as the AppHost would hand it over.</summary>
    public Dictionary<string, string?> ConfigurationFor(string serviceName) => new()
    {
        [$"ConnectionStrings:{PortalEventStoreExtensions.ConnectionNameOf(serviceName)}"] = DatabaseConnectionString,
        [$"ConnectionStrings:{PortalMessagingExtensions.ConnectionName}"] = RabbitMqConnectionString,
        ["Messaging:RetryLimit"] = "3",
        ["Messaging:RetryMinInterval"] = "00:00:00.050",
        ["Messaging:RetryMaxInterval"] = "00:00:00.500",
        ["Messaging:RetryIntervalDelta"] = "00:00:00.050",
        ["Auth:Authority"] = StaffTokens.Authority,
    };

    public virtual async Task InitializeAsync()
    {
        Servers = await TestServers.GetAsync();
        StaffTokens = await TestIdentityProvider.GetAsync();
        DatabaseConnectionString = await Servers.CreateDatabaseAsync(Name);
        RabbitMqConnectionString = await Servers.CreateVirtualHostAsync(Name);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
