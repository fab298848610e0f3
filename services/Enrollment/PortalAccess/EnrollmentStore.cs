using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using PortalPlatform.Enrollment.Dashboard;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>Enrollment's Marten configuration: the one inline aggregate per patient, its indexes, and the fast append path.</summary>
public static class EnrollmentStore
{
    public static void Configure(StoreOptions store)
    {
        // Commands fetch the aggregate with its version (FetchForWriting), so the append needs no second read (Quick),
        // and the inline projection continues from the aggregate already loaded instead of loading it again.
        store.Events.AppendMode = EventAppendMode.Quick;
        store.Events.UseIdentityMapForAggregates = true;
        store.Projections.Add<PortalAccessProjection>(ProjectionLifecycle.Inline);

        // The dashboard's rows: one per patient, read after a cursor in patient id order (code point order, like the
        // EHR's ids) from the (practice_id, status, patient_id) index, or (practice_id, patient_id) for every status;
        // its counts per status are kept beside them (StatusCounts).
        store.Schema.For<PortalAccessState>()
            .Duplicate(s => s.PracticeId, configure: index => index.Mask = "?, status, patient_id")
            .Duplicate(s => s.Status)
            .Duplicate(s => s.PatientId, "text COLLATE ucs_basic", configure: index => index.Mask = "practice_id, ?")
            .Index(s => s.PendingInvitationExpiresAt!);
        store.Schema.For<PracticePortalSettings>();
        StatusCounts.AddTo(store);
    }
}
