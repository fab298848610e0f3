using Microsoft.Net.Http.Headers;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The portal resource's ETag is its stream version: <c>"7"</c>.</summary>
internal static class Versions
{
    public static string ETagOf(long version) => $"\"{version}\"";

    public static void SetETag(this HttpResponse response, long version) => response.Headers.ETag = ETagOf(version);

    /// <summary>The version in If-Match; null when absent or <c>*</c>. False when the header is not a version we issued.</summary>
    public static bool TryReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParse(header.Trim(), out var tag)
            || !long.TryParse(tag.Tag.AsSpan().Trim('"'), out var parsed))
        {
            return false;
        }

        version = parsed;
        return true;
    }
}
