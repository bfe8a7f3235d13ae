namespace ModelAudit.Engine.Formats.Flax;

/// <summary>
/// Keys of Python's object protocol (<c>__reduce__</c>, <c>__class__</c>, <c>__code__</c>, …). JAX checkpoints —
/// Flax MessagePack trees and Orbax's JSON metadata — hold plain trees of arrays and numbers; such a key there exists
/// to steer a custom loader into rebuilding Python objects.
/// </summary>
internal static class ObjectProtocolKeys
{
    private static readonly HashSet<string> s_keys = new(StringComparer.Ordinal)
    {
        "__reduce__", "__reduce_ex__", "__class__", "__module__", "__getstate__", "__setstate__", "__dict__", "__code__",
        "__globals__", "__builtins__", "__import__", "__call__", "__getattr__", "__getattribute__", "__subclasses__", "__init__", "__new__",
    };

    public static bool Contains(string key) => s_keys.Contains(key);
}
