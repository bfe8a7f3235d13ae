namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>One tensor description: its name, shape, ggml type, declared offset in the data section and byte size
/// (null when its type is unknown, so its size cannot be known).</summary>
internal sealed record GgufTensorInfo(string Name, ulong[] Shape, string Type, ulong Offset, ulong? Bytes, long InfoOffset);
