using PortalPlatform.Hosting.Local;

// The development SMS provider as its own process (the AppHost's "sms" resource): Sms:ApiKey is the key senders must
// present, Sms:DataDirectory where accepted texts are kept; the address comes from ASPNETCORE_URLS. With
// Sms:StatusCallbackUrl and Sms:StatusCallbackSecret it reports delivery statuses there, signed (SmsStatusReporter).
var builder = WebApplication.CreateSlimBuilder(args);
var store = new SmsSinkStore(
    builder.Configuration["Sms:DataDirectory"] ?? throw new InvalidOperationException("Sms:DataDirectory is not set"),
    builder.Configuration["Sms:ApiKey"] ?? throw new InvalidOperationException("Sms:ApiKey is not set"));

using var reporter = builder.Configuration["Sms:StatusCallbackUrl"] is { Length: > 0 } callbackUrl
    ? new SmsStatusReporter(new Uri(callbackUrl), builder.Configuration["Sms:StatusCallbackSecret"]
        ?? throw new InvalidOperationException("Sms:StatusCallbackSecret is not set"))
    : null;

var app = builder.Build();
app.MapSmsProvider(store, reporter);
app.MapGet("/health", () => Results.Ok("Healthy"));
app.Run();
