namespace ModelAudit;

/// <summary>Why a finding is suppressed: who decided it, the justification they gave, and until when it holds.</summary>
public sealed class ModelSuppression
{
    /// <summary>Creates a suppression record.</summary>
    public ModelSuppression(string source, string justification, DateTimeOffset? expires = null)
    {
        Source = source;
        Justification = justification;
        Expires = expires;
    }

    /// <summary>Where the suppression comes from: a policy file's suppression entry or a baseline.</summary>
    public string Source { get; }

    /// <summary>The reason the suppression's author gave.</summary>
    public string Justification { get; }

    /// <summary>When the suppression stops applying, if it has an expiry.</summary>
    public DateTimeOffset? Expires { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Justification}";
}
