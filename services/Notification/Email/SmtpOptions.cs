using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Notification.Email;

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
    Auto,
}

/// <summary>
/// The mail server: address from <c>ConnectionStrings:smtp</c> (<c>smtp://host:port</c>, as the AppHost hands it
/// over), everything else from section <c>Smtp</c>.
/// </summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Smtp";
    public const string ConnectionName = "smtp";

    /// <summary>Filled from <c>ConnectionStrings:smtp</c>.</summary>
    public string? Server { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required, EmailAddress]
    public string From { get; set; } = "portal@portalplatform.local";

    [Required]
    public string FromName { get; set; } = "Patient portal";

    /// <summary>Per SMTP command. Generous on purpose: giving up on a slow server that then accepts sends the mail twice.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Connections kept open to the server: at most this many SMTP conversations at once (<c>Delivery:MaxParallelSends</c> attempts share them).</summary>
    [Range(1, 64)]
    public int Connections { get; set; } = 4;

    public Uri ServerUri => new(Server!);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Server)
            || !Uri.TryCreate(Server, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("smtp" or "smtps")
            || string.IsNullOrEmpty(uri.Host))
        {
            yield return new ValidationResult(
                $"ConnectionStrings:{ConnectionName} must be smtp://host:port (or smtps://host:port).", [nameof(Server)]);
        }

        if (!string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Smtp:Password is required when Smtp:Username is set.", [nameof(Password)]);
        }
    }
}
