namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>One tensor's external data, as its <c>external_data</c> entries declare it.</summary>
internal sealed record OnnxExternalReference(string Tensor, string? Location, long Offset, long? Length, long? ExpectedBytes, long At);
