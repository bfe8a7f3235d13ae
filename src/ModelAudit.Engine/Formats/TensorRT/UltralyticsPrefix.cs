using System.Buffers.Binary;

namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// Ultralytics' YOLO export writes a .engine as a u32 little-endian length, that many bytes of JSON metadata (task,
/// class names, image size) and then the raw plan; its loader strips the prefix before deserializing. Only the
/// shape is read here: the plan itself is recognised by its "ftrt" tag after the prefix.
/// </summary>
internal static class UltralyticsPrefix
{
    // Ultralytics metadata is a few kilobytes (80 COCO class names are ~1.5 KB); a larger prefix is not this layout.
    public const int MaxMetadataBytes = 1 << 20;

    /// <summary>The metadata length when <paramref name="h"/> starts like the prefix (a bounded length, then a JSON
    /// object); null otherwise.</summary>
    public static int? MetadataLength(ReadOnlySpan<byte> h)
    {
        if (h.Length < 5 || h[4] != (byte)'{')
        {
            return null;
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(h);
        return length is >= 2 and <= MaxMetadataBytes ? (int)length : null;
    }
}
