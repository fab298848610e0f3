using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.Hosting.Local;
using PortalPlatform.IdentityVerification;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>
/// The real gateway in front of the real Enrollment (staff) and Identity-Verification (patient) services, all three in
/// the Development environment, where minimal APIs used to answer unreadable bodies with 500.
/// </summary>
public class GatewayInFrontOfStaffAndPatientServices : IsolatedServers
{
    private const string Development = "Development";
    private const string Unlimited = "100000";

    /// <summary>Identity-Verification's settings; bad input, not speed, is under test here, so the address limit stays out of the way.</summary>
    protected virtual Dictionary<string, string?> IdentitySettings() => new() { ["PatientRateLimit:PermitLimit"] = Unlimited };

    /// <summary>The gateway's own settings (its destinations are added to them).</summary>
    protected virtual Dictionary<string, string?> GatewaySettings() => new() { ["Gateway:PatientRequestsPerWindow"] = Unlimited };

    public ServiceFactory<EnrollmentService> Enrollment { get; private set; } = null!;
    public ServiceFactory<IdentityVerificationService> Identity { get; private set; } = null!;
    public ServiceFactory<GatewayService> Gateway { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (enrollmentPort, identityPort) = (Ports.Free(), Ports.Free());
        Enrollment = new ServiceFactory<EnrollmentService>(this, EnrollmentService.Name) { EnvironmentName = Development };
        Enrollment.UseKestrel(enrollmentPort);
        Enrollment.StartServer();
        Identity = new ServiceFactory<IdentityVerificationService>(this, IdentityVerificationService.Name,
            IdentitySettings())
        { EnvironmentName = Development };
        Identity.UseKestrel(identityPort);
        Identity.StartServer();
        var gateway = GatewaySettings();
        gateway[$"services:{ServiceRoutes.Enrollment}:http:0"] = $"http://127.0.0.1:{enrollmentPort}";
        gateway[$"services:{ServiceRoutes.IdentityVerification}:http:0"] = $"http://127.0.0.1:{identityPort}";
        Gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, gateway) { EnvironmentName = Development };
        Gateway.StartServer();
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Identity.DisposeAsync();
        await Enrollment.DisposeAsync();
        await base.DisposeAsync();
    }

    public HttpClient Client(Guid practiceId)
    {
        var client = Gateway.CreateClient();
        var token = StaffTokens.Issue(new StaffUser(practiceId, "admin-1", "Test admin", StaffRoles.Admin));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>True when, in every service's event store, every subscription (the relay, projections) has reached the last event.</summary>
    public async Task<bool> CaughtUpAsync()
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        var schemas = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select quote_ident(table_schema) from information_schema.tables where table_name = 'mt_events' order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                schemas.Add(reader.GetString(0));
            }
        }

        foreach (var schema in schemas)
        {
            await using var behind = new NpgsqlCommand(
                $"select count(*) from {schema}.mt_event_progression where last_seq_id < (select coalesce(max(seq_id), 0) from {schema}.mt_events)",
                connection);
            if ((long)(await behind.ExecuteScalarAsync())! > 0)
            {
                return false;
            }
        }

        return schemas.Count > 0;
    }

    /// <summary>
    /// Every row of every table of both services (event stores, documents, inboxes and outboxes), as one digest per
    /// table: equal snapshots mean nothing was stored, changed or deleted.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> SnapshotAsync()
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables " +
            "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var digests = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            // The daemon refreshes its progression rows' timestamps while idle; their positions are what count, up to the
            // last stored event: past it the daemon only skips sequence numbers no event took (a rolled-back append's),
            // which it does a few seconds later, whenever the machine lets it. A new event changes mt_events itself.
            const string Progression = ".mt_event_progression";
            var rows = table.EndsWith(Progression, StringComparison.Ordinal)
                ? $"(select name, least(last_seq_id, (select coalesce(max(seq_id), 0) from {table[..^Progression.Length]}.mt_events)) from {table})"
                : table;
            await using var digest = new NpgsqlCommand(
                $"select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from {rows} t", connection);
            digests[table] = Convert.ToString(await digest.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
        }

        return digests;
    }
}
