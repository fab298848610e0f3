using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.Testing;

/// <summary>The sealer Identity-Verification and Notification use in Testing and Development (no key configured).</summary>
public static class DevelopmentCommandSecrets
{
    public static CommandSecrets Instance { get; } = new(Options.Create(new CommandSecretOptions { Key = CommandSecretOptions.DevelopmentKey }));
}
