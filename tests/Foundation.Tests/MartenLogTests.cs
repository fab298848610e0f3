using System.Collections.Concurrent;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>Marten's failures in the services' log: an append that lost a race for its stream is not an error, anything else is.</summary>
public sealed class MartenLogTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    private sealed record SomethingHappened(string What);

    [Fact]
    public async Task A_first_event_that_lost_the_race_for_its_stream_is_logged_at_debug_and_any_other_failure_at_error()
    {
        var logs = new CapturedLogs();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(servers.ConfigurationFor("martenlog"));
        builder.Logging.AddProvider(logs).AddFilter<CapturedLogs>(null, LogLevel.Debug);
        // Appended as Enrollment appends (Quick: through Marten's append function), where the race was logged as an error.
        builder.AddPortalEventStore("martenlog", options => options.Events.AppendMode = EventAppendMode.Quick);
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<IDocumentStore>();

        // Given a writer that has created a patient's receipts stream and not yet committed (the email receipt)
        var streamId = Guid.NewGuid();
        var schema = store.Options.Events.DatabaseSchemaName;
        await using (var session = store.LightweightSession())
        {
            session.Events.Append(Guid.NewGuid(), new SomethingHappened("the event tables exist")); // before the raw insert below
            await session.SaveChangesAsync();
        }

        await using var emailConnection = new NpgsqlConnection(servers.DatabaseConnectionString);
        await emailConnection.OpenAsync();
        await using var email = await emailConnection.BeginTransactionAsync();
        await using (var start = new NpgsqlCommand($"insert into {schema}.mt_streams (id, type, version, tenant_id) values ($1, null, 1, '*DEFAULT*')", emailConnection, email))
        {
            start.Parameters.Add(new NpgsqlParameter { Value = streamId });
            await start.ExecuteNonQueryAsync();
        }

        // When the text receipt appends the first event of the same stream meanwhile: it waits for that row, then loses
        var text = Task.Run(async () =>
        {
            await using var session = store.LightweightSession();
            session.Events.Append(streamId, new SomethingHappened("text delivered"));
            await session.SaveChangesAsync();
        });
        await Eventually.TrueAsync(async () =>
        {
            // From a connection of its own: inside a transaction pg_stat_activity keeps the first reading.
            await using var observer = new NpgsqlConnection(servers.DatabaseConnectionString);
            await observer.OpenAsync();
            await using var waiting = new NpgsqlCommand(
                "select exists (select from pg_stat_activity where wait_event_type = 'Lock' and query like '%mt_quick_append_events%')", observer);
            return (bool)(await waiting.ExecuteScalarAsync())! || text.IsCompleted;
        }, what: "the second append to wait for the first one's stream row");
        await email.CommitAsync();
        var lost = await Assert.ThrowsAnyAsync<Exception>(() => text);
        Assert.True(PortalMartenLogger.IsLostAppendRace(lost), lost.ToString());

        // And a statement fails for any other reason
        await using (var broken = store.LightweightSession())
        {
            broken.QueueSqlCommand("select * from no_such_table_here");
            await Assert.ThrowsAnyAsync<Exception>(() => broken.SaveChangesAsync());
        }

        // Then the lost race is in the log at Debug, not at Error, and the other failure at Error
        var failures = logs.Entries.Where(e => e.Category == "Marten.IDocumentStore" && e.Message.StartsWith("Marten encountered an exception", StringComparison.Ordinal)).ToList();
        Assert.Contains(failures, e => e.Level == LogLevel.Debug && e.Exception is { } ex && PortalMartenLogger.IsLostAppendRace(ex));
        Assert.DoesNotContain(failures, e => e.Level > LogLevel.Debug && e.Exception is { } ex && PortalMartenLogger.IsLostAppendRace(ex));
        Assert.Contains(failures, e => e.Level == LogLevel.Error && e.Message.Contains("no_such_table_here", StringComparison.Ordinal));
    }

    private sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capture(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capture(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
