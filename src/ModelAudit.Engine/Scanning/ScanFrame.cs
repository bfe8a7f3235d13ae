using System.Collections.Immutable;
using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>
/// The state of one nesting level, immutable: where in the file it is (member path, depth), which reading and scanner
/// are running, and what the enclosing containers say about it (TorchScript, joblib, CVEs they make apply). A child
/// level is a new frame, so nothing has to be restored by hand when a member's scan returns or throws.
/// </summary>
internal sealed record ScanFrame
{
    /// <summary>The frame of a top-level file.</summary>
    public static ScanFrame Root { get; } = new();

    /// <summary>Member path inside containers (joined with '!'), null at the top level.</summary>
    public string? Member { get; init; }

    /// <summary>Nesting depth: 0 for the file itself.</summary>
    public int Depth { get; init; }

    /// <summary>The scanner currently running (named in its findings).</summary>
    public string Scanner { get; init; } = "Engine";

    /// <summary>The reading being scanned at this level, once detection chose one.</summary>
    public Reading? Reading { get; init; }

    /// <summary>True inside a TorchScript archive (its __torch__ classes come from its own code/ files).</summary>
    public bool InTorchScript { get; init; }

    /// <summary>True inside a joblib or scikit-learn container.</summary>
    public bool InJoblib { get; init; }

    /// <summary>The format of the archive layout (Keras, skops, …) whose members these are, when one holds: the
    /// layout judges its manifests itself, so member scanners can leave them to it.</summary>
    public string? ArchiveLayout { get; init; }

    /// <summary>CVEs that enclosing containers make apply to dangerous content found inside them
    /// (e.g. CVE-2019-6446 for a NumPy object array).</summary>
    public ImmutableArray<string> CveHints { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>True inside bytes that only look like an encoded payload (compressed, a pickle) and that no loader
    /// call decodes: if they do not decode, no loader would read them either, so the failure is data (an Info
    /// finding), not an Inconclusive scan. What they do decode to is graded as usual.</summary>
    public bool Speculative { get; init; }

    /// <summary>The folder joblib resolves a legacy pickle's companion array files against, when this level is the
    /// decoded content of a local top-level file (a Z-file's pickle). Not inherited: a member is somewhere else.</summary>
    public string? CompanionFolder { get; init; }

    /// <summary>Where this level's first byte lies in the top-level file, when its bytes are the file's own bytes as
    /// they are (the file itself, a stored zip member); null when they are decoded or copied. Weight analysis reads
    /// tensors in the hashing pass by file offset, so only such levels' tensors can be analysed. Not inherited.</summary>
    public long? FileOffset { get; init; } = 0;

    /// <summary>Where a PyTorch archive collects the tensors its data.pkl rebuilds, set on that member's level only:
    /// the archive then finds each tensor's bytes in its storage member. Not inherited.</summary>
    public Formats.Pickle.TorchTensorTable? TorchTensors { get; init; }

    /// <summary>The frame of a member of this level.</summary>
    public ScanFrame Enter(string memberName) => this with
    {
        Member = Member is null ? memberName : Member + "!" + memberName,
        Depth = Depth + 1,
        Reading = null,
        CompanionFolder = null,
        FileOffset = null,
        TorchTensors = null,
    };

    /// <summary>This frame with one more CVE hint.</summary>
    public ScanFrame WithCve(string cve) => CveHints.Contains(cve) ? this : this with { CveHints = CveHints.Add(cve) };
}
