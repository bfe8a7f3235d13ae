using System.Buffers.Binary;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Hostile and broken inputs (peers.md §6 F): each ends in findings or a typed, reported error with a non-Clean
/// outcome where coverage is incomplete — never an exception, hang or runaway memory.
/// </summary>
public sealed class MalformedInputTests
{
    // "Anything but Clean" in the case table.
    private const ScanOutcome NotClean = (ScanOutcome)(-1);

    public static TheoryData<string, byte[], ScanOutcome> Cases() => new()
    {
        { "truncated pickle", new byte[] { 0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x8C, 0x05, (byte)'a' }, ScanOutcome.Inconclusive },
        { "BINBYTES8 longer than the file", new PickleBuilder().Proto(4).Bytes8(1L << 40, new byte[8]).Stop().ToArray(), ScanOutcome.Inconclusive },
        { "BINBYTES8 length 2^63", new PickleBuilder().Proto(4).Op(0x8E).Raw(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x80 }).Stop().ToArray(), ScanOutcome.Inconclusive },
        { "stack underflow", new PickleBuilder().Proto(2).Reduce().Stop().ToArray(), ScanOutcome.Inconclusive },
        { "invalid opcode mid-stream", new PickleBuilder().Proto(2).EmptyDict().Op(0xFF).Stop().ToArray(), ScanOutcome.Inconclusive },
        { "protocol 9", new PickleBuilder().Proto(9).EmptyDict().Stop().ToArray(), NotClean },
        { "npy with a lying header length", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", headerLengthDelta: -100), ScanOutcome.Inconclusive },
        { "npy truncated data", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }"), ScanOutcome.Inconclusive },
        { "zip end record pointing outside", ZipEndOnly(), ScanOutcome.Inconclusive },
        { "gzip header then garbage", new byte[] { 0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF }, ScanOutcome.Inconclusive },
        { "tar with a bad checksum after a good header", TarThenGarbage(), ScanOutcome.Inconclusive },
        { "lz4 frame header with no block", new byte[] { 0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, 0xA7 }, ScanOutcome.Inconclusive },
        { "lz4 match pointing before the output", new byte[] { 0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, 0xA7, 5, 0, 0, 0, 0x1F, (byte)'a', 0x40, 0, 0, 0, 0, 0 }, ScanOutcome.Inconclusive },
        { "7z signature with a broken header", new byte[] { 0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 }, ScanOutcome.Inconclusive },
    };

    private static byte[] Npy(string dict, int headerLengthDelta = 0)
    {
        byte[] header = Encoding.Latin1.GetBytes(dict.PadRight(118) + "\n");
        byte[] data = new byte[10 + header.Length + 8];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }.CopyTo(data, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)(header.Length + headerLengthDelta));
        header.CopyTo(data, 10);
        return data;
    }

    private static byte[] ZipEndOnly()
    {
        byte[] data = new byte[64];
        Encoding.Latin1.GetBytes("PK\x03\x04").CopyTo(data, 0);
        Encoding.Latin1.GetBytes("PK\x05\x06").CopyTo(data, 42);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(42 + 10), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(42 + 12), 16);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(42 + 16), 5000);
        return data;
    }

    private static byte[] TarThenGarbage()
    {
        byte[] tar = ArchiveBuilder.Tar(("a.txt", "hello"u8.ToArray()));
        byte[] data = tar[..1024].Concat(Enumerable.Repeat((byte)'Z', 512)).ToArray();
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_input_gives_its_outcome(string what, byte[] data, ScanOutcome expected)
    {
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        if (expected == NotClean)
        {
            Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
        }
        else
        {
            Assert.True(result.Outcome == expected, $"{what}: {result.Describe()}");
        }

        Assert.DoesNotContain(result.Findings, f => f.Severity == Severity.Critical);
    }

    [Fact]
    public void Mutated_fixtures_of_every_family_give_a_typed_outcome_and_a_mutated_payload_is_never_clean()
    {
        var random = new Random(20261125);
        string[] seeds = Directory.GetFiles(Scan.Fixture("benign")).Concat(Directory.GetFiles(Scan.Fixture("malicious")))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.True(seeds.Length > 100, $"{seeds.Length} fixtures");
        int payloadsKept = 0;
        foreach (string seed in seeds)
        {
            byte[] original = File.ReadAllBytes(seed);
            string name = Path.GetFileName(seed);
            bool malicious = seed.Contains($"{Path.DirectorySeparatorChar}malicious{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
            (long Start, long End)? span = malicious ? PayloadSpan(Scan.Bytes(original, name)) : null;
            for (int round = 0; round < 4; round++)
            {
                byte[] data = (byte[])original.Clone();
                long lowest = long.MaxValue;
                int flips = 1 + random.Next(8);

                // Round 3 changes only bytes after the payload's last opcode (where there are some): the loader has
                // run the call before it reads them, so whatever they become, the file must not be Clean.
                int from = round == 3 && span is { } tail && tail.End + 1 < data.Length ? (int)tail.End + 1 : 0;
                for (int k = 0; k < flips; k++)
                {
                    int at = random.Next(from, data.Length);
                    data[at] = (byte)random.Next(256);
                    lowest = Math.Min(lowest, at);
                }

                if (round == 2)
                {
                    data = data[..random.Next(1, data.Length)];
                }

                ModelScanResult result = Scan.Bytes(data, name);
                string what = $"{name} round {round}: {result.Describe()}";

                // Any bytes end in findings, never a file error. (MA9010, a scanner fault, still occurs: SharpCompress's 7z
                // reader throws IndexOutOfRangeException on a mutated torch_state_dict.7z; it stays Inconclusive.)
                Assert.NotNull(result.Format);
                Assert.True(result.Outcome != ScanOutcome.Error, what);

                // A payload whose opcodes the mutation left alone still runs on load: never Clean. Its span is known for
                // a top-level pickle (the offsets of its findings, through the end of the data the VM must read to reach
                // them); inside a container, whose offsets are the member's, any mutation may have destroyed it.
                if (span is { } s && !Touches(data.Length, lowest, s))
                {
                    payloadsKept++;
                    Assert.True(result.Outcome != ScanOutcome.Clean, what);
                }
            }
        }

        Assert.True(payloadsKept > 0, "no mutated payload stayed intact; the seed no longer tests the never-Clean rule");
    }

    // The bytes from the first opcode a finding points at to the last one of the original scan's Warning and Critical
    // findings, or null when the findings are inside a container member (offsets there are the member's).
    private static (long Start, long End)? PayloadSpan(ModelScanResult result)
    {
        var located = result.Findings.Where(f => f.Severity >= Severity.Warning && f.Member is null && f.Offset is not null).ToList();
        if (located.Count == 0 || result.Findings.Any(f => f.Severity >= Severity.Warning && f.Member is not null))
        {
            return null;
        }

        // An embedded executable (MA3160) is found by a header that runs on past the offset its finding gives, and its
        // extent is not on the finding: any change after that offset may have destroyed it.
        long end = located.Any(f => f.RuleId == "MA3160") ? long.MaxValue - 1 : located.Max(f => f.Offset!.Value);
        return (located.Min(f => f.Offset!.Value), end);
    }

    // Only bytes after the payload's last opcode are certainly harmless to it: a byte before the call can be one of its
    // operands (the module and name strings come before STACK_GLOBAL) or an opcode that swallows it; a cut at or
    // before the last opcode removes it.
    private static bool Touches(int length, long lowestChanged, (long Start, long End) span) =>
        length <= span.End || lowestChanged <= span.End;

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        // Deeper than the default MaxNestingDepth (32).
        byte[] data = PickleBuilder.Gadget("os", "system", "id");
        for (int i = 0; i < 40; i++)
        {
            data = ArchiveBuilder.Zip(("inner.zip", data));
        }

        ModelScanResult result = Scan.Bytes(data, "model.zip");
        Assert.True(result.Has("MA9007"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void A_deeply_nested_pickle_structure_does_not_overflow_the_stack()
    {
        var p = new PickleBuilder().Proto(4);
        for (int i = 0; i < 200_000; i++)
        {
            p.EmptyList();
        }

        for (int i = 0; i < 199_999; i++)
        {
            p.Append();
        }

        ModelScanResult result = Scan.Bytes(p.Stop().ToArray(), "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Memo_fan_out_stays_bounded()
    {
        var p = new PickleBuilder().Proto(4).EmptyList().Memoize();
        for (int i = 0; i < 100_000; i++)
        {
            p.Get(0).Append();
        }

        ModelScanResult result = Scan.Bytes(p.Stop().ToArray(), "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Past_the_retained_budget_arguments_keep_only_a_prefix()
    {
        var p = new PickleBuilder().Proto(4).Mark();
        byte[] chunk = Enumerable.Repeat((byte)'a', 1 << 20).ToArray();
        for (int i = 0; i < 10; i++)
        {
            p.Op('X').Int32(chunk.Length).Raw(chunk);
        }

        var limits = new Scanning.ScanLimits { MaxPickleRetainedBytes = 4 << 20 };
        var handler = new Formats.Pickle.SniffHandler();
        var machine = new Formats.Pickle.PickleMachine(new Formats.Pickle.PickleReader(new MemoryStream(p.Tuple().Stop().ToArray())), handler, limits, CancellationToken.None);
        var tuple = machine.Run();
        Assert.Equal(10, tuple.Items!.Count);
        Assert.All(tuple.Items.Take(4), v => Assert.False(v.IsPartial));
        Assert.All(tuple.Items.Skip(4), v => Assert.True(v.IsPartial && v.AsString!.Length <= 4096 && v.Length == 1 << 20));
        Assert.Equal(64, tuple.Items[^1].AsString!.Length);
    }
}
