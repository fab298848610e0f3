namespace PortalPlatform.Testing;

/// <summary>Waits for an asynchronous outcome (a message consumed, a projection updated) with a deadline.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string? what = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting for {what ?? "the expected outcome"}");
            }

            await Task.Delay(100);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan? timeout = null, string? what = null)
    {
        await GetAsync<object>(async () => await probe() ? new object() : null, timeout, what);
    }

    public static Task TrueAsync(Func<bool> probe, TimeSpan? timeout = null, string? what = null) =>
        TrueAsync(() => Task.FromResult(probe()), timeout, what);
}
