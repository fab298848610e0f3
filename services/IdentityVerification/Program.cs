using PortalPlatform.IdentityVerification;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.IdentityVerification.Staff;
using PortalPlatform.IdentityVerification.Verifying;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityVerification();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();

// The patient pages (the gateway routes /register, /sign-in and /portal/** here).
app.MapGet("/register", () => Results.File("register.html", "text/html; charset=utf-8"));
app.MapGet("/sign-in", () => Results.File("sign-in.html", "text/html; charset=utf-8"));

app.MapGroup("/portal/api")
    .RequireRateLimiting(IdentityVerificationRegistration.PatientRateLimitPolicy)
    .MapVerification()
    .MapAccountSetUp()
    .MapSignIn();
app.MapAccessCode();

app.Run();
