using System.Diagnostics;
using System.Net.Http.Headers;

namespace PortalPlatform.GatewayBenchmark;

/// <summary>Closed-loop load: a fixed number of workers each send the next request as soon as the last one answered.</summary>
public sealed record LoadResult(string Target, int Requests, int Failures, TimeSpan Elapsed, double P50Ms, double P99Ms)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}

public static class LoadRun
{
    /// <summary>GETs of <paramref name="url"/> for <paramref name="duration"/>.</summary>
    public static Task<LoadResult> RunAsync(string target, Uri url, string token, int workers, TimeSpan duration) =>
        LoopAsync(target, token, workers, (elapsed, _) => elapsed < duration, _ => new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary><paramref name="count"/> requests, the i-th of the run made by <paramref name="request"/>.</summary>
    public static Task<LoadResult> RunCountAsync(string target, string token, int workers, int count, Func<int, HttpRequestMessage> request) =>
        LoopAsync(target, token, workers, (_, i) => i < count, request);

    private static async Task<LoadResult> LoopAsync(string target, string token, int workers, Func<TimeSpan, int, bool> goOn, Func<int, HttpRequestMessage> request)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = workers, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var client = new HttpClient(handler);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var latencies = new List<double>[workers];
        var failures = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            for (var i = Interlocked.Increment(ref next); goOn(clock.Elapsed, i); i = Interlocked.Increment(ref next))
            {
                var started = Stopwatch.GetTimestamp();
                using var message = request(i);
                using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(target, all.Length, failures, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
