using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using PortalPlatform.Hosting;

namespace PortalPlatform.Hosting
{
    /// <summary>
    /// smtp4dev, the development mail server: accepts every email over SMTP and shows it in a web UI and a REST API
    /// (<c>GET /api/messages</c>). It runs from the repository's local tool manifest.
    /// </summary>
    public sealed class Smtp4devResource(string name, string workingDirectory)
        : ExecutableResource(name, "dotnet", workingDirectory), IResourceWithConnectionString
    {
        internal const string SmtpEndpointName = "smtp";
        public EndpointReference SmtpEndpoint => new(this, SmtpEndpointName);
        public EndpointReference HttpEndpoint => new(this, "http");

        /// <summary><c>smtp://127.0.0.1:port</c>, as the Notification service reads <c>ConnectionStrings:smtp</c>.</summary>
        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"smtp://127.0.0.1:{SmtpEndpoint.Property(EndpointProperty.Port)}");
    }
}

namespace Aspire.Hosting
{
    public static class Smtp4devBuilderExtensions
    {
        /// <summary>smtp4dev on 127.0.0.1: SMTP on <paramref name="smtpPort"/>, web UI and API on <paramref name="httpPort"/>.</summary>
        /// <param name="toolManifestDirectory">The folder whose <c>.config/dotnet-tools.json</c> names Rnwood.Smtp4dev.</param>
        /// <param name="messagesToKeep">smtp4dev keeps only 100 unless told.</param>
        public static IResourceBuilder<Smtp4devResource> AddSmtp4dev(
            this IDistributedApplicationBuilder builder, string name, int httpPort, int smtpPort, string toolManifestDirectory, int messagesToKeep = 10_000) =>
            builder.AddResource(new Smtp4devResource(name, Path.GetFullPath(toolManifestDirectory)))
                .WithArgs(
                    "tool", "run", "smtp4dev", "--",
                    $"--urls=http://127.0.0.1:{httpPort}", $"--smtpport={smtpPort}", "--imapport=0", "--pop3port=0",
                    "--bindaddress=127.0.0.1", "--db=", "--nousersettings",
                    $"--messagestokeep={messagesToKeep.ToString(CultureInfo.InvariantCulture)}")
                .WithHttpEndpoint(port: httpPort, targetPort: httpPort, name: "http", isProxied: false)
                .WithEndpoint(port: smtpPort, targetPort: smtpPort, scheme: "tcp", name: Smtp4devResource.SmtpEndpointName, isProxied: false)
                .WithUrlForEndpoint("http", url => url.DisplayText = "Mail (web UI)")
                .WithHttpHealthCheck("/api/messages?page=1&pageSize=1", endpointName: "http")
                .WithIconName("MailInbox")
                .ExcludeFromManifest();
    }
}
