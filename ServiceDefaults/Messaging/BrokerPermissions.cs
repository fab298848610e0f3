using System.Text.RegularExpressions;
using PortalPlatform.Contracts;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>One RabbitMQ user's permissions in the platform's virtual host (regexes over exchange and queue names).</summary>
public sealed record BrokerPermission(string User, string Configure, string Write, string Read);

/// <summary>
/// Who may put what on the broker, for whoever creates the RabbitMQ users (the AppHost, a Kubernetes job): each
/// service writes only the events it owns and the commands it sends, reads only its own queues and the exchanges
/// it binds them to; an integrator reads events into its own queues and writes nowhere another party reads.
/// MassTransit's names: an exchange per message type (<c>Namespace:Type</c>), a queue and exchange per receive
/// endpoint (<c>{service}-{consumer}</c> or <c>{service}.{name}</c>, plus <c>_error</c>/<c>_skipped</c>), command queues from
/// <see cref="CommandQueues"/>, <c>MassTransit:Fault--...</c> exchanges for faults, and one temporary
/// <c>..._bus_...</c> endpoint per process. RabbitMQ cannot tell an exchange from a queue of the same name, and
/// declaring an existing exchange needs configure on it (MassTransit declares what it binds to).
/// </summary>
public static class BrokerPermissions
{
    private const string Faults = "MassTransit:Fault(--.*)?";
    private const string TemporaryBusEndpoint = ".*_bus_.*";
    /// <summary>Publishing a type binds its exchange to the interface's (MassTransit's polymorphic topology).</summary>
    private static readonly string IntegrationEventInterface = ExchangeOf(typeof(IIntegrationEvent));

    private sealed record Ownership(Type[] Publishes, Type[] Sends, Type[] Consumes);

    private static readonly Dictionary<string, Ownership> Services = new(StringComparer.Ordinal)
    {
        ["enrollment"] = new(
            Publishes: [typeof(InviteIssued), typeof(InviteCancelled), typeof(InviteExpired), typeof(AccessRevoked), typeof(ProxyAccessGranted), typeof(ProxyAccessRevoked), typeof(PortalStatusChanged),
                typeof(AccessRequested), typeof(ReviewRequested), typeof(AccessRequestDeclined), typeof(AccessRequestApproved)],
            Sends: [typeof(CreateRegistration), typeof(DeliverAccessRequestDeclined)],
            Consumes: [typeof(InviteDelivered), typeof(InviteDeliveryFailed), typeof(IdentityVerificationLocked), typeof(RegistrationCompleted), typeof(EncounterSigned), typeof(RequestAccess)]),
        ["identity-verification"] = new(
            Publishes: [typeof(IdentityVerified), typeof(IdentityVerificationLocked), typeof(RegistrationCompleted)],
            Sends: [typeof(DeliverInvitation), typeof(DeliverOneTimeCode), typeof(RequestAccess)],
            Consumes: [typeof(CreateRegistration), typeof(InviteCancelled), typeof(InviteExpired), typeof(AccessRevoked), typeof(ProxyAccessRevoked)]),
        ["notification"] = new(
            Publishes: [typeof(InviteDelivered), typeof(InviteDeliveryFailed)],
            Sends: [],
            Consumes: [typeof(DeliverInvitation), typeof(DeliverOneTimeCode), typeof(DeliverAccessRequestDeclined),
                typeof(InviteIssued), typeof(InviteCancelled), typeof(InviteExpired), typeof(AccessRevoked), typeof(ProxyAccessRevoked)]),
        // Hands practices their events as signed HTTP callbacks: it reads every integration event and announces nothing.
        ["webhooks"] = new(
            Publishes: [],
            Sends: [],
            Consumes: [.. typeof(IIntegrationEvent).Assembly.GetTypes().Where(type => type is { IsClass: true, IsAbstract: false } && type.IsAssignableTo(typeof(IIntegrationEvent)))]),
    };

    /// <summary>The services that own a user each, by the service name they pass to <c>AddPortalMessaging</c>.</summary>
    public static IReadOnlyCollection<string> ServiceNames => Services.Keys;

    /// <summary>The permissions of <paramref name="service"/>'s own broker user (named after the service).</summary>
    public static BrokerPermission ForService(string service)
    {
        var owns = Services.TryGetValue(service, out var found)
            ? found
            : throw new ArgumentOutOfRangeException(nameof(service), service, "Not a service of the platform; add it to BrokerPermissions.");
        // Endpoints named after the service: MassTransit's "{service}-{consumer}" or a queue of its own ("webhooks.integration-events").
        var ownEndpoints = Regex.Escape(service) + "[-.].*";
        var published = owns.Publishes.Select(ExchangeOf).ToList();
        var sentTo = owns.Sends.Select(type => Regex.Escape(CommandRouting.AddressOf(type).AbsolutePath)).ToList();
        // A consumed command arrives on its queue, which this service declares and reads.
        var consumedQueues = owns.Consumes.Where(type => type.IsAssignableTo(typeof(IPortalCommand))).Select(type => Regex.Escape(CommandRouting.AddressOf(type).AbsolutePath)).ToList();
        // MassTransit binds every consumed type's exchange to the endpoint, commands' too (nobody may write those).
        var consumedEvents = owns.Consumes.Select(ExchangeOf).ToList();
        var consumedCommandEndpoints = consumedQueues.SelectMany(queue => new[] { queue + "_error", queue + "_skipped" });

        return new BrokerPermission(
            service,
            Configure: AnyOf([ownEndpoints, .. published, IntegrationEventInterface, .. sentTo, .. consumedQueues, .. consumedCommandEndpoints, .. consumedEvents, Faults, TemporaryBusEndpoint]),
            Write: AnyOf([ownEndpoints, .. published, IntegrationEventInterface, .. sentTo, .. consumedQueues, .. consumedCommandEndpoints, Faults, TemporaryBusEndpoint]),
            // Sending to "queue:x" binds queue x to exchange x, which needs read on the exchange; RabbitMQ cannot tell it
            // from the queue, so the sender could also read that queue: only its own commands are ever in it (one sender each).
            Read: AnyOf([ownEndpoints, .. published, .. sentTo, .. consumedQueues, .. consumedCommandEndpoints, .. consumedEvents, TemporaryBusEndpoint]));
    }

    /// <summary>
    /// An integrator (EHR, CRM, analytics): its own queues <c>integrator.{name}.*</c> (declare, bind, consume; the
    /// write there is what binding a queue needs), bound from any integration event's exchange (read only). No
    /// configure on a shared exchange (that would allow deleting it), no write anywhere the platform reads, and no
    /// command queue (those carry secrets and contact details).
    /// </summary>
    public static BrokerPermission ForIntegrator(string name)
    {
        var own = Regex.Escape($"integrator.{name}.") + ".*";
        var events = Regex.Escape(typeof(IIntegrationEvent).Namespace + ":") + "[A-Za-z]+";
        return new BrokerPermission("integrator-" + name, Configure: AnyOf([own]), Write: AnyOf([own]), Read: AnyOf([own, events]));
    }

    /// <summary>MassTransit's exchange of a message type.</summary>
    public static string ExchangeOf(Type messageType) => Regex.Escape($"{messageType.Namespace}:{messageType.Name}");

    private static string AnyOf(IEnumerable<string> patterns) => "^(" + string.Join('|', patterns.Distinct()) + ")$";
}
