using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.OpenTelemetry;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalPlatform.ServiceDefaults.EventStore;

namespace Microsoft.Extensions.Hosting;

public static class PortalEventStoreExtensions
{
    /// <summary>The connection string name of a service's database, as the AppHost hands it over: <c>enrollmentdb</c>.</summary>
    public static string ConnectionNameOf(string serviceName) => serviceName.Replace("-", "", StringComparison.Ordinal) + "db";

    /// <summary>Configuration key of how often a standby replica tries to take over the async daemon (default 1 s).</summary>
    public const string LeadershipPollingKey = "EventStore:LeadershipPolling";

    /// <summary>
    /// Configuration key: when true, the whole schema is created or updated at start-up, before the service takes
    /// traffic, one replica after another (<see cref="SchemaOnStartup"/>; set in deploy/ and by the AppHost's
    /// --replicas). Otherwise (development, tests) each table is created on first use, and a service starts even
    /// while its database is down.
    /// </summary>
    public const string ApplySchemaOnStartupKey = "EventStore:ApplySchemaOnStartup";

    /// <summary>
    /// Marten on the service's own database (<c>ConnectionStrings__&lt;service&gt;db</c>) in the service's own schema,
    /// with event metadata (trace context in the headers), the async daemon, the inbox that makes consumers
    /// idempotent, and the database check counted in <c>/health</c>.
    /// The daemon runs HotCold: every replica starts one, but only the replica holding the service's PostgreSQL
    /// advisory lock runs the async projections and the outbox relay; the others poll for the lock every
    /// <see cref="LeadershipPollingKey"/> and take over when the holder's session ends (see docs/deploy.md).
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddPortalEventStore(
        this IHostApplicationBuilder builder, string serviceName, Action<StoreOptions>? configure = null)
    {
        var connectionName = ConnectionNameOf(serviceName);
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set; the AppHost or the environment must provide the database.");
        var schema = serviceName.Replace("-", "_", StringComparison.Ordinal);
        var leadershipPolling = builder.Configuration.GetValue(LeadershipPollingKey, TimeSpan.FromSeconds(1));

        builder.Services.AddSingleton(_ => CreateDataSourceBuilder(connectionString, connectionName).Build());
        builder.Services.AddSingleton<ExclusiveJobLock>();
        if (builder.Configuration.GetValue<bool>(ApplySchemaOnStartupKey))
        {
            // Registered before Marten's own hosted services, so the schema is there before the daemon and the bus start.
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<SchemaOnStartup>(services, serviceName));
        }

        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.ConfigureMarten((services, options) =>
            options.Logger(new PortalMartenLogger(services.GetRequiredService<ILoggerFactory>().CreateLogger<IDocumentStore>())));

        return builder.Services.AddMarten(options =>
            {
                options.DatabaseSchemaName = schema;
                options.Events.DatabaseSchemaName = schema;
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Events.MetadataConfig.CorrelationIdEnabled = true;
                options.Events.MetadataConfig.CausationIdEnabled = true;
                options.OpenTelemetry.TrackConnections = TrackLevel.Normal;
                options.OpenTelemetry.TrackEventCounters();
                options.Listeners.Add(new TraceContextListener());
                options.Schema.For<ProcessedMessage>();
                options.Schema.For<ParkedMessage>();
                options.Projections.LeadershipPollingTime = (int)leadershipPolling.TotalMilliseconds;
                options.Projections.DaemonLockId = AdvisoryLocks.KeyOf("marten-daemon:" + serviceName);
                configure?.Invoke(options);
            })
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            .AddAsyncDaemon(DaemonMode.HotCold);
    }

    /// <summary>
    /// The service's connections to its database. Statements a connection runs again and again (Marten's appends,
    /// loads, upserts) are prepared by Npgsql once used a few times (<c>Max Auto Prepare</c>, unless the connection
    /// string sets it): PostgreSQL then parses and plans them once per connection, and a pooled connection that holds
    /// prepared statements is reset without <c>DISCARD ALL</c>, so the plans of the functions and triggers a command
    /// runs (Marten's append function, the dashboard counts) survive too. Everything else the reset clears
    /// (settings, advisory locks, temporary tables) is still cleared.
    /// </summary>
    public static NpgsqlDataSourceBuilder CreateDataSourceBuilder(string connectionString, string connectionName)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = connectionName };
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = MaxAutoPrepare;
        }

        // A command with no request or message around it is the daemon polling: no span for it (see BackgroundPollingSampler).
        return builder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => System.Diagnostics.Activity.Current is not null)
            .ConfigureBatchFilter(_ => System.Diagnostics.Activity.Current is not null));
    }

    /// <summary>Prepared statements kept per connection (least recently used first out).</summary>
    public const int MaxAutoPrepare = 64;

    /// <summary>
    /// Publishes the service's stored events as integration events and commands through MassTransit, from a Marten
    /// subscription whose progress is kept in PostgreSQL: nothing committed is lost, whatever crashes in between.
    /// A message that can never be published is parked (<see cref="ParkedMessageEndpoints"/>); the outbox's lag and
    /// parked messages are gauges (<see cref="RelayMetrics"/>) and the <c>outbox</c> entry of <c>/health</c>.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression PublishIntegrationEvents<TMap>(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
        where TMap : class, IIntegrationEventMap
    {
        marten.Services.AddSingleton<IIntegrationEventMap, TMap>();
        marten.Services.TryAddSingleton(TimeProvider.System);
        marten.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        marten.Services.AddSingleton<RelayStatusReader>();
        marten.Services.AddHostedService<RelayMetrics>();
        marten.Services.AddHealthChecks().AddCheck<RelayHealthCheck>("outbox");
        return marten.AddSubscriptionWithServices<IntegrationEventRelay>(ServiceLifetime.Singleton, subscription =>
        {
            subscription.Options.BatchSize = 500;
        });
    }
}
