using System.Security.Cryptography;
using PortalPlatform.AppHost;
using PortalPlatform.Hosting.Local;

// The platform's topology, read top to bottom: servers, databases, sinks, the four services and what each uses.
var builder = DistributedApplication.CreateBuilder(PlatformOptions.Arguments(args));
var platform = PlatformOptions.From(builder);
var ports = platform.Ports;

var postgres = builder.AddLocalPostgres("postgres", ports.Postgres.OrFree(), platform.DataPath("postgres"));
var enrollmentDb = postgres.AddDatabase("enrollmentdb");
var identityDb = postgres.AddDatabase("identityverificationdb");
var notificationDb = postgres.AddDatabase("notificationdb");
var webhooksDb = postgres.AddDatabase("webhooksdb");

var rabbitmq = builder.AddLocalRabbitMQ("rabbitmq", ports.RabbitMq.OrFree(), ports.RabbitMqManagement.OrFree(), platform.DataPath("rabbitmq"));

var mail = builder.AddSmtp4dev("mail", ports.Mail.OrFree(), ports.Smtp.OrFree(), platform.RepositoryRoot);
var smsKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
// The provider signs its delivery-status callbacks with this (Standard Webhooks), Notification checks it; made per run.
var smsCallbackSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
var sms = builder.AddProject<Projects.PortalPlatform_SmsSink>("sms")
    .WithHttpEndpoint(port: ports.Sms.OrNull(), name: "http")
    .WithEnvironment("Sms__ApiKey", smsKey)
    .WithEnvironment("Sms__StatusCallbackSecret", smsCallbackSecret)
    .WithEnvironment("Sms__DataDirectory", platform.DataPath("sms"))
    .WithHttpHealthCheck("/health")
    .WithUrlForEndpoint("http", url => url.Url += "/v1/messages");

var enrollment = builder.AddService<Projects.PortalPlatform_Enrollment>("enrollment", platform)
    .WithReference(enrollmentDb).WaitFor(enrollmentDb)
    .WithBrokerUser(rabbitmq);

var notification = builder.AddService<Projects.PortalPlatform_Notification>("notification", platform)
    .WithReference(notificationDb).WaitFor(notificationDb)
    .WithBrokerUser(rabbitmq)
    .WithReference(mail, connectionName: "smtp").WaitFor(mail)
    .WithEnvironment("Sms__BaseUrl", sms.GetEndpoint("http"))
    .WithEnvironment("Sms__ApiKey", smsKey)
    .WithEnvironment("Sms__From", "PortalPlatform")
    .WithEnvironment("Sms__StatusCallbackSecret", smsCallbackSecret)
    .WaitFor(sms);

var identity = builder.AddService<Projects.PortalPlatform_IdentityVerification>("identity-verification", platform)
    .WithReference(identityDb).WaitFor(identityDb)
    .WithBrokerUser(rabbitmq);

var webhooks = builder.AddService<Projects.PortalPlatform_Webhooks>("webhooks", platform)
    .WithReference(webhooksDb).WaitFor(webhooksDb)
    .WithBrokerUser(rabbitmq);

var gateway = builder.AddService<Projects.PortalPlatform_Gateway>("gateway", platform, port: ports.Gateway)
    .WithExternalHttpEndpoints()
    .WithReference(enrollment).WaitFor(enrollment)
    .WithReference(identity).WaitFor(identity)
    .WithReference(notification).WaitFor(notification)
    .WithReference(webhooks).WaitFor(webhooks)
    .WithDemoSeedCommand(mail, sms);

// Registration links in invitations point at the gateway's patient pages; the SMS provider calls back through it.
identity.WithEnvironment("Portal__PublicBaseUrl", gateway.GetEndpoint("http"));
sms.WithEnvironment("Sms__StatusCallbackUrl", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/callbacks/sms/status"));

// Services validate staff tokens against the keys the gateway's Development issuer publishes (no WaitFor: the keys are
// fetched at the first staff request); with replicas, every gateway replica signs with the same key.
foreach (var service in new[] { enrollment, identity, notification, webhooks })
{
    service.WithReference(gateway);
}

gateway.WithSharedDevelopmentSigningKey(platform);

builder.AddStartupSummary(gateway, mail, sms, platform);
builder.Build().Run();
