namespace ModelAudit;

/// <summary>How serious a finding is. Ordered, so that <c>-MinimumSeverity</c> comparisons work.</summary>
public enum Severity
{
    /// <summary>Worth knowing; nothing here runs code or hides data by itself.</summary>
    Info = 0,

    /// <summary>Suspicious or risky: review before loading the model.</summary>
    Warning = 1,

    /// <summary>Loading the model runs attacker-chosen code or an equivalent.</summary>
    Critical = 2,
}
