using PortalPlatform.Gateway;
using PortalPlatform.Gateway.ChartUi;
using PortalPlatform.Gateway.DevTokens;
using PortalPlatform.Gateway.PublicApi;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.Gateway.Security;
using PortalPlatform.ServiceDefaults.Http;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.AddStaffAuthentication();
builder.AddDevelopmentTokenIssuer();
builder.AddForwardedClientAddress();
builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddAnonymousRateLimiting();
builder.Services.AddOpenApi(PublicApiDocument.Name, openApi => openApi.AddDocumentTransformer<PublicApiDocument>());
builder.Services.AddReverseProxy()
    .LoadFromMemory(ServiceRoutes.Routes, ServiceRoutes.Clusters)
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSecurityHeaders();
app.UseRequestBodyLimit();
app.UseChartUi();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapDevTokenEndpoint();
app.MapOpenApi().AllowAnonymous();
app.MapScalarApiReference(SecurityHeaders.ReferencePath, reference => reference.WithTitle("PortalPlatform API").AddDocument(PublicApiDocument.Name)).AllowAnonymous();
app.MapChartUi();
app.MapReverseProxy(proxy => proxy.UseForwarderProblemDetails());

app.Run();
