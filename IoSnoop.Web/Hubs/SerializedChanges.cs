using System.Text.Json;
using System.Text.Json.Serialization;
using IoSnoop.Actors.Processes;
using IoSnoop.Web.Api;

namespace IoSnoop.Web.Hubs;

/// <summary>
/// One push, turned into JSON once however many connections it goes to: the hub's JSON protocol writes
/// the stored bytes as they are (with the hub's camelCase names) instead of serializing the changes again
/// for every connection. Only a merged push for a slow connection is serialized on its own.
/// </summary>
[JsonConverter(typeof(Converter))]
public sealed class SerializedChanges(StatsChanges changes)
{
    private readonly Lazy<byte[]> _json = new(() => JsonSerializer.SerializeToUtf8Bytes(changes, WebJson.Options));

    public StatsChanges Changes { get; } = changes;

    public ReadOnlySpan<byte> Json => _json.Value;

    private sealed class Converter : JsonConverter<SerializedChanges>
    {
        public override SerializedChanges Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("pushes are only written");

        public override void Write(Utf8JsonWriter writer, SerializedChanges value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Json, skipInputValidation: true);
    }
}
