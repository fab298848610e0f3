namespace PortalPlatform.Enrollment.PortalAccess;

public enum RejectionKind
{
    /// <summary>The patient (or the named invitation or proxy) does not exist for this practice.</summary>
    NotFound,

    /// <summary>The actor may not do this.</summary>
    Forbidden,

    /// <summary>The command does not fit the current status.</summary>
    Conflict,

    /// <summary>The command itself is incomplete (a named field).</summary>
    Invalid,
}

/// <summary>The outcome of a decision: the events to append (possibly none), or why the command was refused.</summary>
public sealed record Decision(IReadOnlyList<IPortalAccessEvent> Events, RejectionKind? Rejection = null, string? Detail = null, string? Field = null)
{
    public static Decision Nothing { get; } = new([]);

    public bool Rejected => Rejection is not null;

    public static Decision Of(params IPortalAccessEvent[] events) => new(events);

    public static Decision Reject(RejectionKind kind, string detail, string? field = null) => new([], kind, detail, field);
}
