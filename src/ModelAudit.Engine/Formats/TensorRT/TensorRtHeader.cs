using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// The start of a serialized plan, as far as public sources describe it (TensorRT 8 and later; NVIDIA publishes no
/// plan layout): a u32 tag 0x74727466 at offset 0 (the bytes "ftrt"), a u32 at offset 4 that selects the header
/// layout, and, for layout 0, the TensorRT version that built the plan as four bytes at offsets 24–27 (major,
/// minor, patch, build) — what trtexec's --getPlanVersionOnly prints. Nothing else of the layout is public: the
/// size field the runtime checks, the plugin records and the embedded libraries are not described, so this scanner
/// reads no further structure than this.
/// </summary>
internal readonly record struct TensorRtHeader(uint Layout, string? BuiltWith)
{
    /// <summary>Bytes of the header read: through the version bytes.</summary>
    public const int Size = 28;

    public static ReadOnlySpan<byte> Magic => "ftrt"u8;

    /// <summary>The header at the start of <paramref name="h"/>, which holds at least <see cref="Size"/> bytes.</summary>
    public static TensorRtHeader Read(ReadOnlySpan<byte> h)
    {
        uint layout = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
        string? version = layout == 0 ? $"{h[24]}.{h[25]}.{h[26]}.{h[27]}" : null;
        return new TensorRtHeader(layout, version);
    }
}
