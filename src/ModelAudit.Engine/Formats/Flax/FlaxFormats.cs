using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Flax;

internal static class FlaxFormats
{
    public static ModelFormat FlaxMsgpack { get; } = new("FlaxMsgpack", "Flax/JAX MessagePack checkpoint (flax.serialization)", FormatRisk.Data, ".msgpack", ".flax", ".jax", ".orbax");
}
