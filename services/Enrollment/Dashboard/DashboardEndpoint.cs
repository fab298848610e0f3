using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Dashboard;

public sealed record DashboardPatient(string PatientId, PortalStatus Status, string StatusText, DateTimeOffset Since);

/// <param name="Counts">Patients per status in the whole practice.</param>
/// <param name="Patients">One page of the patients (of the status asked for), by patient id.</param>
/// <param name="Total">How many patients the filter matches, across all pages.</param>
/// <param name="Next">The cursor of the next page (pass it as <c>after</c>), null on the last page.</param>
public sealed record DashboardResponse(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DashboardPatient> Patients, int PageSize, int Total, string? Next);

/// <summary>
/// GET /api/practice/portal-statuses: the practice's patients by portal status, with counts. Each patient's row is
/// its <see cref="PortalAccessState"/> document (written inline with every command), read by the (practice, status,
/// patient id) index one page at a time after a cursor (keyset paging), and the counts are one row kept by
/// <see cref="StatusCounts"/>: the cost follows the page size, not the practice size or how deep the page is.
/// </summary>
internal static class DashboardEndpoint
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    public static void Map(RouteGroupBuilder practice) =>
        practice.MapGet("/portal-statuses", GetAsync)
            .WithSummary("The practice's patients by portal status, with counts; a page (pageSize up to 500) at a time, the next one after the cursor 'next' (?after=)");

    private static async Task<IResult> GetAsync(
        string? status, string? after, int? pageSize, HttpContext http, IQuerySession session, CancellationToken ct)
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

        var afterPatient = "";
        if (!string.IsNullOrEmpty(after) && !PortalStatusList.Cursor.TryRead(after, out afterPatient))
        {
            return Problems.Invalid("after", "'after' must be the 'next' cursor of a previous page.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            return Problems.Invalid("pageSize", $"'pageSize' must be between 1 and {MaxPageSize}.");
        }

        var page = await PortalStatusList.ReadAsync(session, http.Staff().PracticeId, filter, afterPatient, pageSize ?? DefaultPageSize, ct);
        return TypedResults.Ok(page);
    }
}

/// <summary>One page of a practice's patients (of one status, or all) after a patient id, with the practice's counts: two index lookups in one round trip (and, after a rebuild, the counts resumed once).</summary>
public static class PortalStatusList
{
    public static async Task<DashboardResponse> ReadAsync(
        IQuerySession session, Guid practiceId, PortalStatus? status, string afterPatient, int size, CancellationToken ct)
    {
        var store = session.DocumentStore;
        await StatusCounts.EnsureAsync(store);
        var batch = session.CreateBatchQuery();
        var schema = store.Options.DatabaseSchemaName;
        var suspended = batch.Query<string>($"select since::text from {StatusCounts.SuspendedTableIn(schema)}");
        var counting = batch.Query<string>($"select counts::text from {schema}.{StatusCounts.TableName} where practice_id = ?", practiceId);
        // One more than the page: whether there is a next page without counting. patient_id compares in its column's code point order.
        var rows = status is { } only
            ? batch.Query<PortalAccessState>("where practice_id = ? and status = ? and patient_id > ? order by patient_id limit ?", practiceId, (int)only, afterPatient, size + 1)
            : batch.Query<PortalAccessState>("where practice_id = ? and patient_id > ? order by patient_id limit ?", practiceId, afterPatient, size + 1);
        await batch.Execute(ct);
        if ((await suspended).Count > 0)
        {
            // Since a rebuild (a TRUNCATE) nothing was counted: count once, then read again.
            await StatusCounts.ResumeAsync(store, ct);
            return await ReadAsync(session, practiceId, status, afterPatient, size, ct);
        }

        var counts = Enum.GetNames<PortalStatus>().ToDictionary(name => name, _ => 0);
        foreach (var stored in await counting)
        {
            // Each row holds part of the practice's counts, keyed by the status column's text (its number).
            foreach (var (key, count) in JsonSerializer.Deserialize<Dictionary<string, int>>(stored)!)
            {
                counts[Enum.Parse<PortalStatus>(key).ToString()] += count;
            }
        }

        var found = await rows;
        var patients = found.Take(size).Select(p => new DashboardPatient(p.PatientId, p.Status, PortalStatusText.For(p.Status), p.StatusSince)).ToList();
        var next = found.Count > size ? Cursor.After(patients[^1].PatientId) : null;
        var total = status is { } f ? counts[f.ToString()] : counts.Values.Sum();
        return new DashboardResponse(counts, patients, size, total, next);
    }

    /// <summary>Opaque to clients (they pass back what they got): the last patient id of a page, base64url.</summary>
    public static class Cursor
    {
        private const string Prefix = "p:";

        public static string After(string patientId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Prefix + patientId));

        public static bool TryRead(string cursor, out string patientId)
        {
            patientId = "";
            if (!Base64Url.IsValid(cursor))
            {
                return false;
            }

            var bytes = Base64Url.DecodeFromChars(cursor);
            var text = Encoding.UTF8.GetString(bytes);
            if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length == Prefix.Length)
            {
                return false;
            }

            patientId = text[Prefix.Length..];
            return true;
        }
    }
}
