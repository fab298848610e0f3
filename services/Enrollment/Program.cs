using System.Text.Json.Serialization;
using FluentValidation;
using MassTransit;
using PortalPlatform.Enrollment;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.Delivering;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Messaging;
using PortalPlatform.Enrollment.PortalAccess;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddStaffAuthentication();
builder.AddPortalEventStore(EnrollmentService.Name, EnrollmentStore.Configure).PublishIntegrationEvents<IntegrationEvents>();
builder.AddPortalMessaging(EnrollmentService.Name, bus => bus.AddConsumers(typeof(EnrollmentService).Assembly));
builder.AddDevelopmentClock();

builder.Services.AddSingleton<PortalAccessInbox>();
builder.Services.AddSingleton<DeliveryReceiptRecorder>();
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
app.MapDevelopmentClock();

app.Run();
