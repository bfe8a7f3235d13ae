using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Sources;

/// <summary>
/// Where scan items come from: local paths today; Hugging Face, S3 and other stores plug in here. A source lists
/// items with what it knows about them (<see cref="SourceItemInfo"/>: link target, published hash, ETag) and opens
/// each as a stream — remote ones as a <see cref="BlockCachedStream"/> over range reads, so a zip's directory at the
/// end is read without downloading the whole object. Paths a source skips are reported, never silently dropped.
/// </summary>
public interface IScanSource
{
    /// <summary>The items under this source, in a deterministic order.</summary>
    IEnumerable<ScanItem> Enumerate(ScanOptions options, Action<SourceEvent> report);
}
