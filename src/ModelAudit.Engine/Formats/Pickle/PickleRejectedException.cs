namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// The bytes are not a pickle CPython would read past this point: an invalid opcode, a stack underflow, an argument
/// both of CPython's unpicklers reject. The real unpickler raises here too, so nothing after it can run.
/// </summary>
internal sealed class PickleRejectedException : ModelFormatException
{
    public PickleRejectedException(string message, long? offset = null) : base(message, offset)
    {
    }
}
