namespace ModelAudit.Engine;

/// <summary>Root of the engine's own exceptions.</summary>
public class ModelAuditException : Exception
{
    public ModelAuditException(string message) : base(message) { }

    public ModelAuditException(string message, Exception inner) : base(message, inner) { }
}
