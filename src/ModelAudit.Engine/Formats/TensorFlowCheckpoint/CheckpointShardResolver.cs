using System.Text.RegularExpressions;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Companion;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.TensorFlowCheckpoint;

/// <summary>Attributes <c>prefix.data-0000i-of-0000n</c> to the checkpoint index <c>prefix.index</c> beside it, when that
/// index is a table (its magic at the end) declaring n shards' worth of names. The index's scan checks every entry's
/// range against the shard's size.</summary>
internal sealed partial class CheckpointShardResolver : ICompanionResolver
{
    public ModelFormat Format => TensorFlowCheckpointFormats.Shard;

    public bool MayClaim(string name) => ShardName().IsMatch(name);

    public CompanionClaim? Claim(string dataPath, ScanLimits limits, CancellationToken cancellationToken)
    {
        Match match = ShardName().Match(dataPath);
        if (!match.Success || int.Parse(match.Groups["shard"].Value, System.Globalization.CultureInfo.InvariantCulture)
            >= int.Parse(match.Groups["count"].Value, System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }

        string index = dataPath[..match.Index] + ".index";
        try
        {
            if (!File.Exists(index))
            {
                return null;
            }

            using var stream = new FileStream(index, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (stream.Length < SstableReader.FooterLength)
            {
                return null;
            }

            byte[] footer = new byte[SstableReader.FooterLength];
            stream.Seek(-SstableReader.FooterLength, SeekOrigin.End);
            stream.ReadExactly(footer);
            return SstableReader.HasMagic(footer) ? new CompanionClaim(index, Array.Empty<TensorRegion>()) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\.data-(?<shard>\d{5})-of-(?<count>\d{5})$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardName();
}
