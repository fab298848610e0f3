namespace PortalPlatform.Testing;

/// <summary>
/// Phone numbers that pass the platform's phone rule (libphonenumber's IsValidNumber) yet belong to nobody: the
/// North American 555-0100 to 555-0199 lines, reserved for fiction, in several area codes. <see cref="Next"/> never
/// repeats within a test process (for 2,000 numbers) and starts at a random place, so runs sharing a sink rarely meet.
/// </summary>
public static class FictionalPhones
{
    /// <summary>Area codes whose 555-01xx lines libphonenumber accepts (FictionalPhonesTests checks every one).</summary>
    public static readonly IReadOnlyList<string> AreaCodes =
        ["201", "202", "212", "213", "305", "312", "404", "415", "503", "512", "602", "617", "646", "702", "713", "718", "805", "808", "917", "971"];

    private static int _next = Random.Shared.Next(All);

    private static int All => AreaCodes.Count * 100;

    /// <summary>The next fictional number in E.164, e.g. <c>+12015550137</c>.</summary>
    public static string Next()
    {
        var n = (int)((uint)Interlocked.Increment(ref _next) % (uint)All);
        return $"+1{AreaCodes[n / 100]}55501{n % 100:00}";
    }

    /// <summary>Every number <see cref="Next"/> can give.</summary>
    public static IEnumerable<string> Every() =>
        AreaCodes.SelectMany(area => Enumerable.Range(0, 100).Select(line => $"+1{area}55501{line:00}"));
}
