using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PortalPlatform.Contracts;

namespace PortalPlatform.Webhooks.Catalogue;

/// <summary>One integration event as integrators see it: its CloudEvents type and the service it comes from.</summary>
public sealed record CatalogueEntry(Type EventType, string Producer, string Name, int Version)
{
    /// <summary><c>com.portalplatform.enrollment.invite-issued.v1</c>.</summary>
    public string CloudEventType => $"com.portalplatform.{Producer}.{Name}.v{Version}";
}

/// <summary>
/// Every integration event of the Contracts package, with its webhook name. Adding an event to Contracts without an
/// entry here fails the catalogue test, so integrators never silently miss one.
/// </summary>
public static class EventCatalogue
{
    /// <summary>
    /// Fields a subscriber does not get in <c>data</c>, at any depth: the envelope already carries them, or (staff user
    /// ids, the clinician behind a harm-based revocation) they need not see them. A harm-based revocation still says
    /// that it is one, on which basis and whose access (<c>harm.basis</c>, <c>harm.scope</c>); see docs/webhooks.md.
    /// </summary>
    public static readonly IReadOnlySet<string> HiddenFields = new HashSet<string>(
        ["eventId", "practiceId", "patientId", "occurredAt", "schemaVersion", "issuedBy", "cancelledBy", "revokedBy", "grantedBy", "signedBy", "declinedBy", "approvedBy",
            "decidingClinicianId", "decidingClinicianName"],
        StringComparer.Ordinal);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static IReadOnlyList<CatalogueEntry> Entries { get; } =
    [
        Entry<InviteIssued>("enrollment"),
        Entry<InviteCancelled>("enrollment"),
        Entry<InviteExpired>("enrollment"),
        Entry<AccessRevoked>("enrollment"),
        Entry<ProxyAccessGranted>("enrollment"),
        Entry<ProxyAccessRevoked>("enrollment"),
        Entry<PortalStatusChanged>("enrollment"),
        Entry<AccessRequested>("enrollment"),
        Entry<ReviewRequested>("enrollment"),
        Entry<AccessRequestDeclined>("enrollment"),
        Entry<AccessRequestApproved>("enrollment"),
        Entry<IdentityVerified>("identity-verification"),
        Entry<IdentityVerificationLocked>("identity-verification"),
        Entry<RegistrationCompleted>("identity-verification"),
        Entry<InviteDelivered>("notification"),
        Entry<InviteDeliveryFailed>("notification"),
        Entry<EncounterSigned>("ehr"),
    ];

    private static readonly Dictionary<Type, CatalogueEntry> ByClrType = Entries.ToDictionary(e => e.EventType);
    private static readonly Dictionary<string, CatalogueEntry> ByCloudEventType = Entries.ToDictionary(e => e.CloudEventType, StringComparer.Ordinal);

    public static CatalogueEntry For(Type eventType) =>
        ByClrType.TryGetValue(eventType, out var entry) ? entry : throw new InvalidOperationException($"{eventType.Name} is not in the webhook event catalogue.");

    public static bool IsKnown(string cloudEventType) => ByCloudEventType.ContainsKey(cloudEventType);

    /// <summary>The event's fields a subscriber sees, as JSON (camelCase, enums as names).</summary>
    public static JsonObject DataOf(IIntegrationEvent integrationEvent)
    {
        var data = JsonSerializer.SerializeToNode(integrationEvent, integrationEvent.GetType(), Json)!.AsObject();
        RemoveHidden(data);
        return data;
    }

    /// <summary>JSON Schema (draft 2020-12) of <c>data</c> for one event type: the Contracts record minus the hidden fields.</summary>
    public static JsonObject DataSchemaOf(CatalogueEntry entry)
    {
        var schema = Json.GetJsonSchemaAsNode(entry.EventType, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true }).AsObject();
        RemoveHiddenFromSchema(schema);
        schema.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.Insert(1, "title", entry.CloudEventType);
        return schema;
    }

    private static void RemoveHidden(JsonObject data)
    {
        foreach (var hidden in HiddenFields)
        {
            data.Remove(hidden);
        }

        foreach (var nested in data.Select(p => p.Value).OfType<JsonObject>())
        {
            RemoveHidden(nested);
        }
    }

    private static void RemoveHiddenFromSchema(JsonObject schema)
    {
        if (schema["properties"] is not JsonObject properties)
        {
            return;
        }

        foreach (var hidden in HiddenFields)
        {
            properties.Remove(hidden);
        }

        if (schema["required"] is JsonArray required)
        {
            foreach (var node in required.Where(n => HiddenFields.Contains(n!.GetValue<string>())).ToList())
            {
                required.Remove(node);
            }
        }

        foreach (var nested in properties.Select(p => p.Value).OfType<JsonObject>())
        {
            RemoveHiddenFromSchema(nested);
        }
    }

    private static CatalogueEntry Entry<TEvent>(string producer) where TEvent : IIntegrationEvent =>
        new(typeof(TEvent), producer, JsonNamingPolicy.KebabCaseLower.ConvertName(typeof(TEvent).Name), 1);
}
