using JasperFx.Events.Projections;
using Marten;

using PortalPlatform.Enrollment.Chart;
using PortalPlatform.Enrollment.Dashboard;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>Enrollment's Marten configuration: the three read models and the index the expiry job reads.</summary>
public static class EnrollmentStore
{
    public static void Configure(StoreOptions store)
    {
        store.Projections.Add<PortalStatusProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PortalHistoryProjection>(ProjectionLifecycle.Inline);
        store.Projections.Add<PracticeDashboardProjection>(ProjectionLifecycle.Async);
        store.Schema.For<PortalStatusView>().Index(v => v.PendingInvitationExpiresAt!);
    }
}
