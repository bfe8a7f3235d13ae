using System.Text.Json;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// One .keras archive: config.json is judged once metadata.json's keras_version is known, whichever order the
/// members come in (the version decides which CVEs a finding is attributed to).
/// </summary>
internal sealed class KerasArchiveInspection : ArchiveInspection
{
    private byte[]? _config;
    private ScanContext? _configContext;
    private KerasVersion? _version;

    public override bool Wants(string memberName) =>
        memberName is KerasArchiveLayout.ConfigMember or KerasArchiveLayout.MetadataMember;

    public override void Inspect(string memberName, byte[] content, ScanContext memberContext)
    {
        if (memberName == KerasArchiveLayout.ConfigMember)
        {
            _config = content;
            _configContext = memberContext;
            return;
        }

        _version = ReadVersion(content);
    }

    public override void Complete(IReadOnlyCollection<string> memberNames, ScanContext archiveContext)
    {
        if (_config is not null && _configContext is not null)
        {
            new KerasConfigInspector(_version, KerasSource.Archive, _configContext, "config.json").Inspect(_config);
        }
    }

    private static KerasVersion? ReadVersion(byte[] metadata)
    {
        try
        {
            using JsonDocument document = Utf8Json.Parse(metadata, new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("keras_version", out JsonElement v) && v.ValueKind == JsonValueKind.String
                ? KerasVersion.Parse(v.GetString())
                : null;
        }
        catch (JsonException)
        {
            return null; // Keras itself ignores a broken metadata.json when loading; the version is then unknown.
        }
    }
}
