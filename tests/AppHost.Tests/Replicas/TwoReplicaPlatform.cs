using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHost.Tests.Replicas;

/// <summary>The whole platform through the real AppHost with <c>--replicas 2</c>: two processes of every service.</summary>
public sealed class TwoReplicaPlatform : AspirePlatform
{
    protected override int Replicas => 2;

    /// <summary>Sends in flight per Notification replica, set here so the test knows the bound on resends.</summary>
    public const int MaxParallelSends = 4;

    /// <summary>
    /// A send claimed by a replica that dies is taken over when its lease runs out (5 min by default, longer than the
    /// test): 15 s here, still far longer than a send to the local mail sink takes.
    /// </summary>
    protected override void Configure(IDistributedApplicationTestingBuilder builder) =>
        builder.CreateResourceBuilder<ProjectResource>("notification")
            .WithEnvironment("Delivery__SendLease", "00:00:15")
            .WithEnvironment("Delivery__MaxParallelSends", MaxParallelSends.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoReplicaCollection : ICollectionFixture<TwoReplicaPlatform>
{
    public const string Name = "AppHost with two replicas of every service (its own platform)";
}
