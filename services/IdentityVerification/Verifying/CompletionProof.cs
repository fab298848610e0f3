using PortalPlatform.IdentityVerification.Registrations;

namespace PortalPlatform.IdentityVerification.Verifying;

/// <summary>The cookie that ties account set-up to the browser that passed the identity check.</summary>
public static class CompletionProof
{
    public const string CookieName = "portal_registration";
    public const string CookiePath = "/portal/api/registration";

    public static void Hand(HttpContext http, string proof, TimeSpan lifetime) =>
        http.Response.Cookies.Append(CookieName, proof, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = CookiePath,
            MaxAge = lifetime,
        });

    /// <summary>True when the request carries this registration's proof cookie, or its token in the body.</summary>
    public static bool Presented(HttpContext http, Registration registration, RegistrationSecrets secrets, string? token) =>
        (http.Request.Cookies.TryGetValue(CookieName, out var proof) && RegistrationSecrets.SameExactly(secrets.CompletionProofFor(registration.Id), proof ?? ""))
        || (!string.IsNullOrWhiteSpace(token) && RegistrationSecrets.HashOf(token.Trim()) == registration.TokenHash);
}
