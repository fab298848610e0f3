using System.Diagnostics;
using Marten;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Stores the current trace context in every appended event's headers, so that the relay publishing the event
/// later continues the same distributed trace (W3C traceparent/tracestate).
/// </summary>
internal sealed class TraceContextListener : DocumentSessionListenerBase
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            // On each pending event: session headers set this late are not copied onto events already appended.
            foreach (var @event in session.PendingChanges.Streams().SelectMany(stream => stream.Events))
            {
                @event.SetHeader(TraceParent, activity.Id!);
                if (!string.IsNullOrEmpty(activity.TraceStateString))
                {
                    @event.SetHeader(TraceState, activity.TraceStateString);
                }
            }
        }

        return Task.CompletedTask;
    }
}
