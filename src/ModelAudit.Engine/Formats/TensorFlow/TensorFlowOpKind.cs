namespace ModelAudit.Engine.Formats.TensorFlow;

/// <summary>What a TensorFlow operator can do to the host when the graph runs.</summary>
internal enum TensorFlowOpKind
{
    /// <summary>Nothing beyond computing on tensors.</summary>
    None,

    /// <summary>Calls a Python function of the loading process (tf.py_function, tf.numpy_function).</summary>
    Python,

    /// <summary>Reads files named by its inputs or attributes.</summary>
    FileRead,

    /// <summary>Writes or replaces files.</summary>
    FileWrite,

    /// <summary>Reaches the host otherwise: network endpoints, debug sinks, the process itself.</summary>
    Host,
}
