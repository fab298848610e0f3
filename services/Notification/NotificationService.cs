namespace PortalPlatform.Notification;

/// <summary>Names the service; tests host it through this type (WebApplicationFactory&lt;NotificationService&gt;).</summary>
public sealed class NotificationService
{
    public const string Name = "notification";
}
