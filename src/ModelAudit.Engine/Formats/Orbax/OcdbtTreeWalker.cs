using System.Text;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>
/// Walks the B+tree of one OCDBT version from its root node through the data files beside the manifest: every node's
/// envelope and checksum, every reference against its data file's size and against the checkpoint folder, and every
/// value's first bytes. A value that is a pickle is scanned; zarr metadata values go to <see cref="OrbaxMetadata"/>.
/// Array chunks are not read beyond their first two bytes.
/// </summary>
internal sealed class OcdbtTreeWalker : IDisposable
{
    // A B+tree of a few million keys with 8 MiB nodes is four or five levels high; far more is a loop or a lie.
    private const int MaxHeight = 32;

    // Nodes and node bytes read for one manifest: a real checkpoint's tree is far smaller than its arrays, so this
    // bounds what a manifest whose children all point at one large node can make the scan read.
    private const int MaxNodes = 1_000_000;
    private const long MaxNodeBytes = 4L << 30;

    // zarr metadata values are a few hundred bytes; larger ones are not read into memory.
    private const int MaxMetadataValueBytes = 1 << 20;

    // Data files kept open at once; more are closed and reopened as needed.
    private const int MaxOpenFiles = 64;

    private readonly string _root;
    private readonly ScanContext _context;
    private readonly Dictionary<string, FileStream?> _files = new(StringComparer.Ordinal);
    private int _nodes;
    private long _nodeBytes;

    public OcdbtTreeWalker(string root, ScanContext context)
    {
        _root = root;
        _context = context;
    }

    public void Walk(OcdbtDataFileRef file, OcdbtVersionRef root)
    {
        if (root.RootHeight > MaxHeight)
        {
            throw new ScanLimitExceededException("OCDBT tree height", $"The B+tree root of generation {root.Generation} has height {root.RootHeight}, more than {MaxHeight}.");
        }

        Node("", file, root.Offset, root.Length, root.RootHeight, "");
    }

    public void Dispose()
    {
        foreach (FileStream? stream in _files.Values)
        {
            stream?.Dispose();
        }

        _files.Clear();
    }

    private void Node(string transitive, OcdbtDataFileRef file, ulong offset, ulong length, int height, string keyPrefix)
    {
        _context.CancellationToken.ThrowIfCancellationRequested();
        string path = transitive + file.BasePath + file.RelativePath;
        if (Open(path, offset, length, "a B+tree node") is not { } stream)
        {
            return;
        }

        if (++_nodes > MaxNodes || (_nodeBytes += (long)length) > MaxNodeBytes)
        {
            throw new ScanLimitExceededException("OCDBT tree size", $"The B+tree has more than {MaxNodes:N0} nodes or {MaxNodeBytes:N0} bytes of them.");
        }

        if (length > OcdbtEnvelope.MaxEnvelopeBytes)
        {
            throw new ScanLimitExceededException("OCDBT envelope size", $"A B+tree node in '{path}' is {length:N0} bytes, more than {OcdbtEnvelope.MaxEnvelopeBytes:N0}.");
        }

        byte[] bytes = new byte[(int)length];
        stream.Position = (long)offset;
        stream.ReadExactly(bytes);
        string what = $"'{path}' at {offset:N0}";
        if (OcdbtEnvelope.Open(bytes, (long)length, OcdbtEnvelope.BtreeNodeMagic, (long)offset, what, _context) is not { } body)
        {
            return;
        }

        try
        {
            int found = body.Byte();
            if (found != height)
            {
                throw new ModelFormatException($"The node has height {found}; its parent says {height}.", body.Offset);
            }

            IReadOnlyList<OcdbtDataFileRef> table = OcdbtDataFileTable.Read(body);
            string childTransitive = transitive + file.BasePath;
            if (height == 0)
            {
                Leaf(body, table, childTransitive, keyPrefix);
            }
            else
            {
                Interior(body, table, childTransitive, keyPrefix, height);
            }
        }
        catch (ModelFormatException ex)
        {
            _context.Report(RuleIds.OcdbtHeaderInvalid, $"The B+tree node {what} does not decode as OCDBT: {ex.Message}", ex.Offset, path);
        }
    }

    private void Leaf(OcdbtCursor body, IReadOnlyList<OcdbtDataFileRef> table, string transitive, string keyPrefix)
    {
        // A key suffix length, a value length and a value kind at the least.
        int count = body.Count(3, "The leaf node");
        string[] keys = Keys(body, count, null);
        var lengths = new ulong[count];
        var indirect = new bool[count];
        for (int i = 0; i < count; i++)
        {
            lengths[i] = body.Varint();
        }

        for (int i = 0; i < count; i++)
        {
            ulong kind = body.Varint();
            indirect[i] = kind switch
            {
                0 => false,
                1 => true,
                _ => throw new ModelFormatException($"Value kind {kind} is neither inline (0) nor out-of-line (1).", body.Offset),
            };
        }

        int indirectCount = indirect.Count(x => x);
        var files = new int[indirectCount];
        var offsets = new ulong[indirectCount];
        for (int k = 0; k < indirectCount; k++)
        {
            files[k] = OcdbtManifest.DataFile(body, table.Count);
        }

        for (int k = 0; k < indirectCount; k++)
        {
            offsets[k] = body.Varint();
        }

        var inline = new List<(string Key, byte[] Value)>();
        for (int i = 0; i < count; i++)
        {
            if (!indirect[i])
            {
                inline.Add((keyPrefix + keys[i], body.Bytes(body.Length(lengths[i], $"The value of '{keys[i]}'")).ToArray()));
            }
        }

        if (!body.AtEnd)
        {
            throw new ModelFormatException($"{body.Remaining:N0} bytes follow the leaf's values.", body.Offset);
        }

        foreach ((string key, byte[] value) in inline)
        {
            Value(key, new MemoryStream(value, writable: false), value.Length);
        }

        for (int i = 0, k = 0; i < count; i++)
        {
            if (indirect[i])
            {
                OcdbtDataFileRef file = table[files[k]];
                IndirectValue(keyPrefix + keys[i], transitive + file.BasePath + file.RelativePath, offsets[k], lengths[i]);
                k++;
            }
        }
    }

    private void Interior(OcdbtCursor body, IReadOnlyList<OcdbtDataFileRef> table, string transitive, string keyPrefix, int height)
    {
        // Nine varints per child at the least.
        int count = body.Count(9, "The interior node");
        var common = new int[count];
        string[] keys = Keys(body, count, common);
        var files = new int[count];
        var offsets = new ulong[count];
        var lengths = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            files[i] = OcdbtManifest.DataFile(body, table.Count);
        }

        for (int i = 0; i < count; i++)
        {
            offsets[i] = body.Varint();
        }

        for (int i = 0; i < count; i++)
        {
            lengths[i] = body.Varint();
        }

        for (int i = 0; i < 3 * count; i++)
        {
            body.Varint(); // num_keys, num_tree_bytes, num_indirect_value_bytes
        }

        if (!body.AtEnd)
        {
            throw new ModelFormatException($"{body.Remaining:N0} bytes follow the interior node's entries.", body.Offset);
        }

        for (int i = 0; i < count; i++)
        {
            string prefix = keyPrefix + keys[i][..Math.Min(common[i], keys[i].Length)];
            Node(transitive, table[files[i]], offsets[i], lengths[i], height - 1, prefix);
        }
    }

    // The prefix-compressed relative keys of a node; an interior node has its subtree common prefix lengths between
    // the suffix lengths and the suffixes.
    private static string[] Keys(OcdbtCursor body, int count, int[]? common)
    {
        var prefix = new int[count];
        var suffix = new int[count];
        for (int i = 1; i < count; i++)
        {
            prefix[i] = body.Length(body.Varint(), "A shared key prefix");
        }

        for (int i = 0; i < count; i++)
        {
            suffix[i] = body.Length(body.Varint(), "A key suffix");
        }

        if (common is not null)
        {
            for (int i = 0; i < count; i++)
            {
                common[i] = (int)Math.Min(body.Varint(), int.MaxValue);
            }
        }

        var keys = new string[count];
        byte[] previous = Array.Empty<byte>();
        for (int i = 0; i < count; i++)
        {
            if (prefix[i] > previous.Length)
            {
                throw new ModelFormatException($"Key {i} shares {prefix[i]:N0} bytes with a {previous.Length:N0}-byte key before it.", body.Offset);
            }

            byte[] key = new byte[prefix[i] + suffix[i]];
            previous.AsSpan(0, prefix[i]).CopyTo(key);
            body.Bytes(suffix[i]).CopyTo(key.AsSpan(prefix[i]));
            keys[i] = Encoding.UTF8.GetString(key);
            previous = key;
        }

        return keys;
    }

    private void IndirectValue(string key, string path, ulong offset, ulong length)
    {
        if (Open(path, offset, length, $"the value of '{key}'") is not { } stream)
        {
            return;
        }

        Value(key, new WindowStream(stream, (long)offset, (long)length), (long)length);
    }

    // A value is array bytes unless it is zarr metadata (JSON, checked) or starts like a pickle (PROTO 2-5, scanned).
    private void Value(string key, Stream value, long length)
    {
        Span<byte> head = stackalloc byte[2];
        int n = value.ReadAtMost(head);
        value.Position = 0;
        if (n == 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5)
        {
            _context.Report(RuleIds.OrbaxPicklePayload, $"The value of OCDBT key '{key}' is a pickle; it was scanned.", null, key);
            _context.ScanChild(key, value, length);
        }
        else if (OrbaxMetadata.IsZarrMetadataKey(key) && length <= MaxMetadataValueBytes)
        {
            byte[] json = new byte[length];
            value.ReadExactly(json);
            OrbaxMetadata.CheckValue(json, key, _context);
        }
    }

    // The data file at a path relative to the checkpoint folder, when the path stays inside it, the file is there and
    // [offset, offset + length) lies within it; otherwise the reason is reported and null returned.
    private FileStream? Open(string path, ulong offset, ulong length, string what)
    {
        if (ModelRelativePath.Classify(path) != LocationEscape.None || path.Length == 0)
        {
            _context.Report(RuleIds.OcdbtReferenceInvalid, $"The data file of {what}, '{path}', is absolute or leaves the checkpoint folder; it was not read.", null, path);
            return null;
        }

        if (!_files.TryGetValue(path, out FileStream? stream))
        {
            if (_files.Count >= MaxOpenFiles)
            {
                Dispose();
            }

            string full = Path.Combine(_root, path.Replace('/', Path.DirectorySeparatorChar));
            stream = File.Exists(full) ? new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12) : null;
            _files[path] = stream;
        }

        if (stream is null)
        {
            _context.Report(RuleIds.OcdbtReferenceInvalid, $"The data file of {what}, '{path}', is not in the checkpoint folder.", null, path);
            return null;
        }

        if (offset > (ulong)stream.Length || length > (ulong)stream.Length - offset)
        {
            _context.Report(RuleIds.OcdbtReferenceInvalid,
                $"{char.ToUpperInvariant(what[0])}{what[1..]} is bytes {offset:N0} to {offset + Math.Min(length, ulong.MaxValue - offset):N0} of '{path}', which has {stream.Length:N0}.", (long)Math.Min(offset, long.MaxValue), path);
            return null;
        }

        return stream;
    }
}
