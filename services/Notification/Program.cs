using PortalPlatform.Notification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalEventStore(NotificationService.Name);
builder.AddPortalMessaging(NotificationService.Name);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
