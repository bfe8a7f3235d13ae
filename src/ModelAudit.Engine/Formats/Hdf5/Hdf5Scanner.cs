using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Keras;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// HDF5 files, read for the attributes of every group and dataset by our own reader (<see cref="Hdf5Tree"/>; datasets'
/// data are never read): a legacy Keras H5 model carries its architecture in the root's <c>model_config</c> attribute
/// (JSON), which goes to <see cref="KerasConfigInspector"/> with the recorded <c>keras_version</c>; every string
/// attribute goes to the analyzers, and those PyTables would unpickle to the pickle engine. HDF5 runs no code of its own, so an HDF5 file without a Keras config (v3 model.weights.h5, arrays) is data.
/// </summary>
internal sealed class Hdf5Scanner : IFormatScanner
{
    private static readonly byte[] s_signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

    // HDF5 looks for its superblock at 0, 512, 1024, 2048… (a user block in front); the head covers the first few.
    private static readonly int[] s_offsets = { 0, 512, 1024, 2048, 4096 };

    // The root attributes a Keras loader reads as configs (model_from_config, compile from training_config).
    private static readonly string[] s_configAttributes = { "model_config", "training_config" };

    public ScannerInfo Info { get; } = new("hdf5", "Hdf5", new[] { Hdf5Formats.Hdf5, KerasFormats.H5 });

    public Reading? Sniff(SniffInput input) =>
        SuperblockAddress(input.Head) is null ? null : new Reading(Hdf5Formats.Hdf5, this, ReadingStrength.Structural);

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "HDF5 file", context);
        long superblock = SuperblockAddress(input.Head) ?? throw new NotThisFormatException("no HDF5 signature where the library looks for one");
        var file = new Hdf5File(stream, superblock, context.Limits.MaxHeaderBytes, context.CancellationToken);
        ulong root = Hdf5Superblock.ReadRootAddress(file);
        foreach (Hdf5Object hdf5Object in Hdf5Tree.Walk(file, root))
        {
            foreach ((string name, string value, byte[] bytes) in hdf5Object.Attributes)
            {
                string member = hdf5Object.IsRoot ? $"attribute '{name}'" : $"{hdf5Object.Path} attribute '{name}'";
                context.Analyze(new ContentFragment(value, member, ContentKind.Metadata));
                if (PyTablesUnpickles(bytes))
                {
                    context.ScanChild(member, new MemoryStream(bytes, writable: false), bytes.Length);
                }
            }

            if (hdf5Object.IsRoot)
            {
                InspectKerasConfig(hdf5Object.Attributes, context);
            }

            if (hdf5Object.Dataset is { } dataset)
            {
                DescribeTensor(hdf5Object.Path, dataset, context);
            }
        }
    }

    // A dataset of numbers is a tensor (Keras weights, arrays). Keras stores a dense kernel as [inputs, units]: a
    // 2-D dataset named 'kernel' (Keras 2: .../dense/kernel:0) or a layer's variable (Keras 3: /layers/dense/vars/0)
    // has its output neurons in its columns.
    private static void DescribeTensor(string path, Hdf5Dataset dataset, ScanContext context)
    {
        if (dataset.Type.NumberName is not { } dtype || dataset.Shape.Any(d => d > long.MaxValue))
        {
            return;
        }

        long[] shape = dataset.Shape.Select(d => (long)d).ToArray();
        bool kernel = shape.Length == 2 && (path.Contains("/vars/", StringComparison.Ordinal)
            || path[(path.LastIndexOf('/') + 1)..].StartsWith("kernel", StringComparison.Ordinal));
        try
        {
            // Chunked data is summarised by its shape: its chunks (compressed, perhaps) are not one run in order.
            long length = dataset.Position is null ? checked(shape.Aggregate(1L, (a, d) => checked(a * d)) * dataset.Type.Size) : checked((long)dataset.Size);
            context.ReportTensor(new TensorRegion(path, dtype, shape, dataset.Position ?? 0, length) { OutputsLast = kernel }, decodable: dataset.Position is not null);
        }
        catch (OverflowException)
        {
            // A shape past 2^63 bytes describes no data the library could read.
        }
    }

    // Keras reads its configs from the root group's attributes only.
    private static void InspectKerasConfig(IReadOnlyList<(string Name, string Value, byte[] Bytes)> attributes, ScanContext context)
    {
        // The library finds an attribute by name at its first message.
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string value, _) in attributes)
        {
            byName.TryAdd(name, value);
        }

        if (!byName.ContainsKey("model_config"))
        {
            return;
        }

        context.SetFormat(KerasFormats.H5);
        KerasVersion? version = KerasVersion.Parse(byName.GetValueOrDefault("keras_version"));
        foreach (string name in s_configAttributes)
        {
            if (byName.TryGetValue(name, out string? json))
            {
                new KerasConfigInspector(version, KerasSource.H5, context, $"The H5 attribute '{name}'").Inspect(Encoding.UTF8.GetBytes(json));
            }
        }
    }

    // PyTables (pandas' HDFStore) pickles attribute values it cannot store natively and, when an attribute is read,
    // hands pickle.loads every scalar byte string that ends with '.' (except "0" and "0."): its own files carry a
    // pickled tables.filters.Filters in FILTERS. Such values are pickles a loader runs, and are scanned as pickles.
    private static bool PyTablesUnpickles(byte[] value) =>
        value.Length > 2 && value[^1] == (byte)'.' && Pickle.PickleSniffer.IsPlausible(value, headIsWhole: true);

    private static long? SuperblockAddress(byte[] head)
    {
        foreach (int offset in s_offsets)
        {
            if (head.Length >= offset + 8 && head.AsSpan(offset, 8).SequenceEqual(s_signature))
            {
                return offset;
            }
        }

        return null;
    }
}
