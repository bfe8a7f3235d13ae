using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Formats.Hdf5;
using ModelAudit.Engine.Tests.Fuzzing;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Dense link and attribute storage (a fractal heap indexed by a v2 B-tree) on files h5py wrote
/// (tests/fixtures/generate_hdf5_dense.py): every link and attribute reached, a pickle in a dense attribute critical,
/// and each structure of the heap and the index broken in the real bytes with the outcome it gives, never Clean.
/// </summary>
public sealed class Hdf5DenseTests
{
    private const string KerasLinks = "benign/hdf5_dense_links_keras.h5";
    private const string DenseAttributes = "benign/hdf5_dense_attributes.h5";
    private const string LargeLinks = "benign/hdf5_dense_links_large.h5";
    private const string PickleAttribute = "malicious/hdf5_dense_attribute_pickle.h5";

    // Offsets in a fractal heap header with 8-byte offsets and lengths (specification III.G): the I/O filters'
    // encoded length, the maximum heap size in bits, the root block's address and the root indirect block's rows.
    private const int FiltersLengthField = 7;
    private const int MaxHeapBitsField = 128;
    private const int RootBlockField = 132;
    private const int RootRowsField = 140;
    private const int WidthField = 110;
    private const int HeapHeaderBytes = 146;
    private const int TreeHeaderBytes = 38;

    // Offsets in a v2 B-tree header: the record size, the depth, the root node's address and its record count.
    private const int TreeRecordSizeField = 10;
    private const int TreeDepthField = 12;
    private const int TreeRootField = 16;
    private const int TreeRootRecordsField = 24;

    [Theory]
    [InlineData(KerasLinks)]
    [InlineData(DenseAttributes)]
    [InlineData(LargeLinks)]
    public void A_benign_dense_file_is_clean(string fixture)
    {
        ModelScanResult result = Scan.File(Scan.Fixture(fixture));
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "Hdf5", result.Describe());
    }

    [Fact]
    public void Every_dataset_of_a_dense_keras_group_is_reached()
    {
        // 20 datasets, each a tensor of weight analysis, each with its own attribute, under a group past 8 links.
        ModelScanResult result = Scan.File(Scan.Fixture(KerasLinks));
        Assert.Equal(20, result.TensorCount);
        List<Hdf5Object> objects = Walk(KerasLinks);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"/model_weights/dense/kernel_{i:00}"), objects.Where(o => o.Dataset is not null).Select(o => o.Path).Order(StringComparer.Ordinal));
        Assert.All(objects.Where(o => o.Dataset is not null), o => Assert.Equal($"weight {o.Path[^2..].TrimStart('0').PadLeft(1, '0')}", Assert.Single(o.Attributes).Value));
    }

    [Fact]
    public void Every_dense_attribute_and_link_tracked_in_creation_order_is_read()
    {
        List<Hdf5Object> objects = Walk(DenseAttributes);
        Hdf5Object config = Assert.Single(objects, o => o.Path == "/config");
        Assert.Equal(Enumerable.Range(0, 12).Select(i => ($"key_{i:00}", $"value {i}")), config.Attributes.Select(a => (a.Name, a.Value)).Order());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"/config/child_{i}"), objects.Select(o => o.Path).Where(p => p.StartsWith("/config/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Hundreds_of_dense_links_through_an_indirect_block_are_all_reached()
    {
        // The heap has a root indirect block over many direct blocks, and the name index an internal node.
        byte[] file = System.IO.File.ReadAllBytes(Scan.Fixture(LargeLinks));
        Assert.True(Occurrences(file, "FHIB").Count >= 1 && Occurrences(file, "BTIN").Count >= 1 && Occurrences(file, "FHDB").Count > 1);
        List<Hdf5Object> objects = Walk(LargeLinks);
        Assert.Equal(602, objects.Count); // the root, /many and its 600 groups
        Assert.Equal(600, objects.Count(o => o.Path.StartsWith("/many/group_with_a_longer_name_", StringComparison.Ordinal)));
        Assert.Equal("reached", Assert.Single(objects, o => o.Path == "/many/group_with_a_longer_name_0599").Attributes.Single().Value);
    }

    [Fact]
    public void A_pickle_in_a_dense_attribute_is_critical()
    {
        ModelScanResult result = Scan.File(Scan.Fixture(PickleAttribute));
        Assert.True(result.Findings.Any(f => f.RuleId == "MA1001" && f.Severity == Severity.Critical && f.Member == "/frame attribute 'hook'"), result.Describe());
        Assert.Equal(12, Assert.Single(Walk(PickleAttribute), o => o.Path == "/frame").Attributes.Count);
    }

    [Theory]
    [InlineData("FRHP", "no FRHP signature")]
    [InlineData("FHDB", "no FHDB signature")]
    [InlineData("FHIB", "no FHIB signature")]
    [InlineData("BTHD", "no BTHD signature")]
    [InlineData("BTIN", "is not a version 0 BTIN node")]
    [InlineData("BTLF", "is not a version 0 BTLF node")]
    public void A_dense_structure_without_its_signature_is_a_parse_error(string signature, string message)
    {
        byte[] file = LargeFile();
        file[At(file, signature)] ^= 0x20;
        AssertInconclusive(file, "MA9001", message);
    }

    [Fact]
    public void A_heap_root_block_past_the_file_is_a_parse_error()
    {
        byte[] file = LargeFile();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(At(file, "FRHP") + RootBlockField), 1UL << 40);
        ResealHeapHeader(file);
        AssertInconclusive(file, "MA9001", "past the end");
    }

    [Fact]
    public void A_name_index_root_past_the_file_is_a_parse_error()
    {
        byte[] file = LargeFile();
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(At(file, "BTHD") + TreeRootField), 1UL << 40);
        ResealTreeHeader(file);
        AssertInconclusive(file, "MA9001", "past the end");
    }

    [Fact]
    public void An_indirect_block_that_points_to_itself_is_a_loop()
    {
        byte[] file = LargeFile();
        int indirect = At(file, "FHIB");
        ulong address = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(At(file, "FRHP") + RootBlockField));
        Assert.Equal((ulong)indirect, address); // no user block: addresses are file positions

        // The first child entry follows the signature, version, heap header address and a 4-byte block offset.
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(indirect + 4 + 1 + 8 + 4), address);
        ResealRootIndirectBlock(file);
        AssertInconclusive(file, "MA9001", "form a loop");
    }

    [Fact]
    public void A_name_index_node_that_points_to_itself_is_a_loop()
    {
        // The root (an internal node) lists its records, then its children: the first child pointed back at it.
        byte[] file = LargeFile();
        int tree = At(file, "BTHD");
        int root = At(file, "BTIN");
        Assert.Equal((ulong)root, BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(tree + TreeRootField)));
        int recordSize = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(tree + TreeRecordSizeField));
        int records = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(tree + TreeRootRecordsField));
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(root + 6 + (records * recordSize)), (ulong)root);
        ResealRootNode(file);
        AssertInconclusive(file, "MA9001", "form a loop");
    }

    [Fact]
    public void A_filtered_heap_is_reported_not_guessed()
    {
        // A filtered header has more fields before its checksum: the filter is refused before the checksum is read.
        byte[] file = KerasFile();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(At(file, "FRHP") + FiltersLengthField), 16);
        AssertInconclusive(file, "MA9001", "filtered (compressed)");
    }

    [Fact]
    public void A_heap_address_space_past_64_bits_is_a_parse_error()
    {
        byte[] file = KerasFile();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(At(file, "FRHP") + MaxHeapBitsField), 200);
        ResealHeapHeader(file);
        AssertInconclusive(file, "MA9001", "does not allow");
    }

    [Fact]
    public void A_root_indirect_block_of_more_rows_than_the_heap_holds_is_a_parse_error()
    {
        byte[] file = LargeFile();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(At(file, "FRHP") + RootRowsField), 60);
        ResealHeapHeader(file);
        AssertInconclusive(file, "MA9001", "more than its");
    }

    [Theory]
    [InlineData(0x10, "huge object")] // type 1: stored through the heap's own B-tree, not read
    [InlineData(0x25, "link message")] // type 2, tiny: 6 bytes inline in the ID, read as a link message they are not
    [InlineData(0x30, "type 3")] // a type the format does not define
    [InlineData(0x40, "version 1")]
    public void A_heap_ID_other_than_a_managed_object_is_reported_never_passed(byte flags, string message)
    {
        // The first record of the only leaf: the name's hash (4), then the heap ID, whose first byte says its type.
        byte[] file = KerasFile();
        file[At(file, "BTLF") + 6 + 4] = flags;
        ResealRootNode(file);
        AssertInconclusive(file, "MA9001", message);
    }

    [Theory]
    [InlineData(Hdf5CreationOrderIndex.AttributeRecords, 0)] // /config's attributes: the record begins with the heap ID
    [InlineData(Hdf5CreationOrderIndex.LinkRecords, 8)] // /config's links: an 8-byte creation order, then the heap ID
    public void A_creation_order_index_that_disagrees_with_the_name_index_is_a_parse_error(byte type, int idOffset)
    {
        // track_order=True: /config's links and attributes each have a name index and a creation order index. One
        // heap ID of the latter (its first offset byte) moved by one: the indexes disagree.
        byte[] file = System.IO.File.ReadAllBytes(Scan.Fixture(DenseAttributes));
        int tree = Occurrences(file, "BTHD").Single(at => file[at + 5] == type);
        int root = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(tree + TreeRootField));
        file[root + 6 + idOffset + 1]++;
        ResealRootNode(file, tree);
        AssertInconclusive(file, "MA9001", "does not name the objects its name index does");
    }

    [Fact]
    public void A_name_index_deeper_than_the_bound_is_a_limit()
    {
        byte[] file = KerasFile();
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(At(file, "BTHD") + TreeDepthField), Hdf5BTree2.MaxDepth + 1);
        ResealTreeHeader(file);
        AssertInconclusive(file, "MA9002", "levels deep");
    }

    [Fact]
    public void A_heap_of_more_blocks_than_the_bound_is_a_limit()
    {
        // A root indirect block of 4 rows of 32,768 direct blocks (512, 512, 1,024 and 2,048 bytes), the first
        // MaxBlocks of them present: with the root, one block more than the bound. The direct blocks' headers lie
        // 24 bytes apart (their bodies overlap in the file, which nothing in the heap's own offsets shows).
        const int width = 1 << 15;
        const int rows = 4;
        const int directStride = 24;
        int blocks = Hdf5FractalHeap.MaxBlocks;
        ulong heapAt = Hdf5Builder.BlobAddress;
        int indirect = 152;
        int entries = rows * width;
        int direct = Hdf5Builder.Padded(indirect + 4 + 1 + 8 + 4 + (entries * 8) + 4);
        byte[] blob = new byte[direct + (blocks * directStride) + 2048];

        "FRHP"u8.CopyTo(blob);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(5), 7); // heap ID length
        BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(10), 4096); // maximum managed object size
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(WidthField), width);
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(WidthField + 2), 512); // starting block size
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(WidthField + 10), 2048); // maximum direct block size
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(MaxHeapBitsField), 32);
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(RootBlockField), heapAt + (ulong)indirect);
        BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(RootRowsField), rows);
        Reseal(blob, 0, HeapHeaderBytes - 4);

        "FHIB"u8.CopyTo(blob.AsSpan(indirect));
        BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(indirect + 5), heapAt);
        ulong offset = 0;
        for (int k = 0; k < entries; k++)
        {
            ulong rowSize = k / width < 2 ? 512UL : 512UL << ((k / width) - 1);
            int entry = indirect + 4 + 1 + 8 + 4 + (k * 8);
            if (k < blocks)
            {
                int at = direct + (k * directStride);
                BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(entry), heapAt + (ulong)at);
                "FHDB"u8.CopyTo(blob.AsSpan(at));
                BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(at + 5), heapAt);
                BinaryPrimitives.WriteUInt32LittleEndian(blob.AsSpan(at + 13), (uint)offset);
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(entry), Hdf5Builder.Undefined);
            }

            offset += rowSize;
        }

        Reseal(blob, indirect, indirect + 4 + 1 + 8 + 4 + (entries * 8));
        byte[] file = Hdf5Builder.File(2, Hdf5Builder.V2Header(new[] { Hdf5Builder.LinkInfo(heapAt) }), blob);
        ModelScanResult result = Scan.Bytes(file, "model.h5");
        Assert.True(result.Outcome == ScanOutcome.Inconclusive, result.Describe());
        Assert.True(result.Findings.Any(f => f.RuleId == "MA9002" && f.Message.Contains($"more than {Hdf5FractalHeap.MaxBlocks:N0} blocks", StringComparison.Ordinal)), result.Describe());
    }

    [Fact]
    public void A_broken_dense_attribute_index_still_reports_the_header_attributes_first()
    {
        // /frame's pickle is among its dense attributes; with the index broken, the walk ends Inconclusive, never
        // Clean, and the root's header attributes were still read.
        byte[] file = System.IO.File.ReadAllBytes(Scan.Fixture(PickleAttribute));
        file[At(file, "BTHD")] ^= 0x20;
        AssertInconclusive(file, "MA9001", "no BTHD signature");
    }

    [Fact]
    public void Every_byte_of_a_dense_heap_and_index_overwritten_ends_in_findings_or_a_typed_error()
    {
        // Each byte of the heap header, its direct block's header and the index (header and leaf) of the pickle
        // file, set to all bits, none, and the top bit: never an untyped error, never Clean without the pickle seen.
        byte[] original = System.IO.File.ReadAllBytes(Scan.Fixture(PickleAttribute));
        var ranges = new[] { ("FRHP", 146), ("FHDB", 32), ("BTHD", 38), ("BTLF", 64) };
        foreach ((string signature, int length) in ranges)
        {
            int start = At(original, signature);
            for (int i = start; i < start + length && i < original.Length; i++)
            {
                foreach (byte value in new byte[] { 0xFF, 0x00, 0x80 })
                {
                    byte[] damaged = (byte[])original.Clone();
                    damaged[i] = value;
                    ModelScanResult result = Scan.Bytes(damaged, "model.h5");
                    Assert.False(result.Has("MA9010"), $"{signature}+{i - start} = 0x{value:X2}: {result.Describe()}");
                    Assert.True(result.Outcome != ScanOutcome.Clean, $"{signature}+{i - start} = 0x{value:X2}: {result.Describe()}");
                }
            }
        }
    }

    [Theory]
    [InlineData("FRHP", 20)] // the heap header's free-space manager address
    [InlineData("BTHD", 30)] // the tree header's total record count
    [InlineData("BTLF", 7)] // a record's name hash
    public void A_checksum_mismatch_is_a_parse_error(string signature, int at)
    {
        // Bytes the walk would read past unharmed: only the checksum, which the library verifies, says they changed.
        byte[] file = KerasFile();
        file[At(file, signature) + at] ^= 0x01;
        AssertInconclusive(file, "MA9001", "the library refuses it");
    }

    // A structure changed on purpose gets its checksum recomputed, so the check under test is the one that fires.
    private static void Reseal(byte[] file, int start, int checksumAt) =>
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(checksumAt), Hdf5Checksum.Lookup3(file.AsSpan(start, checksumAt - start)));

    private static void ResealHeapHeader(byte[] file) => Reseal(file, At(file, "FRHP"), At(file, "FRHP") + HeapHeaderBytes - 4);

    private static void ResealTreeHeader(byte[] file) => Reseal(file, At(file, "BTHD"), At(file, "BTHD") + TreeHeaderBytes - 4);

    // The tree's root node (a leaf in the Keras file, an internal node in the large one): its records, then for an
    // internal node of depth 1 a child pointer per record and one more (an address, a record count).
    private static void ResealRootNode(byte[] file) => ResealRootNode(file, At(file, "BTHD"));

    private static void ResealRootNode(byte[] file, int tree)
    {
        uint nodeSize = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(tree + 6));
        int recordSize = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(tree + TreeRecordSizeField));
        int depth = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(tree + TreeDepthField));
        int records = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(tree + TreeRootRecordsField));
        int root = (int)BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(tree + TreeRootField));
        Assert.True(depth <= 1);
        int pointers = depth == 0 ? 0 : (records + 1) * (8 + Hdf5BTree2Layout.Of(nodeSize, recordSize, depth, 8, "test").RecordCountBytes);
        Reseal(file, root, root + 6 + (records * recordSize) + pointers);
    }

    // The root indirect block: its header (signature, version, heap address, a 4-byte block offset), then an
    // address per entry of its rows.
    private static void ResealRootIndirectBlock(byte[] file)
    {
        int heap = At(file, "FRHP");
        int rows = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(heap + RootRowsField));
        int width = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(heap + WidthField));
        int block = At(file, "FHIB");
        Reseal(file, block, block + 4 + 1 + 8 + 4 + (rows * width * 8));
    }

    private static byte[] LargeFile() => System.IO.File.ReadAllBytes(Scan.Fixture(LargeLinks));

    private static byte[] KerasFile() => System.IO.File.ReadAllBytes(Scan.Fixture(KerasLinks));

    private static int At(byte[] file, string signature)
    {
        int at = file.AsSpan().IndexOf(Encoding.ASCII.GetBytes(signature));
        Assert.True(at > 0, $"no {signature} in the fixture");
        return at;
    }

    private static List<int> Occurrences(byte[] file, string signature)
    {
        byte[] needle = Encoding.ASCII.GetBytes(signature);
        var found = new List<int>();
        for (int at = 0; file.AsSpan(at).IndexOf(needle) is var next && next >= 0; at += next + 1)
        {
            found.Add(at + next);
        }

        return found;
    }

    private static List<Hdf5Object> Walk(string fixture)
    {
        using FileStream stream = System.IO.File.OpenRead(Scan.Fixture(fixture));
        var file = new Hdf5File(stream, 0, 100 << 20, CancellationToken.None);
        return Hdf5Tree.Walk(file, Hdf5Superblock.ReadRootAddress(file)).ToList();
    }

    private static void AssertInconclusive(byte[] file, string rule, string message)
    {
        ModelScanResult result = Scan.Bytes(file, "model.h5");
        Assert.True(result.Outcome == ScanOutcome.Inconclusive, result.Describe());
        Assert.True(result.Findings.Any(f => f.RuleId == rule && f.Message.Contains(message, StringComparison.Ordinal)), result.Describe());
        AssertWithinBudget(file);
    }

    // The fuzz invariants on the same bytes: no untyped exception anywhere, and allocation within the budget.
    private static void AssertWithinBudget(byte[] file)
    {
        FuzzExecution execution = new FuzzExecutor(new FuzzBudget()).Execute(file, "model.h5", payloadIntact: false, checkDeterminism: false, textKind: 0);
        Assert.True(execution.Violations.Count == 0, string.Join("\n", execution.Violations));
    }
}
