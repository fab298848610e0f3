using PortalPlatform.Testing.Platform;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>The whole platform through the real AppHost, as a browser meets it (see <see cref="AspirePlatform"/>).</summary>
public sealed class RunningPlatform : AspirePlatform;
