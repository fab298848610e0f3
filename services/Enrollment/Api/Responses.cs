using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The answer to a command that changes the status: the status after it and the new version (also the ETag).</summary>
public sealed record StatusResponse(PortalStatus Status, string StatusText, long Version)
{
    public static StatusResponse From(CommandOutcome outcome) =>
        new(outcome.After.Status, PortalStatusText.For(outcome.After.Status), outcome.VersionAfter);
}
