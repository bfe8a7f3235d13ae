namespace ModelAudit.Engine.Analyzers;

/// <summary>
/// A piece of text a scanner extracted, with where it came from: <see cref="KeyPath"/> names it inside its member
/// (<c>chat_template</c>, <c>__metadata__.license</c>, <c>tokenizer.chat_template.tool_use</c>) and
/// <see cref="Kind"/> says what it is, so an analyzer can choose what to look at (templates only in template kinds).
/// A file read in chunks comes as fragments that overlap: the last <see cref="Lookahead"/> characters of one are the
/// first <see cref="Repeated"/> characters of the next. A match is reported by the fragment that owns where it starts
/// (<see cref="Owns"/>), so one that straddles a boundary is seen whole once and one inside the overlap is not
/// reported twice.
/// </summary>
internal readonly record struct ContentFragment(string Text, string KeyPath, ContentKind Kind, long? Offset = null, int Repeated = 0, int Lookahead = 0)
{
    /// <summary>Whether a match starting at <paramref name="index"/> of <see cref="Text"/> is this fragment's to
    /// report: anywhere but the lookahead, which the next fragment repeats from its start.</summary>
    public bool Owns(int index) => index < Text.Length - Lookahead;

    /// <summary>True for the last (or only) fragment of a text: nothing follows it.</summary>
    public bool IsLast => Lookahead == 0;

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
