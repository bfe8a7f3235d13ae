using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Formats.Keras;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using PureHDF;

namespace ModelAudit.Engine.Formats.Hdf5;

/// <summary>
/// HDF5 files, read with PureHDF for the root group's attributes only (datasets are never read): a legacy Keras H5
/// model carries its architecture in the <c>model_config</c> attribute (JSON), which goes to
/// <see cref="KerasConfigInspector"/> with the recorded <c>keras_version</c>; every string attribute goes to the
/// analyzers. HDF5 runs no code of its own, so an HDF5 file without a Keras config (v3 model.weights.h5, arrays) is data.
/// </summary>
internal sealed class Hdf5Scanner : IFormatScanner
{
    private static readonly byte[] s_signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A };

    // HDF5 looks for its superblock at 0, 512, 1024, 2048… (a user block in front); the head covers the first few.
    private static readonly int[] s_offsets = { 0, 512, 1024, 2048, 4096 };

    // Keras writes a handful of root attributes; thousands are crafted, and each is a read.
    private const int MaxRootAttributes = 1024;

    // The root attributes a Keras loader reads as configs (model_from_config, compile from training_config).
    private static readonly string[] s_configAttributes = { "model_config", "training_config" };

    public ScannerInfo Info { get; } = new("hdf5", "Hdf5", new[] { Hdf5Formats.Hdf5, KerasFormats.H5 });

    public Reading? Sniff(SniffInput input)
    {
        foreach (int offset in s_offsets)
        {
            if (input.Head.Length >= offset + 8 && input.Head.AsSpan(offset, 8).SequenceEqual(s_signature))
            {
                return new Reading(Hdf5Formats.Hdf5, this, ReadingStrength.Structural);
            }
        }

        return null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        Stream stream = SeekableCopy.Of(input.Stream, "HDF5 file", context);
        Dictionary<string, string> attributes;
        try
        {
            using var file = H5File.Open(stream, leaveOpen: true);
            attributes = ReadStringAttributes(file, context, stream.Length);
        }
        catch (Exception ex) when (ex is not (ModelFormatException or ScanLimitExceededException or OperationCanceledException))
        {
            // PureHDF throws its own and .NET exceptions for damaged structures; h5py would refuse the file too.
            throw new ModelFormatException($"the HDF5 structure could not be read: {ex.Message}");
        }

        foreach ((string name, string value) in attributes)
        {
            context.Analyze(new ContentFragment(value, name, ContentKind.Metadata));
        }

        if (!attributes.TryGetValue("model_config", out _))
        {
            return;
        }

        context.SetFormat(KerasFormats.H5);
        KerasVersion? version = KerasVersion.Parse(attributes.GetValueOrDefault("keras_version"));
        foreach (string name in s_configAttributes)
        {
            if (attributes.TryGetValue(name, out string? json))
            {
                new KerasConfigInspector(version, KerasSource.H5, context, $"The H5 attribute '{name}'").Inspect(Encoding.UTF8.GetBytes(json));
            }
        }
    }

    // A string element (fixed-length, or a variable-length reference) is stored in the file: one declared longer than
    // the file is a lie that h5py refuses and PureHDF would allocate for.
    private static Dictionary<string, string> ReadStringAttributes(IH5Object root, ScanContext context, long fileLength)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int count = 0;
        foreach (IH5Attribute attribute in root.Attributes())
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (++count > MaxRootAttributes)
            {
                throw new ScanLimitExceededException(nameof(MaxRootAttributes), $"more than {MaxRootAttributes:N0} root attributes");
            }

            // Keras writes its configs as one (scalar) string; arrays of strings are weight and layer names.
            bool scalar = attribute.Space.Dimensions.Aggregate(1UL, (n, d) => checked(n * d)) == 1;
            bool text = attribute.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength;
            if (text && attribute.Type.Size > fileLength)
            {
                throw new ModelFormatException($"attribute '{attribute.Name}' declares {attribute.Type.Size:N0}-byte elements, more than the file holds");
            }

            if (!scalar || !text || (attribute.Type.Class == H5DataTypeClass.String && attribute.Type.Size > context.Limits.MaxHeaderBytes))
            {
                continue;
            }

            string value = attribute.Read<string>();
            if (value.Length > context.Limits.MaxHeaderBytes)
            {
                throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"attribute '{attribute.Name}' is longer than {context.Limits.MaxHeaderBytes:N0} characters");
            }

            values[attribute.Name] = value;
        }

        return values;
    }
}
