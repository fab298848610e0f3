namespace PortalPlatform.Gateway;

/// <summary>Names the service; tests host it through this type (WebApplicationFactory&lt;GatewayService&gt;).</summary>
public sealed class GatewayService
{
    public const string Name = "gateway";
}
