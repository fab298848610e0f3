using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;

namespace PortalPlatform.Enrollment.Dashboard;

public sealed record DashboardPatient(string PatientId, PortalStatus Status, string StatusText, DateTimeOffset Since);

public sealed record DashboardResponse(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DashboardPatient> Patients);

/// <summary>GET /api/practice/portal-statuses: the practice's patients by portal status, with counts.</summary>
internal static class DashboardEndpoint
{
    public static void Map(RouteGroupBuilder practice) =>
        practice.MapGet("/portal-statuses", GetAsync).WithSummary("The practice's patients by portal status, with counts");

    private static async Task<IResult> GetAsync(string? status, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        PortalStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<PortalStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return Problems.Invalid("status", $"'status' must be one of {string.Join(", ", Enum.GetNames<PortalStatus>())}.");
            }

            filter = parsed;
        }

        var dashboard = await session.LoadAsync<PracticeDashboard>(http.Staff().PracticeId, ct) ?? new PracticeDashboard();
        var counts = Enum.GetValues<PortalStatus>().ToDictionary(s => s.ToString(), s => dashboard.Patients.Values.Count(p => p.Status == s));
        var patients = dashboard.Patients
            .Where(p => filter is null || p.Value.Status == filter)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new DashboardPatient(p.Key, p.Value.Status, PortalStatusText.For(p.Value.Status), p.Value.Since))
            .ToList();
        return TypedResults.Ok(new DashboardResponse(counts, patients));
    }
}
