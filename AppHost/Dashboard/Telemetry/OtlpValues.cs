using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;

namespace PortalPlatform.Dashboard.Telemetry;

/// <summary>Turns OTLP attribute values into the strings the dashboard shows.</summary>
internal static class OtlpValues
{
    public static Dictionary<string, string> ToDictionary(this RepeatedField<KeyValue> attributes)
    {
        var result = new Dictionary<string, string>(attributes.Count, StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = attribute.Value.Text();
        }

        return result;
    }

    public static string Text(this AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(v => v.Text())) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}: {kv.Value.Text()}")) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToHexStringLower(value.BytesValue.Span),
        _ => "",
    };

    public static string Hex(this ByteString bytes) => bytes.IsEmpty ? "" : Convert.ToHexStringLower(bytes.Span);

    public static DateTimeOffset FromUnixNano(ulong nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    /// <summary>The service a batch came from: service.name, else the instance id, else "unknown".</summary>
    public static string ServiceName(this OpenTelemetry.Proto.Resource.V1.Resource? resource)
    {
        var name = resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.Text();
        return string.IsNullOrEmpty(name) ? "unknown" : name;
    }
}
