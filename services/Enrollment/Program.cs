using PortalPlatform.Enrollment;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalEventStore(EnrollmentService.Name);
builder.AddPortalMessaging(EnrollmentService.Name);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

app.Run();
