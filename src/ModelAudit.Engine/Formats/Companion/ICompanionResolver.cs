using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Companion;

/// <summary>
/// One model format's answer to "which model reads this file as its data?": ONNX external data, an OpenVINO IR's
/// .bin, a TensorFlow checkpoint's data shards. Such files are raw tensor bytes with no structure of their own, so
/// without an owner they would be unknown content; with one they are that model's data (and the owner's scanner
/// checks the ranges it reads). Implemented in the owning format's folder, used by <see cref="CompanionDataScanner"/>.
/// </summary>
internal interface ICompanionResolver
{
    /// <summary>The format shown for a file this resolver attributes to its model.</summary>
    ModelFormat Format { get; }

    /// <summary>Whether a file of this name could be such data; a name test only (it runs at detection, for every file).</summary>
    bool MayClaim(string name);

    /// <summary>The model on the local disk that reads <paramref name="dataPath"/> as its data, or null. May read the
    /// candidate owners' headers, bounded by <paramref name="limits"/>; never the data file itself.</summary>
    CompanionClaim? Claim(string dataPath, ScanLimits limits, CancellationToken cancellationToken);
}
