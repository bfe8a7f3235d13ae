using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Companion;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.OpenVino;

/// <summary>Attributes <c>model.bin</c> to the OpenVINO IR <c>model.xml</c> beside it (OpenVINO's own pairing rule:
/// same folder, same stem). The IR's scan checks every Const layer's range against this file's size.</summary>
internal sealed class OpenVinoWeightsResolver : ICompanionResolver
{
    // Enough of the IR to see its <net> root and <layers> (the same bytes detection peeks).
    private const int HeadBytes = FormatDetector.HeadSize;

    public ModelFormat Format => OpenVinoFormats.Weights;

    public bool MayClaim(string name) => string.Equals(Path.GetExtension(name), ".bin", StringComparison.OrdinalIgnoreCase);

    public CompanionClaim? Claim(string dataPath, ScanLimits limits, CancellationToken cancellationToken)
    {
        string xml = Path.ChangeExtension(dataPath, ".xml");
        try
        {
            if (!File.Exists(xml))
            {
                return null;
            }

            using var stream = new FileStream(xml, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            byte[] head = new byte[(int)Math.Min(HeadBytes, stream.Length)];
            stream.ReadExactly(head);
            return OpenVinoScanner.IsIr(head) ? new CompanionClaim(xml, Array.Empty<TensorRegion>()) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
