using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>
/// One real Identity-Verification service per test class, on the class's own database and vhost, with a fake clock,
/// every log line captured, and a stand-in for the Notification service and for broadcast subscribers on the vhost.
/// </summary>
public class IdentityHost : IsolatedServers
{
    public const string PublicBaseUrl = "https://portal.example.test";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public CapturedLogs Logs { get; } = new();
    public ConcurrentQueue<DeliverInvitation> Invitations { get; } = new();
    public ConcurrentQueue<DeliverOneTimeCode> OneTimeCodes { get; } = new();

    /// <summary>The two Notification commands exactly as they sit on the broker (what an error queue would keep).</summary>
    public ConcurrentQueue<string> NotificationCommandBodies { get; } = new();

    /// <summary>Every RequestAccess command sent to Enrollment's queue, with its raw body.</summary>
    public ConcurrentQueue<(RequestAccess Command, string Body)> AccessRequests { get; } = new();

    /// <summary>Every broadcast event on the vhost: its type and raw JSON body.</summary>
    public ConcurrentQueue<(Type Type, string Body, object Message)> Broadcasts { get; } = new();

    public HostedIdentityService Service { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public IBusControl Bus { get; private set; } = null!;

    protected virtual Dictionary<string, string?> Overrides() => new()
    {
        ["Portal:PublicBaseUrl"] = PublicBaseUrl,
        ["PatientRateLimit:PermitLimit"] = "100000",
        ["Logging:LogLevel:PortalPlatform"] = "Debug",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(RabbitMqConnectionString));
            rabbit.ReceiveEndpoint(CommandQueues.DeliverInvitation, e => e.Handler<DeliverInvitation>(c =>
            {
                NotificationCommandBodies.Enqueue(Encoding.UTF8.GetString(c.ReceiveContext.Body.GetBytes()));
                return Record(Invitations, c.Message);
            }));
            rabbit.ReceiveEndpoint(CommandQueues.DeliverOneTimeCode, e => e.Handler<DeliverOneTimeCode>(c =>
            {
                NotificationCommandBodies.Enqueue(Encoding.UTF8.GetString(c.ReceiveContext.Body.GetBytes()));
                return Record(OneTimeCodes, c.Message);
            }));
            rabbit.ReceiveEndpoint(CommandQueues.RequestAccess, e => e.Handler<RequestAccess>(c =>
                Record(AccessRequests, (c.Message, Encoding.UTF8.GetString(c.ReceiveContext.Body.GetBytes())))));
            rabbit.ReceiveEndpoint("test-every-broadcast", e =>
            {
                foreach (var type in typeof(IIntegrationEvent).Assembly.GetTypes().Where(t => t.IsClass && typeof(IIntegrationEvent).IsAssignableFrom(t)))
                {
                    typeof(IdentityHost).GetMethod(nameof(CaptureBroadcast), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                        .MakeGenericMethod(type).Invoke(this, [e]);
                }
            });
        });
        await Bus.StartAsync();

        Service = new HostedIdentityService(this, Overrides());
        Prepare(Service);
        Client = Service.CreateClient();
        await Eventually.TrueAsync(async () => (await Client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the service to be healthy");
    }

    /// <summary>A chance to change how the service is hosted (a real Kestrel port for a browser) before it starts.</summary>
    protected virtual void Prepare(HostedIdentityService service)
    {
    }

    public override async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Bus.StopAsync();
        await base.DisposeAsync();
    }

    private void CaptureBroadcast<T>(IReceiveEndpointConfigurator endpoint) where T : class =>
        endpoint.Handler<T>(context =>
        {
            Broadcasts.Enqueue((typeof(T), Encoding.UTF8.GetString(context.ReceiveContext.Body.GetBytes()), context.Message));
            return Task.CompletedTask;
        });

    private static Task Record<T>(ConcurrentQueue<T> queue, T message)
    {
        queue.Enqueue(message);
        return Task.CompletedTask;
    }

    // ---- Given: what Enrollment and staff do ----

    public async Task<Invitee> InviteAsync(
        Invitee? patient = null, InvitationTemplate template = InvitationTemplate.Invitation, TimeSpan? lifetime = null, Guid? proxyId = null)
    {
        patient ??= Invitee.New();
        var invitationId = Guid.NewGuid();
        var command = new CreateRegistration(
            Guid.NewGuid(), patient.PracticeId, patient.PatientId, invitationId, Clock.GetUtcNow() + (lifetime ?? TimeSpan.FromDays(14)),
            "Riverside Family Practice", "Avery", patient.DateOfBirth, "avery@example.test", "+12015550123", template, proxyId);
        await SendAsync(command);
        var delivered = await Eventually.GetAsync(
            () => Task.FromResult(Invitations.FirstOrDefault(i => i.InvitationId == invitationId)), what: "the DeliverInvitation command");
        var link = new Uri(LinkOf(delivered));
        Assert.StartsWith(PublicBaseUrl + "/register?token=", link.AbsoluteUri);
        var token = Uri.UnescapeDataString(link.Query["?token=".Length..]);
        return patient with { InvitationId = invitationId, Token = token };
    }

    public async Task SendAsync(CreateRegistration command)
    {
        var endpoint = await Bus.GetSendEndpoint(new Uri("queue:" + CommandQueues.CreateRegistration));
        await endpoint.Send(command);
    }

    public Task PublishAsync<T>(T message) where T : class => Bus.Publish(message);

    public HttpClient StaffClient(Guid practiceId)
    {
        var client = Service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            StaffTokens.Issue(new StaffUser(practiceId, "staff-1", "Sam Staff", StaffRoles.Staff)));
        return client;
    }

    // ---- When: what the patient does ----

    public async Task<string> TextedCodeAsync(Invitee patient)
    {
        var before = OneTimeCodes.Count(c => c.PatientId == patient.PatientId && c.PracticeId == patient.PracticeId);
        var response = await Client.PostAsJsonAsync("/portal/api/registration/code", new { token = patient.Token });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var codes = await Eventually.GetAsync(() =>
        {
            var sent = OneTimeCodes.Where(c => c.PatientId == patient.PatientId && c.PracticeId == patient.PracticeId).ToList();
            return Task.FromResult(sent.Count > before ? sent : null);
        }, what: "the DeliverOneTimeCode command");
        return CodeOf(codes[^1]);
    }

    /// <summary>The registration link, opened from the command as Notification opens it (with the Testing key).</summary>
    public static string LinkOf(DeliverInvitation command) => DevelopmentCommandSecrets.Instance.Open(command.SealedRegistrationLink, command.CommandId);

    /// <summary>The one-time code, opened from the command as Notification opens it.</summary>
    public static string CodeOf(DeliverOneTimeCode command) => DevelopmentCommandSecrets.Instance.Open(command.SealedCode, command.CommandId);

    public async Task<string> AccessCodeAsync(Invitee patient)
    {
        var response = await StaffClient(patient.PracticeId)
            .GetAsync($"/api/patients/{patient.PatientId}/portal/invitations/{patient.InvitationId}/access-code");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessCode").GetString()!;
    }

    public Task<HttpResponseMessage> VerifyAsync(string? token, DateOnly dateOfBirth, string code) =>
        Client.PostAsJsonAsync("/portal/api/registration/verify", new { token, dateOfBirth = dateOfBirth.ToString("yyyy-MM-dd"), code });

    public async Task<Guid> VerifiedAsync(Invitee patient, string code)
    {
        var response = await VerifyAsync(patient.Token, patient.DateOfBirth, code);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("registrationId").GetGuid();
    }

    public Task<HttpResponseMessage> CompleteAsync(Guid registrationId, string username, string password) =>
        Client.PostAsJsonAsync("/portal/api/registration/complete", new { registrationId, username, password });

    public Task<HttpResponseMessage> LinkAsync(Guid registrationId, string username, string password) =>
        Client.PostAsJsonAsync("/portal/api/registration/link", new { registrationId, username, password });

    public Task<HttpResponseMessage> SignInAsync(string username, string password) =>
        Client.PostAsJsonAsync("/portal/api/sign-in", new { username, password });

    /// <summary>The sign-in attempts counted for <paramref name="username"/> in the current window.</summary>
    public async Task<int> SignInAttemptsAsync(string username)
    {
        var schema = Service.Services.GetRequiredService<Marten.IDocumentStore>().Options.DatabaseSchemaName;
        await using var command = Service.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().CreateCommand(
            $"select coalesce(max(attempts), 0) from {schema}.{SigningIn.SignInThrottle.AttemptsTableName} where username = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = username });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Invite, verify with a texted code and set up an account: a registered patient.</summary>
    public async Task<Invitee> RegisteredAsync(string username, string password, Invitee? patient = null)
    {
        var invited = await InviteAsync(patient);
        var registrationId = await VerifiedAsync(invited, await TextedCodeAsync(invited));
        var completed = await CompleteAsync(registrationId, username, password);
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        return invited with { RegistrationId = registrationId };
    }

    public Task<HttpResponseMessage> AskForAccessAsync(object body) => Client.PostAsJsonAsync("/portal/api/access-requests", body);

    /// <summary>The RequestAccess command Enrollment got for this patient.</summary>
    public Task<RequestAccess> AccessRequestForAsync(Invitee patient) =>
        Eventually.GetAsync(() => Task.FromResult(AccessRequests.Select(r => r.Command)
            .FirstOrDefault(c => c.PracticeId == patient.PracticeId && c.PatientId == patient.PatientId)), what: "the RequestAccess command");

    public async Task<T> BroadcastAsync<T>(Func<T, bool> match) where T : class =>
        await Eventually.GetAsync(() => Task.FromResult(Broadcasts.Select(b => b.Message).OfType<T>().FirstOrDefault(match)), what: typeof(T).Name);
}

/// <summary>A patient of a practice, as the test knows them.</summary>
public sealed record Invitee(Guid PracticeId, string PatientId, DateOnly DateOfBirth)
{
    public Guid InvitationId { get; init; }
    public string Token { get; init; } = "";
    public Guid RegistrationId { get; init; }

    public static Invitee New(Guid? practiceId = null) =>
        new(practiceId ?? Guid.NewGuid(), "MRN-" + Guid.NewGuid().ToString("N")[..8], new DateOnly(1980, 4, 12));
}

/// <summary>The real service in-process, with the test's clock and log capture.</summary>
public sealed class HostedIdentityService(IdentityHost host, Dictionary<string, string?> overrides)
    : ServiceFactory<IdentityVerificationService>(host, IdentityVerificationService.Name, overrides)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(host.Clock);
            services.AddSingleton<ILoggerProvider>(host.Logs);
        });
    }
}

/// <summary>Every log line the service writes (message, state values, scopes and exception), for searching.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            logs.Lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            logs.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
