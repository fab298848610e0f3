using Microsoft.Extensions.Options;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Registrations;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>Pure decisions, no server.</summary>
public sealed class DecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Birthday = new(1980, 4, 12);
    private static readonly ExpectedCodes Codes = new("123456", "ABCDE-FGHJK");

    private static Registration Open(int failedChecks = 0, RegistrationState state = RegistrationState.Open) => new()
    {
        Id = Guid.NewGuid(), PracticeId = Guid.NewGuid(), PatientId = "p1", InvitationId = Guid.NewGuid(), DateOfBirth = Birthday,
        ExpiresAt = Now.AddDays(14), State = state, FailedChecks = failedChecks,
    };

    [Theory]
    [InlineData("123456", VerificationMethod.OneTimeCode)]
    [InlineData("abcde fghjk", VerificationMethod.AccessCode)]
    public void The_right_birthday_and_either_code_confirm_the_identity(string code, VerificationMethod method)
    {
        var result = IdentityCheck.Decide(Open(), new IdentityClaim(Birthday, code), Codes, Now, 5);

        Assert.True(result.Passed);
        Assert.Equal(method, Assert.IsType<IdentityConfirmed>(Assert.Single(result.Events)).Method);
    }

    [Fact]
    public void The_fifth_failure_locks_the_registration()
    {
        var fourth = IdentityCheck.Decide(Open(failedChecks: 3), new IdentityClaim(Birthday, "000000"), Codes, Now, 5);
        var fifth = IdentityCheck.Decide(Open(failedChecks: 4), new IdentityClaim(Birthday.AddDays(1), "123456"), Codes, Now, 5);

        Assert.Single(fourth.Events);
        Assert.Collection(fifth.Events, e => Assert.Equal(5, Assert.IsType<IdentityCheckFailed>(e).FailedChecks), e => Assert.IsType<RegistrationLocked>(e));
        Assert.False(fifth.Passed);
    }

    [Theory]
    [InlineData(RegistrationState.Locked)]
    [InlineData(RegistrationState.Completed)]
    [InlineData(RegistrationState.Voided)]
    public void An_unusable_registration_refuses_even_the_right_details_and_counts_nothing(RegistrationState state)
    {
        var result = IdentityCheck.Decide(Open(state: state), new IdentityClaim(Birthday, "123456"), Codes, Now, 5);

        Assert.False(result.Passed);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void An_expired_registration_refuses_the_right_details()
    {
        var result = IdentityCheck.Decide(Open(), new IdentityClaim(Birthday, "123456"), Codes, Now.AddDays(15), 5);

        Assert.False(result.Passed);
    }

    [Fact]
    public void Secrets_are_derived_the_same_every_time_and_differ_per_registration()
    {
        var secrets = new RegistrationSecrets(Options.Create(new RegistrationOptions { TokenKey = new string('k', 40) }));
        var one = Guid.NewGuid();
        var two = Guid.NewGuid();

        Assert.Equal(secrets.TokenFor(one), secrets.TokenFor(one));
        Assert.NotEqual(secrets.TokenFor(one), secrets.TokenFor(two));
        Assert.Equal(43, secrets.TokenFor(one).Length); // 256 bits in base64url
        Assert.Matches("^[0-9]{6}$", secrets.OneTimeCodeFor(one, 1));
        Assert.NotEqual(secrets.OneTimeCodeFor(one, 1), secrets.OneTimeCodeFor(one, 2));
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$", secrets.AccessCodeFor(one));
        Assert.Equal(64, RegistrationSecrets.HashOf(secrets.TokenFor(one)).Length);
    }

    [Theory]
    [InlineData("short", false)]
    [InlineData("password123", false)]
    [InlineData("qwertyuiop", false)]
    [InlineData("avery.smith", false)]
    [InlineData("correct horse battery staple", true)]
    [InlineData("alllowercaseletters", true)]
    public void Passwords_are_judged_by_length_and_commonness_not_composition(string password, bool accepted)
    {
        var policy = new PasswordPolicy(Options.Create(new PatientAuthOptions()));

        Assert.Equal(accepted, policy.Problem(password, "avery.smith") is null);
        Assert.True(PasswordPolicy.CommonPasswordCount > 200);
    }
}
