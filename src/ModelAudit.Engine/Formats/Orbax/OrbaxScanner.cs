using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Scans the files of Orbax checkpoint folders: the JSON metadata (<see cref="OrbaxMetadata"/>), OCDBT manifests
/// (<see cref="OcdbtManifest"/>, which walks the B+tree into the data files beside it) and OCDBT data files that start
/// with a tree node (that node's envelope). Data files that start with a raw value are attributed to their manifest
/// by <see cref="OcdbtDataFileResolver"/>. The layout before OCDBT (a zarr folder per array) has its metadata files
/// read as <see cref="OrbaxFormats.ZarrMetadata"/>; the older msgpack <c>checkpoint</c> file is the Flax scanner's.
/// </summary>
internal sealed class OrbaxScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("orbax", "Orbax/OCDBT checkpoint", new[] { OrbaxFormats.Metadata, OrbaxFormats.ZarrMetadata, OrbaxFormats.Manifest, OrbaxFormats.Data });

    public Reading? Sniff(SniffInput input)
    {
        ReadOnlySpan<byte> head = input.Head;
        if (OcdbtEnvelope.HasMagic(head, OcdbtEnvelope.ManifestMagic))
        {
            return new Reading(OrbaxFormats.Manifest, this, ReadingStrength.Structural);
        }

        if (OcdbtEnvelope.HasMagic(head, OcdbtEnvelope.BtreeNodeMagic) || OcdbtEnvelope.HasMagic(head, OcdbtEnvelope.VersionNodeMagic))
        {
            return new Reading(OrbaxFormats.Data, this, ReadingStrength.Structural);
        }

        if (OrbaxMetadata.LooksLikeMetadata(input.Name, head))
        {
            return new Reading(OrbaxFormats.Metadata, this, ReadingStrength.Structural);
        }

        if (OrbaxMetadata.LooksLikeZarrMetadata(input.Name, head))
        {
            return new Reading(OrbaxFormats.ZarrMetadata, this, ReadingStrength.Structural);
        }

        // A file under the manifest's own name that lacks its magic is still read as one, to say what is wrong.
        return Path.GetFileName(input.Name).Equals("manifest.ocdbt", StringComparison.Ordinal)
            ? new Reading(OrbaxFormats.Manifest, this, ReadingStrength.Plausible)
            : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        if (ReferenceEquals(input.Format, OrbaxFormats.Manifest))
        {
            OcdbtManifest.Check(input.Stream, input.Length, context);
        }
        else if (ReferenceEquals(input.Format, OrbaxFormats.Data))
        {
            OcdbtDataFile.CheckLeadingNode(input.Stream, input.Length, context);
        }
        else
        {
            OrbaxMetadata.CheckFile(input.Stream, input.Length, ReferenceEquals(input.Format, OrbaxFormats.ZarrMetadata), context);
        }
    }
}
