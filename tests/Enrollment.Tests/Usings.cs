global using Xunit;
global using PortalPlatform.Testing;
