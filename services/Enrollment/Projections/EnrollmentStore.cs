using JasperFx.Events.Projections;
using Marten;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Projections;

/// <summary>Enrollment's Marten configuration: the three read models, the index the expiry job reads, and the practice settings.</summary>
public static class EnrollmentStore
{
    public static void Configure(StoreOptions store)
    {
        store.Projections.Add<PortalStatusProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PortalHistoryProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PracticeDashboardProjection>(ProjectionLifecycle.Async);
        store.Schema.For<PortalStatusView>().Index(v => v.PendingInvitationExpiresAt!);

        // Registered so that a schema applied at start-up includes it (replicas creating it on first use race on the DDL).
        store.Schema.For<PracticePortalSettings>();
    }
}
