using System.Threading.Channels;

namespace PortalPlatform.ServiceDefaults.Dispatch;

/// <summary>Lets a consumer wake the dispatcher at once instead of at its next poll.</summary>
public sealed class DispatcherWakeUp
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Signal() => _signals.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan poll, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(poll, clock, timeout.Token);
        var signalled = _signals.Reader.WaitToReadAsync(timeout.Token).AsTask();
        await Task.WhenAny(delay, signalled);
        await timeout.CancelAsync();
        _signals.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
