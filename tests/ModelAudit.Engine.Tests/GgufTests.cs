using System.Buffers.Binary;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests;

/// <summary>GGUF and legacy GGML: benign files from the writer layout scan Clean; each malformed variant gives its
/// finding; text reaches the analyzers by kind; a large file is validated from its header bytes alone.</summary>
public sealed class GgufTests
{
    [Theory]
    [InlineData(1u, false)]
    [InlineData(2u, false)]
    [InlineData(3u, false)]
    [InlineData(3u, true)]
    public void A_model_as_the_converters_write_it_is_clean(uint version, bool bigEndian)
    {
        ModelScanResult result = Scan.Bytes(GgufBuilder.TinyLlama(version, bigEndian).Build(), "tiny.gguf");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal("Gguf", result.Format);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void The_last_tensor_need_not_be_padded()
    {
        var b = new GgufBuilder { PadLastTensor = false }.String("general.architecture", "llama").F32Tensor("a", 3);
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_file_with_metadata_only_is_clean()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().String("general.architecture", "clip").Build(), "mmproj.gguf");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_declared_alignment_is_used_for_the_layout()
    {
        var b = new GgufBuilder { Alignment = 64 }.U32("general.alignment", 64).F32Tensor("a", 3).F32Tensor("b", 5);
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void An_alignment_that_is_not_a_power_of_two_is_reported(uint alignment)
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().U32("general.alignment", alignment).F32Tensor("a", 8).Build(), "m.gguf");
        Assert.True(result.Has("MA6212", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_alignment_of_the_wrong_type_is_reported()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().U64("general.alignment", 32).F32Tensor("a", 8).Build(), "m.gguf");
        Assert.True(result.Has("MA6212", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Chat_templates_reach_the_analyzers_as_templates_and_other_strings_as_metadata()
    {
        const string Key = "AKIADN73U55XTPLPFT7V";
        var b = new GgufBuilder()
            .String("tokenizer.chat_template", "{{ bos_token }} " + Key)
            .String("tokenizer.chat_template.tool_use", "{# " + Key + " #}")
            .String("general.description", "deploy key " + Key)
            .Strings("general.datasets", "first", "uses " + Key);
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        var messages = result.Findings.Where(f => f.RuleId == "MA4001").Select(f => f.Message).ToArray();
        Assert.Contains(messages, m => m.Contains("the chat template 'tokenizer.chat_template'"));
        Assert.Contains(messages, m => m.Contains("the chat template 'tokenizer.chat_template.tool_use'"));
        Assert.Contains(messages, m => m.Contains("metadata 'general.description'"));
        Assert.Contains(messages, m => m.Contains("metadata 'general.datasets[1]'"));
    }

    [Fact]
    public void The_vocabulary_is_not_handed_to_the_analyzers()
    {
        var b = new GgufBuilder().Strings("tokenizer.ggml.tokens", "a", "AKIADN73U55XTPLPFT7V token").Strings("tokenizer.ggml.merges", "a b", "AKIADN73U55XTPLPFT7V x");
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Nested_arrays_are_read_and_their_strings_analyzed()
    {
        var b = new GgufBuilder().Pair("custom.nested", 9, w =>
        {
            w.U32(9); // array of arrays
            w.U64(2);
            w.U32(8);
            w.U64(1);
            w.Str("AKIADN73U55XTPLPFT7V nested");
            w.U32(4);
            w.U64(3);
            w.U32(1);
            w.U32(2);
            w.U32(3);
        }).F32Tensor("a", 2);
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.Contains(result.Findings, f => f.RuleId == "MA4001" && f.Message.Contains("custom.nested[0][0]"));
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA62", StringComparison.Ordinal) || f.RuleId.StartsWith("MA9", StringComparison.Ordinal));
    }

    [Fact]
    public void Arrays_nested_too_deep_are_invalid_not_a_stack_overflow()
    {
        var b = new GgufBuilder().Pair("deep", 9, w =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                w.U32(9);
                w.U64(1);
            }

            w.U32(0);
            w.U64(0);
        });
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_string_length_of_two_to_the_60_is_invalid_and_allocates_nothing()
    {
        var b = new GgufBuilder().Pair("general.name", 8, w => w.U64(1UL << 60));
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData(1UL << 60, 0UL)]
    [InlineData(0UL, 1UL << 62)]
    [InlineData(ulong.MaxValue, ulong.MaxValue)]
    public void Absurd_counts_are_invalid(ulong tensors, ulong keys)
    {
        var b = GgufBuilder.TinyLlama();
        b.TensorCountOverride = tensors == 0 ? null : tensors;
        b.KeyCountOverride = keys == 0 ? null : keys;
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_array_of_two_to_the_60_integers_is_invalid()
    {
        var b = new GgufBuilder().Pair("x", 9, w =>
        {
            w.U32(4);
            w.U64(1UL << 60);
        });
        Assert.True(Scan.Bytes(b.Build(), "m.gguf").Has("MA6210", Severity.Warning));
    }

    [Fact]
    public void An_unknown_value_type_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().Pair("x", 13, w => w.U32(0)).Build(), "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Sixty_four_bit_values_do_not_exist_in_version_1()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder { Version = 1 }.U64("x", 1).Build(), "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_header_that_ends_early_is_invalid()
    {
        byte[] full = GgufBuilder.TinyLlama().Build();
        ModelScanResult result = Scan.Bytes(full[..200], "m.gguf");
        Assert.True(result.Has("MA6210", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_unknown_version_is_inconclusive()
    {
        byte[] data = GgufBuilder.TinyLlama().Build();
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), 4);
        ModelScanResult result = Scan.Bytes(data, "m.gguf");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    [Fact]
    public void A_repeated_key_is_reported()
    {
        var b = new GgufBuilder().String("tokenizer.chat_template", "{{ messages }}").String("tokenizer.chat_template", "{{ other }}");
        Assert.True(Scan.Bytes(b.Build(), "m.gguf").Has("MA6211", Severity.Warning));
    }

    [Fact]
    public void Five_dimensions_are_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().F32Tensor("a", 1, 1, 1, 1, 2).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_dimension_count_of_two_to_the_31_is_invalid_and_allocates_nothing()
    {
        var b = new GgufBuilder().F32Tensor("a", 4);
        byte[] data = b.Build();
        int at = data.AsSpan().IndexOf("a"u8) + 1; // the dimension count follows the one-byte name
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), 1u << 31);
        ModelScanResult result = Scan.Bytes(data, "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_unknown_ggml_type_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().Tensor("a", 99, 16, null, 4).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_row_that_is_not_a_multiple_of_the_block_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().Tensor("a", 2, 18, null, 31).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_element_count_that_overflows_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().Tensor("a", 0, 4, null, 1UL << 40, 1UL << 40).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_tensor_name_used_twice_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().F32Tensor("a", 4).F32Tensor("a", 4).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_long_tensor_name_is_invalid()
    {
        ModelScanResult result = Scan.Bytes(new GgufBuilder().F32Tensor(new string('x', 64), 4).Build(), "m.gguf");
        Assert.True(result.Has("MA6213", Severity.Warning), result.Describe());
    }

    [Theory]
    [InlineData(0UL)]   // overlaps the first tensor
    [InlineData(64UL)]  // leaves a gap
    [InlineData(33UL)]  // not aligned
    public void Offsets_out_of_order_are_reported(ulong secondOffset)
    {
        var b = new GgufBuilder().F32Tensor("a", 8).Tensor("b", 0, 32, secondOffset, 8);
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.True(result.Has("MA6214", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Truncated_tensor_data_is_out_of_bounds()
    {
        byte[] full = GgufBuilder.TinyLlama().Build();
        ModelScanResult result = Scan.Bytes(full[..^200], "m.gguf");
        Assert.True(result.Has("MA6215", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Bytes_after_the_data_are_reported_and_scanned()
    {
        byte[] pickle = new PickleBuilder().Proto(2).Global("os", "system").Str("echo hi").Tuple1().Reduce().Stop().ToArray();
        var b = GgufBuilder.TinyLlama();
        b.Trailing = pickle;
        ModelScanResult result = Scan.Bytes(b.Build(), "m.gguf");
        Assert.True(result.Has("MA6018", Severity.Info), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "trailing data");
    }

    [Fact]
    public void A_large_file_is_validated_from_its_header_bytes_alone()
    {
        // 10 GiB declared: a header, then one tensor of 10 GiB whose bytes are never there to read.
        const long TensorBytes = 10L << 30;
        var b = new GgufBuilder().String("general.architecture", "llama").Tensor("big", 0, 0, null, (ulong)(TensorBytes / 4));
        byte[] header = b.Build();
        var stream = new CountingSparseStream(header, header.Length + TensorBytes);
        var item = new ScanItem("big.gguf", stream.Length, () => stream);
        ModelScanResult result = new ScanEngine(new ScanOptions { SkipHash = true }).Scan(item, CancellationToken.None);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.True(stream.BytesRead < 1 << 20, $"read {stream.BytesRead:N0} bytes");
    }

    [Fact]
    public void A_legacy_ggjt_llama_model_is_checked_and_clean()
    {
        ModelScanResult result = Scan.Bytes(Legacy("tjgg", version: 3, hyperparameters: 7, scores: true, aligned: true), "model.bin");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal("Ggml", result.Format);
        Assert.True(result.Has("MA6216", Severity.Info), result.Describe());
    }

    [Fact]
    public void A_legacy_unversioned_gpt2_model_is_checked_and_clean()
    {
        ModelScanResult result = Scan.Bytes(Legacy("lmgg", version: null, hyperparameters: 6, scores: false, aligned: false), "ggml-model.bin");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.True(result.Has("MA6216", Severity.Info), result.Describe());
    }

    [Fact]
    public void A_legacy_file_whose_layout_does_not_hold_is_inconclusive()
    {
        byte[] data = Legacy("fmgg", version: 1, hyperparameters: 7, scores: true, aligned: false);
        ModelScanResult result = Scan.Bytes(data[..^3], "model.bin");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9001"), result.Describe());
    }

    // llama.cpp's pre-GGUF writers: magic, version, int32 hyperparameters (n_vocab first), the vocabulary, then per
    // tensor n_dims, name length, type, dims, name, (GGJT: padding to 32), data.
    private static byte[] Legacy(string magic, uint? version, int hyperparameters, bool scores, bool aligned)
    {
        var w = new MemoryStream();
        void I32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            w.Write(b);
        }

        w.Write(System.Text.Encoding.ASCII.GetBytes(magic));
        if (version is { } v)
        {
            I32((int)v);
        }

        string[] tokens = { "<unk>", "a", "b" };
        I32(tokens.Length);
        for (int i = 1; i < hyperparameters; i++)
        {
            I32(i == hyperparameters - 1 ? 1 : 64);
        }

        foreach (string t in tokens)
        {
            I32(t.Length);
            w.Write(System.Text.Encoding.ASCII.GetBytes(t));
            if (scores)
            {
                I32(0);
            }
        }

        foreach (var (name, type, dims, bytes) in new[] { ("tok_embeddings.weight", 0, new[] { 8, 3 }, 96), ("layers.0.attention.wq.weight", 2, new[] { 32, 2 }, 36) })
        {
            I32(dims.Length);
            I32(name.Length);
            I32(type);
            foreach (int d in dims)
            {
                I32(d);
            }

            w.Write(System.Text.Encoding.ASCII.GetBytes(name));
            while (aligned && w.Length % 32 != 0)
            {
                w.WriteByte(0);
            }

            w.Write(new byte[bytes]);
        }

        return w.ToArray();
    }

    /// <summary>A read-only stream of a given length whose first bytes are a header and the rest zeros, counting
    /// what is read: shows that a scan reads only the header.</summary>
    private sealed class CountingSparseStream : Stream
    {
        private readonly byte[] _header;
        private readonly long _length;
        private long _position;

        public CountingSparseStream(byte[] header, long length)
        {
            _header = header;
            _length = length;
        }

        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Max(0, Math.Min(count, _length - _position));
            for (int i = 0; i < n; i++)
            {
                long p = _position + i;
                buffer[offset + i] = p < _header.Length ? _header[p] : (byte)0;
            }

            _position += n;
            BytesRead += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
