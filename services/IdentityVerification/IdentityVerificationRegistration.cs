using System.Threading.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Opening;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.IdentityVerification.Voiding;
using PortalPlatform.ServiceDefaults.Http;
using PortalPlatform.ServiceDefaults.Messaging;
using JasperFx.Events.Projections;

namespace PortalPlatform.IdentityVerification;

/// <summary>The service's own wiring, so Program.cs stays a short list.</summary>
public static class IdentityVerificationRegistration
{
    public const string PatientRateLimitPolicy = "patient-per-address";

    public static IHostApplicationBuilder AddIdentityVerification(this IHostApplicationBuilder builder)
    {
        var local = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<RegistrationOptions>()
            .Bind(builder.Configuration.GetSection(RegistrationOptions.Section))
            .PostConfigure(o => o.TokenKey = string.IsNullOrEmpty(o.TokenKey) && local ? RegistrationOptions.DevelopmentTokenKey : o.TokenKey)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<PortalOptions>().Bind(builder.Configuration.GetSection(PortalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PatientRateLimitOptions>().Bind(builder.Configuration.GetSection(PatientRateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton<RegistrationSecrets>();
        builder.Services.AddSingleton<PasswordPolicy>();
        builder.Services.AddSingleton<IPasswordHasher<Account>, PasswordHasher<Account>>();
        builder.Services.AddSingleton<SignInThrottle>();

        builder.AddPortalEventStore(IdentityVerificationService.Name, options =>
            {
                options.Projections.Snapshot<Registration>(SnapshotLifecycle.Inline);
                options.Schema.For<Registration>().Index(r => r.TokenHash).Index(r => r.InvitationId);
                options.Schema.For<Account>().UniqueIndex(a => a.Username);
                options.Schema.For<PatientSession>().Index(s => s.AccountId);
                options.Storage.ExtendedSchemaObjects.Add(SignInThrottle.AttemptsTable(options.DatabaseSchemaName));
            })
            .PublishIntegrationEvents<IdentityEventMap>();
        builder.AddCommandSecrets();
        builder.AddPortalMessaging(IdentityVerificationService.Name, bus =>
        {
            bus.AddConsumer<CreateRegistrationConsumer>(typeof(CreateRegistrationConsumerDefinition));
            bus.AddConsumer<InviteCancelledConsumer>();
            bus.AddConsumer<InviteExpiredConsumer>();
            bus.AddConsumer<AccessRevokedConsumer>();
            bus.AddConsumer<ProxyAccessRevokedConsumer>();
        });

        builder.AddStaffAuthentication();
        builder.AddPatientAuthentication();

        // Behind the gateway the client address arrives in X-Forwarded-For, trusted from the configured proxies only.
        builder.AddForwardedClientAddress();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var problem = PatientProblems.TooManyAttempts(TimeSpan.FromMinutes(1));
                await problem.ExecuteAsync(context.HttpContext);
            };
            limiter.AddPolicy(PatientRateLimitPolicy, http =>
            {
                var settings = http.RequestServices.GetRequiredService<IOptions<PatientRateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.PermitLimit, Window = settings.Window, QueueLimit = 0 });
            });
        });
        return builder;
    }
}
