using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PortalPlatform.GatewayBenchmark;

/// <summary>
/// The baseline of an invitation over HTTP: the smallest ASP.NET Core app that answers a POST with one raw single-row
/// insert into the same PostgreSQL database (Kestrel, minimal API, a pooled Npgsql data source, 201).
/// </summary>
public sealed class MinimalInsertEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NpgsqlDataSource _database;

    private MinimalInsertEndpoint(WebApplication app, NpgsqlDataSource database, Uri address) => (_app, _database, Address) = (app, database, address);

    public Uri Address { get; }

    public static async Task<MinimalInsertEndpoint> StartAsync(string connectionString, int port)
    {
        // Set up as the services' connections are (its insert prepared too): the raw floor at its best.
        var database = PortalEventStoreExtensions.CreateDataSourceBuilder(connectionString, "minimal").Build();
        await using (var create = database.CreateCommand("CREATE TABLE IF NOT EXISTS bench_minimal_insert (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/raw/{id}", async (string id) =>
        {
            await using var insert = database.CreateCommand("INSERT INTO bench_minimal_insert (id) VALUES ($1)");
            insert.Parameters.Add(new NpgsqlParameter { Value = id });
            await insert.ExecuteNonQueryAsync();
            return Results.Created($"/raw/{id}", null);
        });
        await app.StartAsync();
        return new MinimalInsertEndpoint(app, database, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
