using System.Text.RegularExpressions;
using ModelAudit.Engine.Rules;

namespace ModelAudit.Engine.Analyzers.Secrets;

/// <summary>
/// A detector for a token with a fixed, distinctive prefix: a regex match, then the provider's own format checks
/// (<see cref="IsValid"/>) and the placeholder filter.
/// </summary>
internal abstract class PatternDetector : ISecretDetector
{
    // A fragment with more hits than this is a list of samples or a crafted file; the first ones say enough.
    private const int MaxHitsPerFragment = 20;

    protected abstract Regex Pattern { get; }

    protected abstract string Kind { get; }

    /// <summary>The part of every such token that may be shown (the provider prefix).</summary>
    protected abstract string ShownPrefix(string value);

    protected virtual string RuleId => RuleIds.EmbeddedSecret;

    /// <summary>Format validation beyond the regex (checksums, decodable parts). Placeholders are filtered first.</summary>
    protected virtual bool IsValid(string value) => true;

    /// <summary>True when the format carries its own proof (a checksum), so doc-looking words do not disqualify it.</summary>
    protected virtual bool SelfValidating => false;

    /// <summary>A cheap literal pre-check for patterns whose regex cannot start with a literal.</summary>
    protected virtual bool MayContain(string text) => true;

    public IEnumerable<SecretHit> Find(string text)
    {
        if (!MayContain(text))
        {
            yield break;
        }

        int hits = 0;
        for (Match m = Pattern.Match(text); m.Success && hits < MaxHitsPerFragment; m = m.NextMatch())
        {
            string value = m.Value;
            if ((SelfValidating || !SecretText.IsPlaceholder(value)) && IsValid(value))
            {
                hits++;
                yield return new SecretHit(RuleId, Kind, m.Index, ShownPrefix(value), value);
            }
        }
    }
}
