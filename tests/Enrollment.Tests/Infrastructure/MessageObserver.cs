using System.Collections.Concurrent;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.Enrollment.Tests.Infrastructure;

/// <summary>
/// A MassTransit bus of the test on the test class's RabbitMQ vhost: it plays the other services (publishes their
/// events) and records everything Enrollment sends, like a de-duplicating subscriber would (by MessageId).
/// </summary>
public sealed class MessageObserver : IAsyncDisposable
{
    private readonly IBusControl _bus;

    private MessageObserver(IBusControl bus) => _bus = bus;

    /// <summary>Every delivery, duplicates included.</summary>
    public ConcurrentQueue<(Guid MessageId, object Message)> Deliveries { get; } = new();

    /// <summary>What a de-duplicating consumer applied: each MessageId once.</summary>
    public ConcurrentDictionary<Guid, object> Applied { get; } = new();

    public IPublishEndpoint Publisher => _bus;

    /// <summary>Raw bodies of the commands to Notification, as they travelled.</summary>
    public ConcurrentQueue<string> RawBodies { get; } = new();

    /// <summary>Sends a command to its owner's queue, as the owning service's peer would.</summary>
    public async Task SendAsync<T>(string queue, T command) where T : class =>
        await (await _bus.GetSendEndpoint(new Uri("queue:" + queue))).Send(command);

    public static async Task<MessageObserver> StartAsync(string rabbitMq)
    {
        MessageObserver? observer = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(rabbitMq));
            rabbit.ReceiveEndpoint("test-observer", endpoint =>
            {
                endpoint.Handler<InviteIssued>(c => observer!.Record(c));
                endpoint.Handler<InviteCancelled>(c => observer!.Record(c));
                endpoint.Handler<InviteExpired>(c => observer!.Record(c));
                endpoint.Handler<AccessRevoked>(c => observer!.Record(c));
                endpoint.Handler<ProxyAccessGranted>(c => observer!.Record(c));
                endpoint.Handler<ProxyAccessRevoked>(c => observer!.Record(c));
                endpoint.Handler<PortalStatusChanged>(c => observer!.Record(c));
                endpoint.Handler<AccessRequested>(c => observer!.Record(c));
                endpoint.Handler<ReviewRequested>(c => observer!.Record(c));
                endpoint.Handler<AccessRequestDeclined>(c => observer!.Record(c));
                endpoint.Handler<AccessRequestApproved>(c => observer!.Record(c));
            });

            // Plays Identity-Verification's command queue.
            rabbit.ReceiveEndpoint(CommandQueues.CreateRegistration, endpoint => endpoint.Handler<CreateRegistration>(c => observer!.Record(c)));

            // Plays Notification's queue for telling a patient their request was declined (raw body kept, to search it).
            rabbit.ReceiveEndpoint(CommandQueues.DeliverAccessRequestDeclined, endpoint => endpoint.Handler<DeliverAccessRequestDeclined>(c =>
            {
                observer!.RawBodies.Enqueue(System.Text.Encoding.UTF8.GetString(c.ReceiveContext.Body.GetBytes()));
                return observer.Record(c);
            }));
        });
        observer = new MessageObserver(bus);
        await bus.StartAsync();
        return observer;
    }

    private Task Record<T>(ConsumeContext<T> context) where T : class
    {
        var id = context.MessageId ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a MessageId");
        Deliveries.Enqueue((id, context.Message));
        Applied.TryAdd(id, context.Message);
        return Task.CompletedTask;
    }

    public IEnumerable<T> Received<T>() => Applied.Values.OfType<T>();

    public Task<T> WaitForAsync<T>(Func<T, bool> match, string? what = null) where T : class =>
        Eventually.GetAsync(() => Task.FromResult(Received<T>().FirstOrDefault(match)), TimeSpan.FromSeconds(30), what ?? typeof(T).Name);

    public Task PublishAsync<T>(T message) where T : class => _bus.Publish(message);

    public async ValueTask DisposeAsync() => await _bus.StopAsync();
}
