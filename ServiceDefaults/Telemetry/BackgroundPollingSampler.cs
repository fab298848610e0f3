using OpenTelemetry.Trace;

namespace PortalPlatform.ServiceDefaults.Telemetry;

/// <summary>
/// Drops the traces Marten's async daemon would start on its own every few hundred milliseconds (a session opened
/// with no request around it), so the dashboard's trace list shows requests and messages, not polling. Spans inside
/// a request or a message keep following their parent (this is the root sampler of a parent-based sampler).
/// </summary>
public sealed class BackgroundPollingSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Name.StartsWith("marten", StringComparison.OrdinalIgnoreCase)
            ? new SamplingResult(SamplingDecision.Drop)
            : new SamplingResult(SamplingDecision.RecordAndSample);
}
