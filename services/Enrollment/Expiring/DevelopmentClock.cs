using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace PortalPlatform.Enrollment.Expiring;

/// <summary>
/// Development only: Enrollment's clock, which <c>POST /dev/clock {advanceBy}</c> moves forward (never back), so an
/// invitation's expiry can be seen on the running platform without waiting its lifetime (a day at least). Staff tokens
/// keep real time; timers still run in real time (the expiry job sweeps at its interval and then sees the new time).
/// </summary>
public sealed class DevelopmentClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

public sealed record AdvanceClockRequest(TimeSpan? AdvanceBy);

internal static class DevelopmentClockEndpoint
{
    public const string Path = "/dev/clock";

    public static void AddDevelopmentClock(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        var clock = new DevelopmentClock();
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt => jwt.TimeProvider = TimeProvider.System);
    }

    /// <summary>Not behind the gateway (its routes do not reach it) and not in the API description.</summary>
    public static void MapDevelopmentClock(this WebApplication app)
    {
        if (app.Services.GetService<DevelopmentClock>() is null)
        {
            return;
        }

        app.MapPost(Path, (AdvanceClockRequest request, DevelopmentClock clock) =>
            {
                if (request.AdvanceBy is not { } by || by <= TimeSpan.Zero)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["advanceBy"] = ["A positive duration such as \"1.00:01:00\" (the clock only moves forward)."],
                    });
                }

                clock.Advance(by);
                return Results.Ok(new { now = clock.GetUtcNow(), offset = clock.Offset });
            })
            .ExcludeFromDescription();
    }
}
