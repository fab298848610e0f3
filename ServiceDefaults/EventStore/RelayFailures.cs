using System.Text.Json;
using System.Runtime.Serialization;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Tells a message that can never be published as it is (park it, go on) from a broker that is away for now
/// (retry, never skip). Anything not known to be permanent counts as transient: holding the outbox is safer than
/// skipping a message that would have gone out a minute later. A publish the broker refuses this service's user
/// (permissions) never surfaces here: MassTransit retries it on a new channel, so the outbox holds and its lag
/// shows in health; the fix is the user's permissions, not skipping the event.
/// </summary>
internal static class RelayFailures
{
    public static bool IsPermanent(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            if (cause is SerializationException or JsonException or NotSupportedException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why a message was parked, for ops: the innermost failure's type and message, short.</summary>
    public static string Describe(Exception exception)
    {
        var root = exception;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        var text = $"{root.GetType().Name}: {root.Message}";
        return text.Length <= 500 ? text : text[..500];
    }
}
