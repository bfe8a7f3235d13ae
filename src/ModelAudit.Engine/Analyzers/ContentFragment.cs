namespace ModelAudit.Engine.Analyzers;

/// <summary>
/// A piece of text a scanner extracted, with where it came from: <see cref="KeyPath"/> names it inside its member
/// (<c>chat_template</c>, <c>__metadata__.license</c>, <c>tokenizer.chat_template.tool_use</c>) and
/// <see cref="Kind"/> says what it is, so an analyzer can choose what to look at (templates only in template kinds).
/// </summary>
internal readonly record struct ContentFragment(string Text, string KeyPath, ContentKind Kind, long? Offset = null)
{
    /// <summary>A phrase for messages: "SafeTensors metadata '__metadata__.x'", "text of 'config.json'".</summary>
    public string Describe() => Kind switch
    {
        ContentKind.FileText => $"the text of '{KeyPath}'",
        ContentKind.PickleString => "a pickle string",
        ContentKind.ChatTemplate => $"the chat template '{KeyPath}'",
        ContentKind.Metadata => $"metadata '{KeyPath}'",
        _ => $"the value '{KeyPath}'",
    };
}
