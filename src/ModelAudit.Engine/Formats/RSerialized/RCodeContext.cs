namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>What the item being read is part of, for grading the calls found in it.</summary>
internal enum RCodeContext
{
    /// <summary>Data: vectors, lists, attributes, environments' values.</summary>
    Data,

    /// <summary>A call object kept as data (a model's $call, a formula): it runs only if something evaluates it.</summary>
    Language,

    /// <summary>A function's formals or body (source or byte code): it runs when the function is called.</summary>
    Function,

    /// <summary>A promise's expression: it runs when the promise is forced, the first time its value is used.</summary>
    Promise,
}
