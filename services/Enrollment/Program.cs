using System.Text.Json.Serialization;
using FluentValidation;
using JasperFx.Events.Projections;
using MassTransit;
using PortalPlatform.Enrollment;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.Expiry;
using PortalPlatform.Enrollment.Messaging;
using PortalPlatform.Enrollment.Projections;
using PortalPlatform.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddStaffAuthentication();
builder.AddPortalEventStore(EnrollmentService.Name, store =>
    {
        store.Projections.Add<PortalStatusProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PortalHistoryProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PracticeDashboardProjection>(ProjectionLifecycle.Async);
        store.Schema.For<PortalStatusView>().Index(v => v.PendingInvitationExpiresAt!);
    })
    .PublishIntegrationEvents<IntegrationEvents>();
builder.AddPortalMessaging(EnrollmentService.Name, bus => bus.AddConsumers(typeof(EnrollmentService).Assembly));

builder.Services.AddSingleton<PortalAccessInbox>();
builder.Services.AddOptions<InvitationExpiryOptions>()
    .Bind(builder.Configuration.GetSection(InvitationExpiryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddHostedService<InvitationExpiryJob>();
builder.Services.AddValidatorsFromAssemblyContaining<EnrollmentService>(ServiceLifetime.Singleton);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapEnrollmentApi();

app.Run();
