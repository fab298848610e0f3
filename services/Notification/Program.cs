using JasperFx.Events.Projections;
using PortalPlatform.Notification.AccessRequests;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Email;
using PortalPlatform.Notification.Invitations;
using PortalPlatform.Notification.OneTimeCodes;
using PortalPlatform.Notification.Sms;
using PortalPlatform.Notification.Staff;
using PortalPlatform.Notification.Voiding;
using PortalPlatform.Notification;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddStaffAuthentication();
builder.AddPortalEventStore(NotificationService.Name, store =>
    {
        store.Projections.Snapshot<Delivery>(SnapshotLifecycle.Inline);
        store.Schema.For<Delivery>().Index(d => d.PatientId).Index(d => d.DueAt);
        store.Schema.For<OutboundMessage>();
        store.Schema.For<VoidedInvitation>();
    })
    .PublishIntegrationEvents<DeliveryEventMap>();
builder.AddCommandSecrets();
builder.AddPortalMessaging(NotificationService.Name, bus =>
{
    bus.AddConsumer<DeliverInvitationConsumer>(typeof(DeliverInvitationConsumerDefinition));
    bus.AddConsumer<DeliverOneTimeCodeConsumer>(typeof(DeliverOneTimeCodeConsumerDefinition));
    bus.AddConsumer<DeliverAccessRequestDeclinedConsumer>(typeof(DeliverAccessRequestDeclinedConsumerDefinition));
    bus.AddConsumer<InviteIssuedConsumer>();
    bus.AddConsumer<InviteCancelledConsumer>();
    bus.AddConsumer<InviteExpiredConsumer>();
    bus.AddConsumer<AccessRevokedConsumer>();
    bus.AddConsumer<ProxyAccessRevokedConsumer>();
});

builder.Services.AddOptions<SmtpOptions>()
    .Bind(builder.Configuration.GetSection(SmtpOptions.Section))
    .Configure(smtp => smtp.Server = builder.Configuration.GetConnectionString(SmtpOptions.ConnectionName))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<SmsOptions>().Bind(builder.Configuration.GetSection(SmsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<DeliveryOptions>().Bind(builder.Configuration.GetSection(DeliveryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
builder.Services.AddSingleton<SmtpEmailSender>();
#pragma warning disable EXTEXP0001 // experimental API: the only way to take the default resilience handler off one client
builder.Services.AddHttpClient<SmsProviderClient>((services, http) =>
    {
        var sms = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SmsOptions>>().Value;
        http.BaseAddress = sms.BaseUrl;
        http.Timeout = sms.Timeout;
    })
    .RemoveAllResilienceHandlers(); // a provider retry could text twice; retries are stored attempts with the same reference
#pragma warning restore EXTEXP0001
builder.Services.AddSingleton<DispatcherWakeUp>();
builder.Services.AddHostedService<DeliveryDispatcher>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapPatientDeliveries();
app.MapSmsStatusCallback();

app.Run();
