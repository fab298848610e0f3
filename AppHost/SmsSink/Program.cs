using PortalPlatform.Hosting.Local;

// The development SMS provider as its own process (the AppHost's "sms" resource): Sms:ApiKey is the key senders must
// present, Sms:DataDirectory where accepted texts are kept; the address comes from ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder(args);
var store = new SmsSinkStore(
    builder.Configuration["Sms:DataDirectory"] ?? throw new InvalidOperationException("Sms:DataDirectory is not set"),
    builder.Configuration["Sms:ApiKey"] ?? throw new InvalidOperationException("Sms:ApiKey is not set"));

var app = builder.Build();
app.MapSmsProvider(store);
app.MapGet("/health", () => Results.Ok("Healthy"));
app.Run();
