using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PortalPlatform.Contracts;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Deliveries;

namespace PortalPlatform.Webhooks.Tests;

public sealed class CloudEventMappingTests
{
    private static readonly Guid Practice = Guid.Parse("6f1c1a52-3f4e-4b8e-9a51-0d3c2b1a9e77");

    [Fact]
    public void Every_integration_event_of_the_contracts_is_in_the_catalogue_with_a_unique_versioned_type()
    {
        var contracts = typeof(IIntegrationEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t));

        Assert.Equal(contracts.OrderBy(t => t.Name), EventCatalogue.Entries.Select(e => e.EventType).OrderBy(t => t.Name));
        Assert.Equal(EventCatalogue.Entries.Count, EventCatalogue.Entries.Select(e => e.CloudEventType).Distinct().Count());
        Assert.All(EventCatalogue.Entries, e => Assert.Matches(@"^com\.portalplatform\.[a-z-]+\.[a-z-]+\.v\d+$", e.CloudEventType));
    }

    [Fact]
    public void An_event_becomes_a_CloudEvent_with_the_event_id_type_source_subject_time_and_only_the_data_a_subscriber_needs()
    {
        var occurredAt = new DateTimeOffset(2026, 11, 29, 9, 30, 0, TimeSpan.Zero);
        var revoked = new AccessRevoked(Guid.NewGuid(), Practice, "MRN-0042", occurredAt, RevocationReason.Security, "provider-3");

        var json = JsonDocument.Parse(CloudEventMapper.ToJson(CloudEventMapper.ToCloudEvent(revoked))).RootElement;

        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal(revoked.EventId.ToString(), json.GetProperty("id").GetString());
        Assert.Equal("com.portalplatform.enrollment.access-revoked.v1", json.GetProperty("type").GetString());
        Assert.Equal($"/practices/{Practice}/enrollment", json.GetProperty("source").GetString());
        Assert.Equal("MRN-0042", json.GetProperty("subject").GetString());
        Assert.Equal(occurredAt, json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());
        var data = json.GetProperty("data");
        Assert.Equal("Security", data.GetProperty("reason").GetString());
        // The harm determination (issue 15) is part of a revocation; this one is not harm-based.
        Assert.Equal(JsonValueKind.Null, data.GetProperty("harm").ValueKind);
        // So is the invitation it voided (issue 11: Notification drops its queued deliveries); none was pending here.
        Assert.Equal(JsonValueKind.Null, data.GetProperty("voidedInvitationId").ValueKind);
        Assert.Equal(["reason", "harm", "voidedInvitationId"], data.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_harm_based_revocation_says_on_which_basis_and_whose_access_but_not_which_clinician_decided()
    {
        var harm = new HarmDetermination("provider-9", "Dr. Robin Reyes", HarmBasis.EndangersLifeOrSafety, HarmScope.Representative);
        var revoked = new AccessRevoked(Guid.NewGuid(), Practice, "MRN-0043", DateTimeOffset.UtcNow, RevocationReason.PreventingHarm, "provider-9", Harm: harm);

        var body = CloudEventMapper.ToJson(CloudEventMapper.ToCloudEvent(revoked));
        var sent = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("harm");

        Assert.Equal(["basis", "scope"], sent.EnumerateObject().Select(p => p.Name));
        Assert.Equal("EndangersLifeOrSafety", sent.GetProperty("basis").GetString());
        Assert.Equal("Representative", sent.GetProperty("scope").GetString());
        Assert.DoesNotContain("provider-9", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Reyes", body, StringComparison.Ordinal);
        var schema = EventCatalogue.DataSchemaOf(EventCatalogue.For(typeof(AccessRevoked)))["properties"]!["harm"]!;
        Assert.Equal(["basis", "scope"], schema["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["basis", "scope"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void The_signature_is_HMAC_SHA256_of_id_timestamp_and_body_per_Standard_Webhooks_one_per_secret()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var secret = "whsec_" + Convert.ToBase64String(key);
        var other = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        const string id = "2b7d5a3e-7d43-4a8e-b1c2-0b7a3b1f0c11";
        const string body = """{"specversion":"1.0","id":"x"}""";

        var header = WebhookSender.Sign(id, timestamp, body, [secret, other]);

        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.1790000000.{body}")));
        var signatures = header.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.Equal(expected, signatures[0]);
        Assert.NotEqual(expected, signatures[1]);
    }

    [Fact]
    public void The_data_schema_of_each_type_describes_exactly_the_fields_sent()
    {
        foreach (var entry in EventCatalogue.Entries)
        {
            var schema = EventCatalogue.DataSchemaOf(entry);
            var sample = System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(entry.EventType);
            var sent = EventCatalogue.DataOf((IIntegrationEvent)sample).Select(p => p.Key);

            Assert.Equal(entry.CloudEventType, schema["title"]!.GetValue<string>());
            Assert.Equal(sent.Order(), schema["properties"]!.AsObject().Select(p => p.Key).Order());
        }
    }
}
