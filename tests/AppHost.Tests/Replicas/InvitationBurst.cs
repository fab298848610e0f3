using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Testing;

namespace PortalPlatform.AppHost.Tests.Replicas;

public sealed record BurstPatient(string Id, string Email, string Phone);

/// <summary>A request that got no answer from the platform, or a gateway's 502/503/504, and was sent again.</summary>
public sealed record FailedAttempt(TimeSpan At, string Request, string Error);

/// <summary>
/// Invitations sent through the gateway the way a careful integrator sends them: the demographics, then the invitation
/// with If-Match on the version the demographics answered. A request left without an answer (a replica died under it)
/// is sent again; a 412 to a resent invitation means the first one was applied, which the chart then confirms.
/// </summary>
public sealed class InvitationBurst(HttpClient staff, Stopwatch clock)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    public ConcurrentQueue<FailedAttempt> Failures { get; } = new();

    private readonly ConcurrentQueue<(int Count, TaskCompletionSource Reached)> _waiting = new();

    /// <summary>When (on the burst's clock) each patient's invitation was accepted.</summary>
    public ConcurrentDictionary<string, TimeSpan> Accepted { get; } = new();

    public static IReadOnlyList<BurstPatient> Patients(int count, string run) =>
        [.. Enumerable.Range(1, count).Select(i => new BurstPatient($"rep-{run}-{i:D3}", $"replica.{run}.{i}@patients.test", FictionalPhones.Next()))];

    /// <summary>Completes the moment <paramref name="count"/> invitations have been accepted (not at the next poll).</summary>
    public Task AcceptedAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue((count, reached));
        if (Accepted.Count >= count)
        {
            reached.TrySetResult();
        }

        return reached.Task;
    }

    public Task RunAsync(IEnumerable<BurstPatient> patients, int parallel) =>
        Parallel.ForEachAsync(patients, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (patient, _) => await InviteAsync(patient));

    private async Task InviteAsync(BurstPatient patient)
    {
        using var recorded = await SendAsync(() => Json(HttpMethod.Put, $"/api/patients/{patient.Id}", new
        {
            firstName = "Rep", lastName = "Lica", dateOfBirth = "1975-05-05", email = patient.Email, phone = patient.Phone,
        }));
        await ExpectAsync(recorded, HttpStatusCode.OK);
        var version = recorded.Headers.ETag ?? throw new InvalidOperationException("the demographics answer carries no ETag");
        var resent = false;
        using var invited = await SendAsync(() =>
        {
            var request = Json(HttpMethod.Post, $"/api/patients/{patient.Id}/portal/invitations", new { });
            request.Headers.IfMatch.Add(version);
            return request;
        }, onResend: () => resent = true);
        if (invited.StatusCode == HttpStatusCode.PreconditionFailed && resent)
        {
            // The first send was applied although its answer was lost: the chart says so.
            var portal = await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patient.Id}/portal");
            Assert.Equal("Invited", portal.GetProperty("status").GetString());
        }
        else
        {
            await ExpectAsync(invited, HttpStatusCode.Created);
        }

        Accepted[patient.Id] = clock.Elapsed;
        foreach (var (count, reached) in _waiting.Where(w => Accepted.Count >= w.Count))
        {
            reached.TrySetResult();
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, Action? onResend = null)
    {
        var deadline = clock.Elapsed + GiveUpAfter;
        while (true)
        {
            using var request = make();
            var what = $"{request.Method} {request.RequestUri}";
            try
            {
                var response = await staff.SendAsync(request);
                if (response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    return response;
                }

                Failures.Enqueue(new FailedAttempt(clock.Elapsed, what, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"));
                response.Dispose();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Failures.Enqueue(new FailedAttempt(clock.Elapsed, what, $"{e.GetType().Name}: {e.Message}"));
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"{what} got no answer for {GiveUpAfter}");
            }

            onResend?.Invoke();
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, object body) =>
        new(method, path) { Content = JsonContent.Create(body) };

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
