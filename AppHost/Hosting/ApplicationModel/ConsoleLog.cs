namespace PortalPlatform.Hosting.ApplicationModel;

public sealed record ConsoleLine(long Sequence, DateTimeOffset Time, string Text, bool IsError);

/// <summary>The last lines a resource printed, bounded so a chatty service cannot exhaust memory.</summary>
public sealed class ConsoleLog(int capacity)
{
    private readonly Queue<ConsoleLine> _lines = new();
    private readonly Lock _gate = new();
    private long _sequence;

    public void Add(string text, bool isError = false)
    {
        lock (_gate)
        {
            _lines.Enqueue(new ConsoleLine(++_sequence, DateTimeOffset.UtcNow, text, isError));
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public IReadOnlyList<ConsoleLine> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }
}
