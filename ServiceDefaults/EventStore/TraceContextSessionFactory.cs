using System.Diagnostics;
using Marten;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Opens lightweight sessions that stamp the current W3C trace context into the headers of every event they
/// append, so the relay that publishes those events later continues the same distributed trace.
/// </summary>
internal sealed class TraceContextSessionFactory(IDocumentStore store) : ISessionFactory
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    public IQuerySession QuerySession() => store.QuerySession();

    public IDocumentSession OpenSession()
    {
        var session = store.LightweightSession();
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity)
        {
            session.SetHeader(TraceParent, activity.Id!);
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                session.SetHeader(TraceState, activity.TraceStateString);
            }
        }

        return session;
    }
}
