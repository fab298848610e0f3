using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.Webhooks;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Retention;
using PortalPlatform.Webhooks.Security;
using PortalPlatform.Webhooks.Subscriptions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddStaffAuthentication();
builder.AddPortalEventStore(WebhooksService.Name, store =>
{
    store.Schema.For<Subscription>().UseOptimisticConcurrency(true).Index(s => s.PracticeId);
    store.Schema.For<WebhookDelivery>().UseOptimisticConcurrency(true)
        .Index(d => d.DueAt).Index(d => d.SubscriptionId).Index(d => d.PatientId).Index(d => d.ConsumedAt).Index(d => d.EventId);
    store.Schema.For<ReceivedEvent>().Index(e => e.PracticeId).Index(e => e.OccurredAt);
    store.Schema.For<DataProtectionKey>();
});
builder.AddPortalMessaging(WebhooksService.Name, bus => bus.AddIntegrationEventConsumers());

builder.Services.AddOptions<WebhookOptions>()
    .Bind(builder.Configuration.GetSection(WebhookOptions.Section))
    .Configure(o => o.AllowPrivateTargets |= builder.Environment.IsDevelopment())
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddDataProtection().SetApplicationName("PortalPlatform.Webhooks");
builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services =>
    new ConfigureOptions<KeyManagementOptions>(keys => keys.XmlRepository = new MartenXmlRepository(services.GetRequiredService<Marten.IDocumentStore>())));
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddSingleton<TargetPolicy>();
builder.Services.AddSingleton<SubscriptionSecrets>();
builder.Services.AddSingleton<WebhookSender>();
builder.Services.AddSingleton<DispatcherWakeUp>();
builder.Services.AddHostedService<DeliveryDispatcher>();
builder.Services.AddHostedService<RetentionJob>();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapWebhookSubscriptions();

app.Run();
