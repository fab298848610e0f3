namespace PortalPlatform.Webhooks;

/// <summary>Names the service; tests host it through this type (WebApplicationFactory&lt;WebhooksService&gt;).</summary>
public sealed class WebhooksService
{
    public const string Name = "webhooks";
}
