using System.Diagnostics;
using System.Runtime.InteropServices;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Resources;

// The platform's topology: PostgreSQL (one database per service), RabbitMQ, and the four services.
var root = RepositoryLayout.Root;
var fresh = args.Contains("--fresh");
var dataDirectory = Path.Combine(root, ".data");
if (fresh && Directory.Exists(dataDirectory))
{
    Directory.Delete(dataDirectory, recursive: true);
}

var clock = Stopwatch.StartNew();
var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stopping.Cancel(); };
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stopping.Cancel(); });

void Log(string line) => Console.WriteLine($"[apphost] {line}");

var postgres = new LocalPostgres(Path.Combine(dataDirectory, "postgres"), 55432);
var rabbitmq = new LocalRabbitMq(Path.Combine(dataDirectory, "rabbitmq"), 55672, 55673);
var services = new List<ProjectProcess>();
try
{
    await Task.WhenAll(postgres.StartAsync(Log, stopping.Token), rabbitmq.StartAsync(Log, stopping.Token));

    ProjectProcess Project(string name, string folder, int port, string? database)
    {
        var project = new ProjectProcess(name, Path.Combine(root, "services", folder), $"PortalPlatform.{folder}", port);
        project.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        project.Environment["OTEL_SERVICE_NAME"] = name;
        project.Environment["ConnectionStrings__rabbitmq"] = rabbitmq.ConnectionString();
        if (database is not null)
        {
            project.Environment[$"ConnectionStrings__{database}"] = postgres.ConnectionString(database);
        }

        project.Output += (resource, line) => Console.WriteLine($"[{resource}] {line}");
        services.Add(project);
        return project;
    }

    var enrollment = Project("enrollment", "Enrollment", 5101, "enrollmentdb");
    var identity = Project("identity-verification", "IdentityVerification", 5102, "identityverificationdb");
    var notification = Project("notification", "Notification", 5103, "notificationdb");
    var gateway = Project("gateway", "Gateway", 5100, null);
    foreach (var reference in new[] { enrollment, identity, notification })
    {
        gateway.Environment[$"services__{reference.Name}__http__0"] = reference.Url.ToString().TrimEnd('/');
    }

    foreach (var database in new[] { "enrollmentdb", "identityverificationdb", "notificationdb" })
    {
        await postgres.CreateDatabaseAsync(database, stopping.Token);
    }

    foreach (var service in services)
    {
        Ports.EnsureFree(service.Port, service.Name);
        service.Start();
    }

    await Task.WhenAll(services.Select(s => s.WaitHealthyAsync(TimeSpan.FromSeconds(90), stopping.Token)));
    Log($"all resources healthy in {clock.Elapsed.TotalSeconds:0.0} s");
    Log($"gateway:           {gateway.Url}");
    Log($"broker management: {rabbitmq.ManagementUri} (guest/guest)");
    Log("press Ctrl+C to stop");
    await Task.Delay(Timeout.Infinite, stopping.Token);
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
}
catch (PortInUseException busy)
{
    Log(busy.Message);
    Environment.ExitCode = 2;
}
finally
{
    Log("stopping");
    await Task.WhenAll(services.Select(s => s.StopAsync()));
    await Task.WhenAll(rabbitmq.StopAsync(), postgres.StopAsync());
    Log("stopped");
}
