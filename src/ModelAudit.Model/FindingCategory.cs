namespace ModelAudit;

/// <summary>Rule families; each matches the thousands digit of the rule id (MA1xxx … MA9xxx).</summary>
public enum FindingCategory
{
    /// <summary>MA1xxx: code execution and unsafe deserialization.</summary>
    CodeExecution = 1,

    /// <summary>MA2xxx: archives and containers.</summary>
    Archive = 2,

    /// <summary>MA3xxx: unsafe framework operations.</summary>
    FrameworkOperation = 3,

    /// <summary>MA4xxx: embedded secrets.</summary>
    Secret = 4,

    /// <summary>MA5xxx: network indicators.</summary>
    Network = 5,

    /// <summary>MA6xxx: integrity, supply chain and known CVEs.</summary>
    Integrity = 6,

    /// <summary>MA7xxx: templates and configuration.</summary>
    Template = 7,

    /// <summary>MA8xxx: weights and backdoors.</summary>
    Weights = 8,

    /// <summary>MA9xxx: scan health — limits, parse errors, inconclusive coverage.</summary>
    ScanHealth = 9,
}
