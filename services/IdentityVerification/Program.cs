using PortalPlatform.IdentityVerification;
using PortalPlatform.IdentityVerification.AccessRequests;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Pages;
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

app.MapPatientPages();

app.MapGroup("/portal/api")
    .RequireRateLimiting(IdentityVerificationRegistration.PatientRateLimitPolicy)
    .MapVerification()
    .MapAccountSetUp()
    .MapSignIn()
    .MapAccessRequests();
app.MapAccessCode();

app.Run();
