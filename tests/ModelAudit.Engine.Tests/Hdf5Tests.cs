using System.Text;
using ModelAudit.Engine.Formats.Hdf5;
using ModelAudit.Engine.Tests.Fuzzing;
using static ModelAudit.Engine.Tests.Hdf5Builder;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The HDF5 root-attribute reader on files laid out byte by byte (<see cref="Hdf5Builder"/>): each superblock,
/// header, attribute and string storage it reads, and each malformed or oversized structure it bounds, with the
/// outcome it gives. Every malformed case also passes the fuzz invariants (typed errors, the allocation budget).
/// </summary>
public sealed class Hdf5Tests
{
    private static string Benign => KerasBuilder.Keras2Config().ToJsonString();

    private static string Malicious => KerasBuilder.WithLayer(KerasBuilder.Keras2Config(), KerasBuilder.Keras2Lambda("os_system")).ToJsonString();

    public static TheoryData<int, int, bool, int> Layouts() => new()
    {
        { 0, 1, false, 1 }, // h5py's default (earliest format): superblock 0, v1 header, v1 attributes
        { 0, 1, true, 1 },
        { 2, 2, false, 3 }, // the latest format: superblock 2, OHDR, v3 attributes
        { 2, 2, true, 3 },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_benign_model_config_is_read_and_clean(int superblock, int header, bool vlen, int attributeVersion)
    {
        ModelScanResult result = Scan.Bytes(KerasFile(superblock, header, vlen, attributeVersion, Benign), "model.h5");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "KerasH5", result.Describe());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void A_lambda_in_the_model_config_is_critical(int superblock, int header, bool vlen, int attributeVersion)
    {
        ModelScanResult result = Scan.Bytes(KerasFile(superblock, header, vlen, attributeVersion, Malicious), "model.h5");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
        Assert.Equal("KerasH5", result.Format);
    }

    [Fact]
    public void A_user_block_in_front_shifts_every_address()
    {
        ModelScanResult result = Scan.Bytes(WithUserBlock(KerasFile(0, 1, true, 1, Malicious)), "model.h5");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Attributes_in_a_continuation_block_are_read(int header)
    {
        Message config = FixedStringAttribute("model_config", Malicious, header == 1 ? 1 : 3);
        byte[] block = header == 1 ? V1Messages(new[] { config }) : V2Continuation(new[] { config });
        Message continuation = Continuation(BlobAddress, (ulong)block.Length);
        byte[] file = File(header == 1 ? 0 : 2, header == 1 ? V1Header(new[] { continuation }) : V2Header(new[] { continuation }), block);
        ModelScanResult result = Scan.Bytes(file, "model.h5");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Theory]
    [InlineData("cos\nsystem\n(S'id'\ntR.", true)]   // ends with '.': PyTables unpickles it when the attribute is read
    [InlineData("cos\nsystem\n(S'id'\ntR", false)]   // no final '.': PyTables returns the string
    public void A_root_attribute_PyTables_would_unpickle_is_scanned_as_a_pickle(string value, bool unpickled)
    {
        Message hook = FixedStringAttribute("hook", value, 1);
        ModelScanResult result = Scan.Bytes(File(0, V1Header(new[] { hook })), "store.h5");
        Assert.Equal(unpickled, result.Findings.Any(f => f.RuleId == "MA1001" && f.Member == "attribute 'hook'"));
        Assert.Equal("Hdf5", result.Format);
    }

    private const string PickledSystemCall = "cos\nsystem\n(S'id'\ntR.";

    [Theory]
    [InlineData(1, "/frame")]
    [InlineData(1, "/frame/table")]
    [InlineData(2, "/frame")]
    [InlineData(2, "/frame/table")]
    public void A_pickle_PyTables_would_unpickle_below_the_root_is_critical(int groupVersion, string carrier)
    {
        // /frame is a group holding the dataset /frame/table (pandas' layout of a key); one of them carries the pickle.
        Message[] GroupAttributes() => carrier == "/frame" ? new[] { FixedStringAttribute("hook", PickledSystemCall, groupVersion == 1 ? 1 : 3) } : Array.Empty<Message>();
        Message[] TableAttributes() => carrier == "/frame/table" ? new[] { FixedStringAttribute("hook", PickledSystemCall, groupVersion == 1 ? 1 : 3) } : Array.Empty<Message>();
        byte[] file = groupVersion == 1 ? V1Tree(GroupAttributes(), TableAttributes()) : V2Tree(GroupAttributes(), TableAttributes());
        ModelScanResult result = Scan.Bytes(file, "store.h5");
        Assert.True(result.Findings.Any(f => f.RuleId == "MA1001" && f.Severity == Severity.Critical && f.Member == $"{carrier} attribute 'hook'"), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.Equal("Hdf5", result.Format);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_tree_without_pickles_is_clean(int groupVersion)
    {
        Message[] benign = { FixedStringAttribute("pandas_type", "frame_table", groupVersion == 1 ? 1 : 3) };
        byte[] file = groupVersion == 1 ? V1Tree(benign, benign) : V2Tree(benign, benign);
        ModelScanResult result = Scan.Bytes(file, "store.h5");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "Hdf5", result.Describe());
    }

    [Theory]
    [InlineData("pandas_hdfstore_pickled_key_attribute.h5", "/frame")] // pandas' HDFStore (PyTables): version 1 groups
    [InlineData("hdf5_latest_pickled_dataset_attribute.h5", "/frame/table")] // h5py, latest format: link messages
    public void A_real_file_with_a_pickle_below_the_root_is_critical_at_its_object(string fixture, string carrier)
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/" + fixture));
        Assert.True(result.Findings.Any(f => f.RuleId == "MA1001" && f.Severity == Severity.Critical && f.Member == $"{carrier} attribute 'hook'"), result.Describe());
    }

    [Fact]
    public void Hard_links_that_form_a_cycle_visit_each_object_once()
    {
        // /a links to itself, to the root and to /a/b, which links back to /a; a soft link is not followed.
        var blob = new Hdf5Blob();
        Message hook = FixedStringAttribute("hook", PickledSystemCall, 3);
        ulong a = blob.Next;
        ulong b = a + (ulong)Padded(V2Header(new[] { hook, HardLink("a", 0), HardLink("root", 0), HardLink("b", 0) }).Length);
        ulong root = a + (ulong)Padded(V2Header(new[] { hook, HardLink("a", 0), HardLink("root", 0), HardLink("b", 0) }).Length)
            + (ulong)Padded(V2Header(new[] { HardLink("a", 0) }).Length);
        Assert.Equal(a, blob.Add(V2Header(new[] { hook, HardLink("a", a), HardLink("root", root), HardLink("b", b) })));
        Assert.Equal(b, blob.Add(V2Header(new[] { HardLink("a", a) })));
        Assert.Equal(root, blob.RootAddress);
        byte[] file = File(2, V2Header(new[] { LinkInfo(Undefined), HardLink("a", a), SoftLink("again", "/a") }), blob.ToArray());
        ModelScanResult result = Scan.Bytes(file, "store.h5");
        Assert.Single(result.Findings, f => f.RuleId == "MA1001" && f.Member == "/a attribute 'hook'");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        AssertWithinBudget(file);
    }

    [Fact]
    public void More_objects_than_the_bound_are_a_limit()
    {
        // The root links the bound's number of distinct addresses other than its own: with the root, one object too
        // many (counted as they are found, before any is read).
        IEnumerable<Message> links = Enumerable.Range(0, Hdf5Tree.MaxObjects).Select(i => HardLink($"n{i}", (1UL << 32) + (ulong)i));
        AssertMalformed(File(2, V2Header(links.ToArray())), "MA9002", "objects");
    }

    [Theory]
    [InlineData(Hdf5Tree.MaxDepth, ScanOutcome.Issues)]
    [InlineData(Hdf5Tree.MaxDepth + 1, ScanOutcome.Inconclusive)]
    public void A_tree_deeper_than_the_bound_is_a_limit(int depth, ScanOutcome outcome)
    {
        // A chain of groups, the deepest carrying a pickle: /g/g/…/g.
        var blob = new Hdf5Blob();
        ulong child = blob.Add(V2Header(new[] { FixedStringAttribute("hook", PickledSystemCall, 3) }));
        for (int i = 1; i < depth; i++)
        {
            child = blob.Add(V2Header(new[] { HardLink("g", child) }));
        }

        ModelScanResult result = Scan.Bytes(File(2, V2Header(new[] { HardLink("g", child) }), blob.ToArray()), "store.h5");
        Assert.True(result.Outcome == outcome, result.Describe());
        Assert.Equal(outcome == ScanOutcome.Issues, result.Has("MA1001", Severity.Critical));
        Assert.Equal(outcome == ScanOutcome.Inconclusive, result.Findings.Any(f => f.RuleId == "MA9002" && f.Message.Contains("deeper", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("tree")]
    [InlineData("heap")]
    [InlineData("node")]
    [InlineData("data")]
    public void A_group_structure_past_the_file_is_a_parse_error(string broken)
    {
        const ulong far = 1UL << 40;
        var blob = new Hdf5Blob();
        ulong heapAddress = blob.Next;
        byte[] heap = LocalHeap(heapAddress, new[] { "frame" }, out ulong[] offsets);
        if (broken == "data")
        {
            BitConverter.GetBytes(far).CopyTo(heap, 24); // the data segment's address
        }

        blob.Add(heap);
        ulong group = blob.Add(V1Header(Array.Empty<Message>()));
        ulong node = blob.Add(SymbolNode((offsets[0], group)));
        ulong tree = blob.Add(GroupTree(0, broken == "node" ? far : node));
        Message table = SymbolTable(broken == "tree" ? far : tree, broken == "heap" ? far : heapAddress);
        AssertMalformed(File(0, V1Header(new[] { table }), blob.ToArray()), "MA9001", "past the end");
    }

    [Fact]
    public void A_group_B_tree_that_points_back_to_itself_ends()
    {
        var blob = new Hdf5Blob();
        ulong heapAddress = blob.Add(LocalHeap(blob.Next, Array.Empty<string>(), out _));
        ulong tree = blob.Next;
        blob.Add(GroupTree(1, tree));
        byte[] file = File(0, V1Header(new[] { SymbolTable(tree, heapAddress), FixedStringAttribute("hook", PickledSystemCall) }), blob.ToArray());
        ModelScanResult result = Scan.Bytes(file, "store.h5");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        AssertWithinBudget(file);
    }

    [Fact]
    public void Dense_link_storage_with_no_heap_there_is_a_parse_error()
    {
        // The link info names a fractal heap where the file holds none: the links cannot be found, never passed.
        AssertMalformed(File(2, V2Header(new[] { LinkInfo(BlobAddress) }), new byte[256]), "MA9001", "the dense links of / at 256 has no FRHP signature");
    }

    [Fact]
    public void Dense_attribute_storage_below_the_root_past_the_file_is_a_parse_error()
    {
        var blob = new Hdf5Blob();
        ulong group = blob.Add(V2Header(new[] { AttributeInfo(1UL << 40) }));
        AssertMalformed(File(2, V2Header(new[] { HardLink("frame", group) }), blob.ToArray()), "MA9001", "fractal heap header of the dense attributes of /frame");
    }

    // Version 1 groups: the root's symbol table → B-tree → SNOD → /frame, whose symbol table leads to /frame/table.
    private static byte[] V1Tree(Message[] groupAttributes, Message[] tableAttributes)
    {
        var blob = new Hdf5Blob();
        ulong table = blob.Add(V1Header(tableAttributes));
        ulong frame = V1Group(blob, groupAttributes, ("table", table));
        ulong heap = blob.Next;
        blob.Add(LocalHeap(heap, new[] { "frame" }, out ulong[] offsets));
        ulong node = blob.Add(SymbolNode((offsets[0], frame)));
        ulong tree = blob.Add(GroupTree(0, node));
        return File(0, V1Header(new[] { SymbolTable(tree, heap) }), blob.ToArray());
    }

    private static ulong V1Group(Hdf5Blob blob, Message[] attributes, (string Name, ulong Address) child)
    {
        ulong heap = blob.Next;
        blob.Add(LocalHeap(heap, new[] { child.Name }, out ulong[] offsets));
        ulong node = blob.Add(SymbolNode((offsets[0], child.Address)));
        ulong tree = blob.Add(GroupTree(0, node));
        return blob.Add(V1Header(attributes.Append(SymbolTable(tree, heap))));
    }

    // Version 2 groups: link messages in the headers.
    private static byte[] V2Tree(Message[] groupAttributes, Message[] tableAttributes)
    {
        var blob = new Hdf5Blob();
        ulong table = blob.Add(V2Header(tableAttributes));
        ulong frame = blob.Add(V2Header(groupAttributes.Append(HardLink("table", table))));
        return File(2, V2Header(new[] { LinkInfo(Undefined), HardLink("frame", frame) }), blob.ToArray());
    }

    [Fact]
    public void A_string_array_and_a_number_are_skipped_not_read_as_configs()
    {
        byte[] names = Encoding.ASCII.GetBytes("dense\0\0\0dense_1\0");
        Message layerNames = Attribute("layer_names", FixedString(8), Simple(2), names);
        Message count = Attribute("count", Int(4), Scalar(), new byte[] { 7, 0, 0, 0 });
        ModelScanResult result = Scan.Bytes(File(0, V1Header(new[] { layerNames, count })), "weights.h5");
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Format == "Hdf5", result.Describe());
    }

    [Fact]
    public void A_fixed_string_declaring_elements_past_its_message_is_a_parse_error()
    {
        // The fuzzed vlen-element-size lie, as a fixed-length string: 474 MB elements in a 1 KB file.
        Message lie = Attribute("model_config", FixedString(474_000_000), Scalar(), Encoding.UTF8.GetBytes(Benign));
        AssertMalformed(File(0, V1Header(new[] { lie })), "MA9001", "its message holds");
    }

    [Fact]
    public void A_variable_length_element_size_lie_is_a_parse_error()
    {
        byte[] heap = GlobalHeap(Encoding.UTF8.GetBytes(Benign));
        Message config = Attribute("model_config", VlenString(474_000_000), Scalar(), VlenData(BlobAddress, 1, (uint)Benign.Length));
        AssertMalformed(File(0, V1Header(new[] { config }), heap), "MA9001", "its message holds");
    }

    [Fact]
    public void A_dataspace_larger_than_its_data_is_a_parse_error()
    {
        Message lie = Attribute("weights", Int(4), Simple(1UL << 40), new byte[8]);
        AssertMalformed(File(0, V1Header(new[] { lie })), "MA9001", "its message holds");
    }

    [Fact]
    public void An_object_header_declaring_more_bytes_than_the_file_is_a_parse_error()
    {
        byte[] header = V1Header(new[] { FixedStringAttribute("model_config", Benign) }, declaredSize: 0x7FFF_FFF0);
        AssertMalformed(File(0, header), "MA9001", "past the end");
    }

    [Fact]
    public void A_continuation_past_the_file_is_a_parse_error()
    {
        AssertMalformed(File(0, V1Header(new[] { Continuation(1UL << 40, 4096) })), "MA9001", "past the end");
    }

    [Theory]
    [InlineData(1UL << 40, 1u, "past the end")] // the collection's address is past the file
    [InlineData((ulong)BlobAddress, 7u, "no such object")] // the collection has no object 7
    [InlineData((ulong)BlobAddress + 8, 1u, "no HDF5 global heap collection")] // the address is not a collection
    public void A_variable_length_reference_out_of_range_is_a_parse_error(ulong collection, uint index, string message)
    {
        byte[] heap = GlobalHeap(Encoding.UTF8.GetBytes(Benign));
        Message config = VlenStringAttribute("model_config", collection, index, (uint)Benign.Length);
        AssertMalformed(File(0, V1Header(new[] { config }), heap), "MA9001", message);
    }

    [Fact]
    public void A_variable_length_string_longer_than_its_heap_object_is_a_parse_error()
    {
        byte[] heap = GlobalHeap(Encoding.UTF8.GetBytes(Benign));
        Message config = VlenStringAttribute("model_config", BlobAddress, 1, 400_000_000);
        AssertMalformed(File(0, V1Header(new[] { config }), heap), "MA9001", "holds");
    }

    [Fact]
    public void A_heap_object_larger_than_its_collection_is_a_parse_error()
    {
        byte[] heap = GlobalHeap(Encoding.UTF8.GetBytes(Benign));
        BitConverter.GetBytes(1UL << 35).CopyTo(heap, 16 + 8); // object 1's size field
        Message config = VlenStringAttribute("model_config", BlobAddress, 1, (uint)Benign.Length);
        AssertMalformed(File(0, V1Header(new[] { config }), heap), "MA9001", "past the end of its collection");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Continuation_blocks_that_loop_are_a_parse_error(int header)
    {
        // The block at BlobAddress continues at BlobAddress again.
        // v1: the message alone (8 + 16 bytes); v2: OCHK, the message (4 + 16), the checksum.
        Message back = Continuation(BlobAddress, header == 1 ? 24UL : 28UL);
        byte[] block = header == 1 ? V1Messages(new[] { back }) : V2Continuation(new[] { back });
        Assert.Equal(header == 1 ? 24 : 28, block.Length);
        Message first = Continuation(BlobAddress, (ulong)block.Length);
        byte[] file = File(header == 1 ? 0 : 2, header == 1 ? V1Header(new[] { first }) : V2Header(new[] { first }), block);
        AssertMalformed(file, "MA9001", "loop");
    }

    [Fact]
    public void A_chain_of_continuation_blocks_past_the_bound_is_a_limit()
    {
        // Each v1 block holds one continuation message (24 bytes) to the next one.
        const int blocks = Hdf5ObjectHeader.MaxChunks + 8;
        var chain = new List<byte>();
        for (int i = 0; i < blocks; i++)
        {
            chain.AddRange(V1Messages(new[] { Continuation((ulong)(BlobAddress + (i + 1) * 24), 24) }));
        }

        byte[] file = File(0, V1Header(new[] { Continuation(BlobAddress, 24) }), chain.ToArray());
        AssertMalformed(file, "MA9002", "continuation blocks");
    }

    [Fact]
    public void More_root_attributes_than_the_bound_are_a_limit()
    {
        IEnumerable<Message> many = Enumerable.Range(0, Hdf5ObjectAttributes.MaxAttributesPerObject + 1)
            .Select(i => Attribute($"a{i}", Int(4), Scalar(), BitConverter.GetBytes(i)));
        AssertMalformed(File(0, V1Header(many.ToArray())), "MA9002", "attributes on /");
    }

    [Fact]
    public void Root_attributes_up_to_the_bound_are_read()
    {
        IEnumerable<Message> many = Enumerable.Range(0, Hdf5ObjectAttributes.MaxAttributesPerObject - 1)
            .Select(i => Attribute($"a{i}", Int(4), Scalar(), BitConverter.GetBytes(i)))
            .Append(FixedStringAttribute("model_config", Malicious));
        ModelScanResult result = Scan.Bytes(File(0, V1Header(many.ToArray())), "model.h5");
        Assert.True(result.Has("MA1120", Severity.Critical), result.Describe());
    }

    [Theory]
    [InlineData(Hdf5Datatype.MaxNesting, ScanOutcome.Clean, null)]
    [InlineData(Hdf5Datatype.MaxNesting + 1, ScanOutcome.Inconclusive, "MA9002")]
    [InlineData(4000, ScanOutcome.Inconclusive, "MA9002")]
    public void Datatypes_nested_past_the_bound_are_a_limit(int depth, ScanOutcome outcome, string? rule)
    {
        // A variable-length sequence of a sequence of … of bytes: a datatype that is only its nesting.
        byte[] type = Int(1);
        for (int i = 0; i < depth; i++)
        {
            type = VlenSequence(type);
        }

        if (type.Length > ushort.MaxValue)
        {
            type = type[..ushort.MaxValue]; // the attribute's datatype field holds 64 KiB; the reader stops far earlier
        }

        byte[] file = File(0, V1Header(new[] { Attribute("deep", type, Scalar(), new byte[16]) }));
        ModelScanResult result = Scan.Bytes(file, "weights.h5");
        Assert.True(result.Outcome == outcome && (rule is null || result.Has(rule)), result.Describe());
        AssertWithinBudget(file);
    }

    [Fact]
    public void Dense_attribute_storage_whose_heap_is_an_object_header_is_a_parse_error()
    {
        // The attribute info's heap address is another object's header (long enough for a heap header): no FRHP there.
        byte[] file = File(2, V2Header(new[] { AttributeInfo(BlobAddress) }), V2Header(new[] { FixedStringAttribute("note", new string('x', 200), 3) }));
        AssertMalformed(file, "MA9001", "no FRHP signature");
    }

    [Fact]
    public void Compact_attribute_info_is_no_obstacle()
    {
        byte[] file = File(2, V2Header(new[] { AttributeInfo(Undefined), FixedStringAttribute("model_config", Malicious, 3) }));
        Assert.True(Scan.Bytes(file, "model.h5").Has("MA1120", Severity.Critical));
    }

    [Fact]
    public void A_shared_attribute_message_is_reported_not_passed()
    {
        Message shared = FixedStringAttribute("model_config", Benign) with { Flags = 0x02 };
        AssertMalformed(File(0, V1Header(new[] { shared })), "MA9001", "shared");
    }

    [Fact]
    public void A_file_shorter_than_its_superblock_records_is_truncated()
    {
        byte[] file = KerasFile(0, 1, true, 1, Malicious);
        AssertMalformed(file[..^1], "MA9001", "truncated");
    }

    [Fact]
    public void Every_truncation_of_a_keras_h5_file_ends_in_a_typed_error()
    {
        byte[] file = KerasBuilder.LegacyH5(KerasBuilder.WithLayer(KerasBuilder.Keras2Config(), KerasBuilder.Keras2Lambda("os_system")));
        for (int length = 8; length < file.Length; length += 7)
        {
            ModelScanResult result = Scan.Bytes(file[..length], "model.h5");
            Assert.True(result.Outcome != ScanOutcome.Clean && result.Has("MA9001") && !result.Has("MA9010"), $"{length}: {result.Describe()}");
        }
    }

    [Theory]
    [InlineData(0, 1, true, 1)]
    [InlineData(2, 2, false, 3)]
    public void Every_byte_of_a_keras_h5_file_overwritten_ends_in_findings_or_a_typed_error(int superblock, int header, bool vlen, int attributeVersion)
    {
        // Every byte outside the config text (superblock, header, attribute fields, heap headers) gets each value
        // that breaks a length most: all bits set, none set, the top bit alone.
        byte[] file = KerasFile(superblock, header, vlen, attributeVersion, Malicious);
        int configStart = file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Malicious));
        int configEnd = configStart + Encoding.UTF8.GetByteCount(Malicious);
        Assert.True(configStart > 0);
        foreach (byte value in new byte[] { 0xFF, 0x00, 0x80 })
        {
            for (int i = 0; i < file.Length; i++)
            {
                if (i >= configStart && i < configEnd)
                {
                    continue;
                }

                byte[] damaged = (byte[])file.Clone();
                damaged[i] = value;
                ModelScanResult result = Scan.Bytes(damaged, "model.h5");
                Assert.False(result.Has("MA9010"), $"byte {i} = 0x{value:X2}: {result.Describe()}");
            }
        }
    }

    private static byte[] KerasFile(int superblock, int header, bool vlen, int attributeVersion, string config)
    {
        const string version = "2.12.0";
        Message[] attributes;
        byte[]? heap = null;
        if (vlen)
        {
            heap = GlobalHeap(Encoding.UTF8.GetBytes(config), Encoding.UTF8.GetBytes(version));
            attributes = new[]
            {
                VlenStringAttribute("model_config", BlobAddress, 1, (uint)Encoding.UTF8.GetByteCount(config), attributeVersion),
                VlenStringAttribute("keras_version", BlobAddress, 2, (uint)version.Length, attributeVersion),
            };
        }
        else
        {
            attributes = new[] { FixedStringAttribute("model_config", config, attributeVersion), FixedStringAttribute("keras_version", version, attributeVersion) };
        }

        return File(superblock, header == 1 ? V1Header(attributes) : V2Header(attributes), heap);
    }

    private static byte[] VlenData(ulong collection, uint index, uint length)
    {
        byte[] data = new byte[16];
        BitConverter.GetBytes(length).CopyTo(data, 0);
        BitConverter.GetBytes(collection).CopyTo(data, 4);
        BitConverter.GetBytes(index).CopyTo(data, 12);
        return data;
    }

    private static void AssertMalformed(byte[] file, string rule, string message)
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
