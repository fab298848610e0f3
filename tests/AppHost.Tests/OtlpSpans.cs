using System.Text.Json;

namespace PortalPlatform.AppHost.Tests;

/// <summary>One span from the Aspire dashboard's telemetry API (OTLP JSON), with the service that sent it.</summary>
public sealed record OtlpSpan(string Service, string TraceId, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);

    public bool Mentions(string text) => Name.Contains(text, StringComparison.Ordinal) || Attributes.Values.Any(v => v.Contains(text, StringComparison.Ordinal));
}

public static class OtlpSpans
{
    /// <summary>Every span under every <c>resourceSpans</c> entry, wherever the answer nests them.</summary>
    public static List<OtlpSpan> Read(JsonElement answer)
    {
        var spans = new List<OtlpSpan>();
        Walk(answer, spans);
        return spans;
    }

    private static void Walk(JsonElement element, List<OtlpSpan> spans)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals("resourceSpans") && property.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var resourceSpans in property.Value.EnumerateArray())
                    {
                        ReadResourceSpans(resourceSpans, spans);
                    }
                }
                else
                {
                    Walk(property.Value, spans);
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Walk(item, spans);
            }
        }
    }

    private static void ReadResourceSpans(JsonElement resourceSpans, List<OtlpSpan> spans)
    {
        var resource = resourceSpans.TryGetProperty("resource", out var r) ? Attributes(r) : new Dictionary<string, string>();
        var service = resource.GetValueOrDefault("service.name") ?? "";
        foreach (var scope in resourceSpans.TryGetProperty("scopeSpans", out var scopes) ? scopes.EnumerateArray() : default)
        {
            foreach (var span in scope.TryGetProperty("spans", out var list) ? list.EnumerateArray() : default)
            {
                spans.Add(new OtlpSpan(service, span.GetProperty("traceId").GetString() ?? "", span.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "", Attributes(span)));
            }
        }
    }

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (owner.TryGetProperty("attributes", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var attribute in list.EnumerateArray())
            {
                var value = attribute.GetProperty("value");
                attributes[attribute.GetProperty("key").GetString()!] = value.EnumerateObject().FirstOrDefault().Value.ToString();
            }
        }

        return attributes;
    }
}
