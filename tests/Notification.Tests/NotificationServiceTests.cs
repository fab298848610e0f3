using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>A test class's own Notification service, with its own mail and SMS sinks, on the class's servers.</summary>
public abstract class NotificationServiceTests(NotificationServers servers) : IClassFixture<NotificationServers>, IAsyncLifetime
{
    protected NotificationServers Servers { get; } = servers;
    protected LocalMailSink MailSink { get; private set; } = null!;
    protected LocalSmsSink SmsSink { get; private set; } = null!;
    protected ServiceFactory<NotificationService> Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        MailSink = Servers.NewMailSink();
        SmsSink = Servers.NewSmsSink();
        await Task.WhenAll(MailSink.StartAsync(), SmsSink.StartAsync());
        Service = Servers.Service(MailSink.Port, SmsSink);
        _ = Service.Server;
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await MailSink.DisposeAsync();
        await SmsSink.DisposeAsync();
    }
}
