namespace PortalPlatform.EndToEnd.Tests;

/// <summary>Browser tests share one running platform (starting it costs seconds) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<RunningPlatform>
{
    public const string Name = "running platform";
}
