using System.Reflection;
using Microsoft.Extensions.Options;

namespace PortalPlatform.IdentityVerification.Accounts;

/// <summary>
/// NIST SP 800-63B: length over composition. At least the configured length (8 by default), up to 128 characters of
/// any kind, and not one of the commonest passwords (an embedded list) or the username itself. No composition rules.
/// </summary>
public sealed class PasswordPolicy(IOptions<PatientAuthOptions> options)
{
    public const int MaximumLength = 128;

    private static readonly Lazy<HashSet<string>> Common = new(LoadCommonPasswords);

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public string? Problem(string password, string username)
    {
        var minimum = options.Value.MinimumPasswordLength;
        if (password.Length < minimum)
        {
            return $"Use at least {minimum} characters.";
        }

        if (password.Length > MaximumLength)
        {
            return $"Use at most {MaximumLength} characters.";
        }

        if (Common.Value.Contains(password.ToLowerInvariant()) || string.Equals(password.Trim(), username.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return "This password is too common or easy to guess; choose another.";
        }

        return null;
    }

    public static int CommonPasswordCount => Common.Value.Count;

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("PortalPlatform.IdentityVerification.Accounts.common-passwords.txt")
            ?? throw new InvalidOperationException("The common password list is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }

        return set;
    }
}
