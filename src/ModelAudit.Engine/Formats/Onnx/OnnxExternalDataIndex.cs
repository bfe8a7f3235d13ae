using System.Collections.Concurrent;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>
/// Finds the ONNX model that references a file as external data, so that file is scanned as that model's tensor data
/// rather than as unknown content. Models are looked for beside the file and up to two folders above it (exporters
/// write data beside the model or in a sub-folder of it); only their graph initializers' external_data entries are
/// read, payloads skipped by length. Answers are cached per model file (path, size, time) for the folder's other files.
/// </summary>
internal static class OnnxExternalDataIndex
{
    // Folders above the data file searched for its model, and models read per folder: a bound on work per file.
    private const int MaxFolderLevels = 2;
    private const int MaxModelsPerFolder = 16;

    // Cached model answers; the cache is dropped when full rather than managed, since one folder scan needs few.
    private const int MaxCachedModels = 256;

    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), IReadOnlyList<Reference>> s_cache = new();

    /// <summary>A tensor of a model whose data lives in <see cref="File"/>.</summary>
    public sealed record Reference(string Model, string File, string Tensor, string DType, IReadOnlyList<long> Shape, long Offset, long? Length);

    /// <summary>Every tensor of a nearby model stored in <paramref name="dataPath"/>; empty when no model references it.</summary>
    public static IReadOnlyList<Reference> ReferencesTo(string dataPath, ScanLimits limits, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(dataPath);
        string? folder = Path.GetDirectoryName(full);
        for (int level = 0; level <= MaxFolderLevels && folder is not null; level++, folder = Path.GetDirectoryName(folder))
        {
            IEnumerable<string> models;
            try
            {
                models = Directory.EnumerateFiles(folder, "*.onnx").Order(StringComparer.Ordinal).Take(MaxModelsPerFolder).ToArray();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var found = models.SelectMany(m => ReferencesOf(m, limits, cancellationToken))
                .Where(r => PathEquals(r.File, full)).ToArray();
            if (found.Length > 0)
            {
                return found;
            }
        }

        return Array.Empty<Reference>();
    }

    private static IReadOnlyList<Reference> ReferencesOf(string model, ScanLimits limits, CancellationToken cancellationToken)
    {
        var info = new FileInfo(model);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (s_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        IReadOnlyList<Reference> references;
        try
        {
            using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            references = Read(stream, info, limits, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ModelAuditException)
        {
            references = Array.Empty<Reference>();
        }

        if (s_cache.Count >= MaxCachedModels)
        {
            s_cache.Clear();
        }

        s_cache[key] = references;
        return references;
    }

    // ModelProto.graph = 7 → GraphProto.initializer = 5 → TensorProto (dims = 1, data_type = 2, name = 8,
    // external_data = 13 as key = 1 / value = 2 entries).
    private static IReadOnlyList<Reference> Read(Stream stream, FileInfo model, ScanLimits limits, CancellationToken cancellationToken)
    {
        var reader = new ProtoReader(stream, model.Length, limits.MaxProtobufNesting, cancellationToken);
        var references = new List<Reference>();
        string folder = model.DirectoryName!;
        while (reader.Next())
        {
            if (reader.Field != 7 || reader.Wire != ProtoWireType.LengthDelimited)
            {
                reader.SkipField();
                continue;
            }

            long graph = reader.BeginMessage();
            while (reader.Next())
            {
                if (reader.Field == 5 && reader.Wire == ProtoWireType.LengthDelimited)
                {
                    long tensor = reader.BeginMessage();
                    if (ReadTensor(reader, model.FullName, folder) is { } reference)
                    {
                        references.Add(reference);
                    }

                    reader.EndMessage(tensor);
                }
                else
                {
                    reader.SkipField();
                }
            }

            reader.EndMessage(graph);
        }

        return references;
    }

    private static Reference? ReadTensor(ProtoReader reader, string model, string folder)
    {
        string name = "", location = "";
        long type = 0, offset = 0;
        long? length = null;
        var dims = new List<long>();
        while (reader.Next())
        {
            switch (reader.Field, reader.Wire)
            {
                case (1, ProtoWireType.Varint) when dims.Count < 64:
                    dims.Add(reader.ReadInt64());
                    break;
                case (1, ProtoWireType.LengthDelimited):
                    long packed = reader.BeginMessage();
                    while (reader.Remaining > 0 && dims.Count < 64)
                    {
                        dims.Add(reader.ReadInt64());
                    }

                    reader.EndMessage(packed);
                    break;
                case (2, ProtoWireType.Varint):
                    type = reader.ReadInt64();
                    break;
                case (8, ProtoWireType.LengthDelimited):
                    name = reader.ReadString(4096);
                    break;
                case (13, ProtoWireType.LengthDelimited):
                    long entry = reader.BeginMessage();
                    string key = "", value = "";
                    while (reader.Next())
                    {
                        if (reader.Field is 1 or 2 && reader.Wire == ProtoWireType.LengthDelimited)
                        {
                            string s = reader.ReadString(4096);
                            (key, value) = reader.Field == 1 ? (s, value) : (key, s);
                        }
                        else
                        {
                            reader.SkipField();
                        }
                    }

                    reader.EndMessage(entry);
                    switch (key)
                    {
                        case "location":
                            location = value;
                            break;
                        case "offset" when long.TryParse(value, out long o) && o >= 0:
                            offset = o;
                            break;
                        case "length" when long.TryParse(value, out long l) && l >= 0:
                            length = l;
                            break;
                    }

                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }

        // Only locations inside the model's folder are attributed: an escaping one is the model's Critical finding.
        if (location.Length == 0 || ModelRelativePath.Classify(location) != LocationEscape.None)
        {
            return null;
        }

        string file = Path.GetFullPath(Path.Combine(folder, location.Replace('\\', Path.DirectorySeparatorChar)));
        return new Reference(model, file, name, OnnxDataTypes.Name(type), dims, offset, length ?? OnnxDataTypes.ByteSize(type, dims));
    }

    private static bool PathEquals(string a, string b) => string.Equals(a, b,
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
