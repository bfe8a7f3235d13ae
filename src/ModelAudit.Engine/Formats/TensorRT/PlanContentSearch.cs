using System.Text;
using System.Text.RegularExpressions;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Formats.TensorRT;

/// <summary>
/// One forward pass over a plan in bounded windows: executable headers (ELF, PE, Mach-O) and the plugin and library
/// names the plan stores as text. Memory is one window whatever the plan's size, the stream is only read forward
/// (an archive member works as well as a file), and a window keeps the last <see cref="Overlap"/> bytes of the one
/// before it, so a magic number, a header or a name split across two reads is still seen whole, once.
/// </summary>
internal static partial class PlanContentSearch
{
    /// <summary>The default window: large enough that the search runs at read speed.</summary>
    public const int DefaultChunkSize = 1 << 20;

    // Printable runs longer than this are text blobs (kernel source, JSON), not a name the plan stores.
    private const int MaxRun = 512;

    /// <summary>Bytes each window carries into the next: a probe's reach, which also holds any run kept whole.</summary>
    public const int Overlap = NativeImageProbe.Reach;

    // Printable ASCII, what a name stored as text is made of.
    private const byte PrintableFirst = 0x20;
    private const byte PrintableLast = 0x7E;

    // Images listed one by one; a plan with more is already Critical, and the rest are counted.
    private const int MaxListedImages = 32;

    // Distinct names kept per kind; the count of the rest is reported.
    private const int MaxNames = 32;

    // The first byte of every magic the probe recognises: ELF, MZ, Mach-O (both byte orders).
    private static readonly byte[][] s_magics =
    {
        new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' },
        "MZ"u8.ToArray(),
        new byte[] { 0xCE, 0xFA, 0xED, 0xFE },
        new byte[] { 0xCF, 0xFA, 0xED, 0xFE },
        new byte[] { 0xFE, 0xED, 0xFA, 0xCE },
        new byte[] { 0xFE, 0xED, 0xFA, 0xCF },
    };

    // What every name the search reports contains: plugin names end in _TRT, library names in a library suffix.
    private static readonly byte[][] s_anchors = { "_TRT"u8.ToArray(), ".so"u8.ToArray(), ".dll"u8.ToArray(), ".dylib"u8.ToArray() };

    /// <summary>Searches <paramref name="stream"/> from its position to its end; <paramref name="origin"/> is the
    /// absolute offset of that position, for the offsets reported.</summary>
    public static PlanContents Search(Stream stream, long origin, CancellationToken cancellationToken, int chunkSize = DefaultChunkSize)
    {
        var found = new PlanContents();
        byte[] buffer = new byte[chunkSize + Overlap];
        int filled = 0;
        long bufferStart = origin;
        var libraries = new List<(long Start, long End)>();
        bool previousPrintable = false;
        bool end = false;
        while (!end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = stream.ReadAtMost(buffer.AsSpan(filled));
            end = filled + read < buffer.Length;
            filled += read;

            // Positions below `owned` belong to this window; the rest is carried so what starts there is seen whole.
            int owned = end ? filled : filled - Overlap;
            ReadOnlySpan<byte> window = buffer.AsSpan(0, filled);
            libraries.RemoveAll(r => r.End <= bufferStart);
            FindImages(window, owned, bufferStart, libraries, found);
            FindNames(window, owned, bufferStart, libraries, previousPrintable, found);
            if (owned > 0)
            {
                previousPrintable = IsPrintable(buffer[owned - 1]);
            }

            Buffer.BlockCopy(buffer, owned, buffer, 0, filled - owned);
            filled -= owned;
            bufferStart += owned;
        }

        return found;
    }

    /// <summary>Probes every magic that starts in the owned part, in offset order, and adds each host image's extent
    /// to <paramref name="libraries"/>: nothing inside a reported library is searched again (its own strings and
    /// nested images are part of it). The extents are disjoint and in offset order.</summary>
    private static void FindImages(ReadOnlySpan<byte> window, int owned, long bufferStart, List<(long Start, long End)> libraries, PlanContents found)
    {
        long skipUntil = libraries.Count > 0 ? libraries[^1].End : long.MinValue;
        var hits = new List<int>();
        foreach (byte[] magic in s_magics)
        {
            for (int at = 0; at < owned;)
            {
                int hit = window[at..].IndexOf(magic);
                if (hit < 0 || at + hit >= owned)
                {
                    break;
                }

                hits.Add(at + hit);
                at += hit + 1;
            }
        }

        hits.Sort();
        foreach (int at in hits)
        {
            long offset = bufferStart + at;
            if (offset < skipUntil || NativeImageProbe.At(window.Slice(at, Math.Min(window.Length - at, NativeImageProbe.Reach)), offset) is not { } image)
            {
                continue;
            }

            if (image.IsDeviceCode)
            {
                // Not skipped: a forged cubin header claiming a large extent must not hide a host library after it.
                found.DeviceImageCount++;
                continue;
            }

            found.HostImageCount++;
            if (found.HostImages.Count < MaxListedImages)
            {
                found.HostImages.Add(image);
            }

            skipUntil = image.Size is { } size ? offset + size : offset + 1;
            libraries.Add((offset, skipUntil));
        }
    }

    /// <summary>Classifies the printable runs that hold a name's anchor ("_TRT", ".so", ".dll", ".dylib") and start in
    /// the owned part. Anchors are found with vectorized searches and each run is walked once, so random weights
    /// (a printable run every few bytes) cost no more than the searches.</summary>
    private static void FindNames(ReadOnlySpan<byte> window, int owned, long bufferStart, List<(long Start, long End)> libraries, bool previousPrintable, PlanContents found)
    {
        var hits = new List<int>();
        foreach (byte[] anchor in s_anchors)
        {
            for (int at = 0; at < window.Length;)
            {
                int hit = window[at..].IndexOf(anchor);
                if (hit < 0)
                {
                    break;
                }

                hits.Add(at + hit);
                at += hit + anchor.Length;
            }
        }

        hits.Sort();
        int library = 0;
        int runEnd = 0;
        foreach (int hit in hits)
        {
            if (hit < runEnd)
            {
                // Another anchor of the run just classified.
                continue;
            }

            int start = window[..hit].LastIndexOfAnyExceptInRange(PrintableFirst, PrintableLast) + 1;
            int after = window[hit..].IndexOfAnyExceptInRange(PrintableFirst, PrintableLast);
            runEnd = after < 0 ? window.Length : hit + after;

            // A run the previous window's last byte continues was read there; one starting past the owned part is
            // the next window's; a run longer than a name is a text blob.
            if (start == 0 && previousPrintable || start >= owned || runEnd - start > MaxRun)
            {
                continue;
            }

            // Runs come in offset order, so the libraries before this run are passed for good.
            long offset = bufferStart + start;
            while (library < libraries.Count && libraries[library].End <= offset)
            {
                library++;
            }

            if (library < libraries.Count && libraries[library].Start <= offset)
            {
                continue;
            }

            Classify(window[start..runEnd], offset, found);
        }
    }

    private static void Classify(ReadOnlySpan<byte> run, long offset, PlanContents found)
    {
        bool plugin = run.IndexOf("_TRT"u8) >= 0;
        bool library = run.IndexOf(".so"u8) >= 0 || run.IndexOf(".dll"u8) >= 0 || run.IndexOf(".dylib"u8) >= 0;
        if (!plugin && !library)
        {
            return;
        }

        string text = Encoding.ASCII.GetString(run);
        if (plugin)
        {
            foreach (Match match in PluginName().Matches(text))
            {
                Keep(found.PluginNames, match.Value, offset + match.Index, () => found.PluginNamesNotKept++);
            }
        }

        if (library)
        {
            foreach (Match match in LibraryName().Matches(text))
            {
                Keep(found.LibraryNames, match.Value, offset + match.Index, () => found.LibraryNamesNotKept++);
            }
        }
    }

    private static void Keep(SortedDictionary<string, long> names, string name, long offset, Action dropped)
    {
        if (names.ContainsKey(name))
        {
            return;
        }

        if (names.Count < MaxNames)
        {
            names.Add(name, offset);
        }
        else
        {
            dropped();
        }
    }

    private static bool IsPrintable(byte b) => b is >= PrintableFirst and <= PrintableLast;

    // NVIDIA's plugins are named <Name>_TRT (EfficientNMS_TRT, BatchedNMS_TRT), and so are most third-party ones. At
    // least two characters before "_TRT": a single letter and "_TRT" already occur only about once per 30 GiB of
    // random weights.
    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9_]{1,62}_TRT(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex PluginName();

    // A shared library file name, with or without a path: libfoo.so, libfoo.so.10, /opt/x/libfoo.so, C:\x\foo.dll,
    // libfoo.dylib. A .so must be lib-prefixed (what the build tools name a library) and a .dll or .dylib at least four
    // characters before the dot: bare "x.so" strings turn up in random weights (15 per GiB), these practically never.
    [GeneratedRegex(@"(?<![A-Za-z0-9_.\-/\\~+])(?:[A-Za-z]:)?(?:[A-Za-z0-9_.\-~+]*[/\\])*(?:lib[A-Za-z0-9_+\-.]+\.so(?:\.[0-9]+)*|[A-Za-z][A-Za-z0-9_+\-.]{3,}\.(?:dll|dylib))(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex LibraryName();
}
