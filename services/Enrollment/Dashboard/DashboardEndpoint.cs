using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Dashboard;

public sealed record DashboardPatient(string PatientId, PortalStatus Status, string StatusText, DateTimeOffset Since);

/// <param name="Counts">Patients per status in the whole practice.</param>
/// <param name="Patients">One page of the patients (of the status asked for), by patient id.</param>
/// <param name="Total">How many patients the filter matches, across all pages.</param>
public sealed record DashboardResponse(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DashboardPatient> Patients, int Page, int PageSize, int Total);

/// <summary>
/// GET /api/practice/portal-statuses: the practice's patients by portal status, with counts. Each patient's row is
/// its <see cref="PortalAccessState"/> document (written inline with every command), read by the (practice, status,
/// patient id) index one page at a time, so the cost follows the page size, not the practice size.
/// </summary>
internal static class DashboardEndpoint
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    public static void Map(RouteGroupBuilder practice) =>
        practice.MapGet("/portal-statuses", GetAsync).WithSummary("The practice's patients by portal status, with counts; paged (page from 1, pageSize up to 500)");

    private static async Task<IResult> GetAsync(
        string? status, int? page, int? pageSize, HttpContext http, IQuerySession session, CancellationToken ct)
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

        if (page is < 1)
        {
            return Problems.Invalid("page", "'page' must be 1 or more.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problems.Invalid("pageSize", $"'pageSize' must be between 1 and {MaxPageSize}.");
        }

        var (number, size) = (page ?? 1, pageSize ?? DefaultPageSize);
        var practiceId = http.Staff().PracticeId;
        var batch = session.CreateBatchQuery();
        var counting = Enum.GetValues<PortalStatus>()
            .Select(s => (Status: s, Count: batch.Query<PortalAccessState>().Count(p => p.PracticeId == practiceId && p.Status == s)))
            .ToList();
        var rows = filter is { } only
            ? batch.Query<PortalAccessState>().Where(p => p.PracticeId == practiceId && p.Status == only)
                .OrderBy(p => p.PatientId).Skip((number - 1) * size).Take(size).ToList()
            : batch.Query<PortalAccessState>().Where(p => p.PracticeId == practiceId)
                .OrderBy(p => p.PatientId).Skip((number - 1) * size).Take(size).ToList();
        await batch.Execute(ct);

        var counts = new Dictionary<string, int>();
        foreach (var (s, count) in counting)
        {
            counts[s.ToString()] = (int)await count;
        }

        var patients = (await rows).Select(p => new DashboardPatient(p.PatientId, p.Status, PortalStatusText.For(p.Status), p.StatusSince)).ToList();
        var total = filter is { } f ? counts[f.ToString()] : counts.Values.Sum();
        return TypedResults.Ok(new DashboardResponse(counts, patients, number, size, total));
    }
}
