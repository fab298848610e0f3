using PortalPlatform.Hosting.ApplicationModel;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.Hosting.Resources;

/// <summary>The development SMTP server that captures every email the Notification service sends.</summary>
public sealed class MailSinkResource(string name, LocalMailSink sink, int port) : Resource(name), IResourceWithConnectionString, ICapturedMessageSource
{
    public LocalMailSink Sink { get; } = sink;
    public int Port { get; } = port;
    public override string Type => "mail";
    public string ConnectionString => $"smtp://127.0.0.1:{Port}";
    public override IReadOnlyList<ResourceEndpoint> Endpoints => [new("smtp", new Uri(ConnectionString))];
    public override IEnumerable<(int Port, string What)> PortsToCheck => [(Port, "the mail sink (SMTP)")];
    public override bool CanRestart => true;
    public string MessageKind => "mail";

    public IEnumerable<object> ReadMessages() => Sink.ReadAll().Cast<object>();

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        Sink.StartAsync(line => Console.Add(line), cancellationToken);

    protected internal override async Task StopAsync() => await Sink.StopAsync();
}

/// <summary>The development SMS provider (HTTP) that captures every text message.</summary>
public sealed class SmsSinkResource(string name, LocalSmsSink sink, int port) : Resource(name), ICapturedMessageSource
{
    public LocalSmsSink Sink { get; } = sink;
    public int Port { get; } = port;
    public Uri Url => new($"http://127.0.0.1:{Port}");
    public override string Type => "sms";
    public override IReadOnlyList<ResourceEndpoint> Endpoints => [new("http", Url)];
    public override IEnumerable<(int Port, string What)> PortsToCheck => [(Port, "the SMS sink (HTTP)")];
    public override bool CanRestart => true;
    public string MessageKind => "sms";

    public IEnumerable<object> ReadMessages() => Sink.ReadAll().Cast<object>();

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        Sink.StartAsync(line => Console.Add(line), cancellationToken);

    protected internal override async Task StopAsync() => await Sink.StopAsync();
}

public static class SinkHostingExtensions
{
    public static IResourceBuilder<MailSinkResource> AddMailSink(this DistributedApplicationBuilder builder, string name, int port) =>
        builder.AddResource(new MailSinkResource(name, new LocalMailSink(Path.Combine(builder.DataDirectory, name), port), port));

    public static IResourceBuilder<SmsSinkResource> AddSmsSink(this DistributedApplicationBuilder builder, string name, int port) =>
        builder.AddResource(new SmsSinkResource(name, new LocalSmsSink(Path.Combine(builder.DataDirectory, name), port), port));

    /// <summary>Sms__BaseUrl, Sms__ApiKey and Sms__From: where the Notification service posts text messages, as whom.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<SmsSinkResource> sms)
    {
        project.Resource.References.Add(sms.Resource);
        project.Resource.Environment["Sms__BaseUrl"] = () => sms.Resource.Url.ToString().TrimEnd('/');
        project.Resource.Environment["Sms__ApiKey"] = () => sms.Resource.Sink.ApiKey;
        project.Resource.Environment["Sms__From"] = () => "PortalPlatform";
        return project;
    }
}
