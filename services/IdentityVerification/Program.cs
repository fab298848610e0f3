using PortalPlatform.IdentityVerification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalEventStore(IdentityVerificationService.Name);
builder.AddPortalMessaging(IdentityVerificationService.Name);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
