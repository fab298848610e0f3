using PortalPlatform.Contracts;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>Where each point-to-point command goes: the owning service's own queue (see <see cref="CommandQueues"/>).</summary>
public static class CommandRouting
{
    private static readonly Dictionary<Type, string> Queues = new()
    {
        [typeof(CreateRegistration)] = CommandQueues.CreateRegistration,
        [typeof(DeliverInvitation)] = CommandQueues.DeliverInvitation,
        [typeof(DeliverOneTimeCode)] = CommandQueues.DeliverOneTimeCode,
        [typeof(RequestAccess)] = CommandQueues.RequestAccess,
        [typeof(DeliverAccessRequestDeclined)] = CommandQueues.DeliverAccessRequestDeclined,
    };

    public static Uri AddressOf(Type commandType) =>
        Queues.TryGetValue(commandType, out var queue)
            ? new Uri($"queue:{queue}")
            : throw new InvalidOperationException($"{commandType.Name} has no queue in CommandRouting; add it next to CommandQueues.");

    public static string QueueOf<TCommand>() where TCommand : IPortalCommand =>
        AddressOf(typeof(TCommand)).AbsolutePath;
}
