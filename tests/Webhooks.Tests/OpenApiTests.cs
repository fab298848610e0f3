using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>The gateway's one OpenAPI document describes every webhook endpoint the service maps, like the other services' endpoints.</summary>
public sealed class OpenApiTests(WebhookServers servers) : IClassFixture<WebhookServers>
{
    [Fact]
    public async Task Every_webhook_endpoint_of_the_service_is_in_the_gateways_OpenAPI_document()
    {
        var document = await servers.Gateway.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var mapped = servers.Webhooks.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/practice/webhooks", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method => (Method: method.ToLowerInvariant(), Path: e.RoutePattern.RawText!.TrimEnd('/'))))
            .ToList();

        Assert.True(mapped.Count >= 11, $"the service maps its webhook endpoints ({mapped.Count} found)");
        var paths = document.GetProperty("paths");
        foreach (var (method, path) in mapped)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"the document describes {path}");
            Assert.True(item.TryGetProperty(method, out var operation), $"the document describes {method.ToUpperInvariant()} {path}");
            Assert.Equal("Webhooks", operation.GetProperty("tags")[0].GetString());
            Assert.True(operation.TryGetProperty("security", out _), $"{method.ToUpperInvariant()} {path} needs a staff token");
        }
    }
}
