using System.Collections.Concurrent;
using System.Text.Json;

namespace PortalPlatform.Hosting.Local;

/// <summary>One text message the SMS sink accepted.</summary>
public sealed record CapturedSms(string Id, DateTimeOffset ReceivedAt, string To, string From, string Body, string? Reference);

/// <summary>
/// Every text the sink accepted, appended to <c>messages.jsonl</c> in its folder (kept across restarts), idempotent by
/// the sender's <c>reference</c>; <see cref="FailNext"/> makes the next sends fail on purpose (a provider outage).
/// </summary>
public sealed class SmsSinkStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, CapturedSms> _byReference = new(StringComparer.Ordinal);
    private readonly Lock _file = new();
    private int _failuresLeft;
    private int _failureStatus = StatusCodes.Status503ServiceUnavailable;

    public SmsSinkStore(string directory, string apiKey)
    {
        Directory = Path.GetFullPath(directory);
        ApiKey = apiKey;
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var sms in ReadAll().Where(s => s.Reference is not null))
        {
            _byReference.TryAdd(sms.Reference!, sms);
        }
    }

    public string Directory { get; }

    /// <summary>The bearer key the sink accepts.</summary>
    public string ApiKey { get; }

    private string MessagesFile => Path.Combine(Directory, "messages.jsonl");

    /// <summary>The next <paramref name="count"/> sends are refused with <paramref name="statusCode"/>.</summary>
    public void FailNext(int count, int statusCode = StatusCodes.Status503ServiceUnavailable)
    {
        Volatile.Write(ref _failureStatus, statusCode);
        Volatile.Write(ref _failuresLeft, count);
    }

    /// <summary>The status to fail this send with, or null to accept it.</summary>
    internal int? TakeFailure() => Interlocked.Decrement(ref _failuresLeft) >= 0 ? Volatile.Read(ref _failureStatus) : null;

    /// <summary>Stores the message unless its reference was seen; returns the stored one and whether it is new.</summary>
    internal (CapturedSms Message, bool Created) Add(CapturedSms candidate)
    {
        lock (_file)
        {
            if (candidate.Reference is not null && _byReference.TryGetValue(candidate.Reference, out var earlier))
            {
                return (earlier, false);
            }

            File.AppendAllText(MessagesFile, JsonSerializer.Serialize(candidate, Json) + "\n");
            if (candidate.Reference is not null)
            {
                _byReference[candidate.Reference] = candidate;
            }

            return (candidate, true);
        }
    }

    /// <summary>Every message accepted so far, oldest first.</summary>
    public IReadOnlyList<CapturedSms> ReadAll()
    {
        lock (_file)
        {
            if (!File.Exists(MessagesFile))
            {
                return [];
            }

            return File.ReadAllLines(MessagesFile)
                .Where(line => !string.IsNullOrWhiteSpace(line))
                .Select(line => JsonSerializer.Deserialize<CapturedSms>(line, Json)!)
                .ToList();
        }
    }
}
