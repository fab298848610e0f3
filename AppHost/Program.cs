using PortalPlatform.AppHost;
using PortalPlatform.Dashboard;
using PortalPlatform.Hosting.ApplicationModel;
using PortalPlatform.Hosting.Resources;

// The platform's topology, read top to bottom: servers, databases, sinks, the four services and what each uses.
var builder = DistributedApplicationBuilder.CreateBuilder(args);
var ports = builder.Options.Ports;

var dashboard = builder.AddDashboard("dashboard", ports.Dashboard, ports.DashboardOtlpGrpc);

var postgres = builder.AddPostgres("postgres", ports.Postgres);
var enrollmentDb = postgres.AddDatabase("enrollmentdb");
var identityDb = postgres.AddDatabase("identityverificationdb");
var notificationDb = postgres.AddDatabase("notificationdb");

var rabbitmq = builder.AddRabbitMQ("rabbitmq", ports.RabbitMq, ports.RabbitMqManagement);

var mail = builder.AddMailSink("mail", ports.Smtp);
var sms = builder.AddSmsSink("sms", ports.Sms);

var enrollment = builder.AddProject("enrollment", "services/Enrollment", ports.Enrollment)
    .WithReference(enrollmentDb).WaitFor(enrollmentDb)
    .WithReference(rabbitmq).WaitFor(rabbitmq);

var notification = builder.AddProject("notification", "services/Notification", ports.Notification)
    .WithReference(notificationDb).WaitFor(notificationDb)
    .WithReference(rabbitmq).WaitFor(rabbitmq)
    .WithReference(mail, connectionName: "smtp").WaitFor(mail)
    .WithReference(sms).WaitFor(sms);

var identity = builder.AddProject("identity-verification", "services/IdentityVerification", ports.IdentityVerification)
    .WithReference(identityDb).WaitFor(identityDb)
    .WithReference(rabbitmq).WaitFor(rabbitmq);

var gateway = builder.AddProject("gateway", "services/Gateway", ports.Gateway)
    .WithReference(enrollment).WaitFor(enrollment)
    .WithReference(identity).WaitFor(identity)
    .WithReference(notification).WaitFor(notification);

// Registration links in invitations point at the gateway's patient pages.
identity.WithEnvironment("Portal__PublicBaseUrl", () => gateway.Resource.Url.ToString().TrimEnd('/'));

if (builder.Options.Seed)
{
    builder.OnAllHealthy((app, log, cancellationToken) => DemoSeed.RunAsync(gateway.Resource.Url, app, log, cancellationToken));
}

var app = builder.Build();
app.Summary.Add(("gateway", () => gateway.Resource.Url.ToString()));
app.Summary.Add(("chart", () => $"{gateway.Resource.Url} (staff sign-in), then {new Uri(gateway.Resource.Url, "/chart/demo-rita")}"));
app.Summary.Add(("dashboard", () => dashboard.Resource.Url.ToString()));
app.Summary.Add(("broker management", () => $"{rabbitmq.Resource.Server.ManagementUri} (guest/guest)"));
return await app.RunAsync();
