using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace PortalPlatform.Gateway.PublicApi;

/// <summary>
/// The one OpenAPI document of the public API. The services' endpoints sit behind YARP routes, which the OpenAPI
/// generator cannot see, so the gateway describes DESIGN.md's HTTP table itself (next to its own endpoints).
/// </summary>
public sealed class PublicApiDocument : IOpenApiDocumentTransformer
{
    public const string Name = "v1";
    private const string BearerScheme = "Bearer";

    private sealed record Operation(
        string Method, string Path, string Tag, string Summary, bool Staff, string[]? Body = null, int Success = 200, int[]? Errors = null);

    private static readonly Operation[] Operations =
    [
        new("PUT", "/api/patients/{patientId}", "Patients", "Record demographics (the EHR's feed)", true, ["firstName", "lastName", "dateOfBirth", "email", "phone"]),
        new("GET", "/api/patients/{patientId}", "Patients", "Demographics", true),
        new("GET", "/api/patients/{patientId}/portal", "Portal access", "Portal status {patientId,status,statusText,version,email,phone,invitation,updatedAt}; ETag = version", true),
        new("POST", "/api/patients/{patientId}/portal/invitations", "Portal access", "Invite or re-invite (omitted contact details come from demographics); honours If-Match", true, ["email", "phone"], 201, [409, 412]),
        new("DELETE", "/api/patients/{patientId}/portal/invitations/{invitationId}", "Portal access", "Cancel a pending invitation", true, Success: 204),
        new("GET", "/api/patients/{patientId}/portal/invitations/{invitationId}/access-code", "Portal access", "The invitation's access code, for hand-over in person", true),
        new("POST", "/api/patients/{patientId}/portal/revocation", "Portal access", "Revoke access (admin or provider); reason: PatientRequest, PreventingHarm, Privacy, Security, Deceased or Other; PreventingHarm also needs decidingClinicianId, decidingClinicianName, basis (EndangersLifeOrSafety, SubstantialHarmToReferencedPerson, SubstantialHarmThroughRepresentative) and scope (Patient, Representative)", true, ["reason", "note", "decidingClinicianId", "decidingClinicianName", "basis", "scope"]),
        new("GET", "/api/patients/{patientId}/portal/history", "Portal access", "Every change, oldest first: type, time, actor, details", true),
        new("GET", "/api/patients/{patientId}/portal/deliveries", "Portal access", "Every email and text message sent for this patient, with delivery state", true),
        new("POST", "/api/patients/{patientId}/portal/proxies", "Proxy access", "Grant a caregiver proxy access", true, ["name", "email", "phone", "relationship"], 201),
        new("GET", "/api/patients/{patientId}/portal/proxies", "Proxy access", "Caregivers with proxy access", true),
        new("DELETE", "/api/patients/{patientId}/portal/proxies/{proxyId}", "Proxy access", "Revoke a caregiver's proxy access", true, Success: 204),
        new("GET", "/api/practice/portal-settings", "Practice", "Portal settings {autoInvite,whoCanInvite,invitationLifetimeDays,autoRenewExpiredInvitations}", true),
        new("PUT", "/api/practice/portal-settings", "Practice", "Change portal settings (admin); whoCanInvite: AllUsers or AdminsOnly", true, ["autoInvite", "whoCanInvite", "invitationLifetimeDays", "autoRenewExpiredInvitations"]),
        new("GET", "/api/practice/portal-statuses", "Practice", "The practice's patients by status (?status=X), with counts; a page at a time (?pageSize=, ?after= the previous page's next cursor)", true),
        new("GET", "/api/practice/access-requests", "Access requests", "Open requests for access back (?state=Open): patient, kind (Restore, Review, Renewal), time; approving is a re-invite", true),
        new("POST", "/api/practice/access-requests/{requestId}/decline", "Access requests", "Decline an open request with a reason (a review: a provider other than the revoking one)", true, ["reason"], Errors: [403, 404]),
        new("POST", "/api/practice/webhooks", "Webhooks", "Subscribe an endpoint (admin) {url, events: CloudEvents types, absent = all} -> {id, secret}; the secret is shown here only", true, ["url", "events"], 201),
        new("GET", "/api/practice/webhooks", "Webhooks", "The practice's subscriptions (admin): url, events, enabled, disabledReason, disabledAutomatically, failingSince", true),
        new("GET", "/api/practice/webhooks/{id}", "Webhooks", "One subscription (admin); ETag for If-Match", true),
        new("PUT", "/api/practice/webhooks/{id}", "Webhooks", "Change url, events or enabled (admin), validated like a creation; honours If-Match", true, ["url", "events", "enabled"], Errors: [409, 412]),
        new("DELETE", "/api/practice/webhooks/{id}", "Webhooks", "Delete a subscription and its delivery history (admin)", true, Success: 204),
        new("POST", "/api/practice/webhooks/{id}/disable", "Webhooks", "Stop deliveries (admin); nothing is queued while disabled", true, Errors: [409]),
        new("POST", "/api/practice/webhooks/{id}/enable", "Webhooks", "Resume deliveries (admin): pending ones are sent", true, Errors: [409]),
        new("POST", "/api/practice/webhooks/{id}/rotate-secret", "Webhooks", "New secret (admin); the old one keeps signing during the grace period", true, Errors: [409]),
        new("GET", "/api/practice/webhooks/{id}/deliveries", "Webhooks", "The newest 200 deliveries with every attempt (status code, latency, short excerpt)", true),
        new("POST", "/api/practice/webhooks/{id}/deliveries/{deliveryId}/retry", "Webhooks", "Send one delivery again, same webhook-id", true, Success: 202, Errors: [409]),
        new("POST", "/api/practice/webhooks/{id}/replay", "Webhooks", "Send again every stored event of a time range {from, to}, same webhook-ids", true, ["from", "to"], 202, [409]),
        new("POST", "/portal/api/registration/verify", "Patient registration", "Verify identity {token,dateOfBirth,code} -> {registrationId}", false, ["token", "dateOfBirth", "code"], Errors: [429]),
        new("POST", "/portal/api/registration/code", "Patient registration", "Send the one-time code to the phone on file", false, ["token"], 202, [429]),
        new("POST", "/portal/api/registration/complete", "Patient registration", "Set up the account {registrationId,username,password}", false, ["registrationId", "username", "password"], Errors: [429]),
        new("POST", "/portal/api/access-requests", "Patient registration", "A locked-out patient asks for access back: {username,password} or {token,dateOfBirth}; always 202 with the same body", false, ["username", "password", "token", "dateOfBirth"], 202, [429]),
        new("POST", "/portal/api/registration/status", "Patient registration", "Whether the link still works {token} -> {state: Usable, Expired or Used}", false, ["token"], Errors: [429]),
        new("POST", "/portal/api/sign-in", "Patient registration", "Patient sign-in -> {accessToken}; a revoked patient gets 403", false, ["username", "password"], Errors: [403, 429]),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "PortalPlatform API",
            Version = "v1",
            Description = "Patient portal access for medical practices. Staff endpoints need `Authorization: Bearer <token>`; " +
                "the practice comes from the token. Every error is an RFC 9457 problem detail.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Staff token with the claims practice_id, sub, name and role (admin, provider or staff).",
        };
        document.Paths ??= [];
        foreach (var operation in Operations)
        {
            if (!document.Paths.TryGetValue(operation.Path, out var item))
            {
                item = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation>() };
                document.Paths[operation.Path] = item;
            }

            ((OpenApiPathItem)item).Operations![HttpMethod.Parse(operation.Method)] = Describe(operation, document);
        }

        return Task.CompletedTask;
    }

    private static OpenApiOperation Describe(Operation operation, OpenApiDocument document)
    {
        var described = new OpenApiOperation
        {
            Summary = operation.Summary,
            Tags = new HashSet<OpenApiTagReference> { new(operation.Tag, document) },
            Parameters = [.. PathParameters(operation.Path)],
            Responses = new OpenApiResponses { [operation.Success.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse { Description = "Success" } },
        };
        if (operation.Path.EndsWith("/portal-statuses", StringComparison.Ordinal))
        {
            described.Parameters.Add(new OpenApiParameter { Name = "status", In = ParameterLocation.Query, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            described.Parameters.Add(new OpenApiParameter { Name = "after", In = ParameterLocation.Query, Description = "The 'next' cursor of the previous page", Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            described.Parameters.Add(new OpenApiParameter { Name = "pageSize", In = ParameterLocation.Query, Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } });
        }

        if (operation.Body is { } fields)
        {
            described.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = fields.ToDictionary(f => f, IOpenApiSchema (_) => new OpenApiSchema { Type = JsonSchemaType.String }),
                        },
                    },
                },
            };
        }

        var errors = new List<int> { 400, 404, 413 };
        if (operation.Staff)
        {
            errors.AddRange([401, 403]);
            described.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        }

        foreach (var status in errors.Concat(operation.Errors ?? []).Distinct().Order())
        {
            described.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "Problem details (RFC 9457)",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
            };
        }

        return described;
    }

    private static IEnumerable<IOpenApiParameter> PathParameters(string path) =>
        path.Split('/')
            .Where(segment => segment.StartsWith('{'))
            .Select(segment => new OpenApiParameter
            {
                Name = segment.Trim('{', '}'),
                In = ParameterLocation.Path,
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
}
