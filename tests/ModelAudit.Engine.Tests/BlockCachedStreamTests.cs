using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>The seekable stream remote sources scan through: exact bytes, bounded memory, few range reads.</summary>
public sealed class BlockCachedStreamTests
{
    private sealed class MemoryRangeReader(byte[] data) : IRangeReader
    {
        public long BytesRead { get; private set; }

        public long Length => data.Length;

        public int ReadAt(long offset, Span<byte> buffer, CancellationToken cancellationToken)
        {
            int n = (int)Math.Min(buffer.Length, data.Length - offset);
            data.AsSpan((int)offset, n).CopyTo(buffer);
            BytesRead += n;
            return n;
        }
    }

    [Fact]
    public void Random_reads_return_the_object_s_bytes()
    {
        var random = new Random(7);
        byte[] data = new byte[300_000];
        random.NextBytes(data);
        using var stream = new BlockCachedStream(new MemoryRangeReader(data), blockSize: 4096, maxBlocks: 3);
        for (int i = 0; i < 500; i++)
        {
            int offset = random.Next(data.Length);
            int count = random.Next(1, 20_000);
            byte[] buffer = new byte[count];
            stream.Position = offset;
            int read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
            Assert.Equal(Math.Min(count, data.Length - offset), read);
            Assert.True(data.AsSpan(offset, read).SequenceEqual(buffer.AsSpan(0, read)));
        }
    }

    [Fact]
    public void A_zip_larger_than_the_buffering_limit_is_scanned_through_it()
    {
        // Larger than MaxBufferedArchiveBytes, so only a seekable stream lets the zip be read at all.
        byte[] filler = new byte[20 << 20];
        byte[] zip = ArchiveBuilder.Zip(("weights.bin", filler), ("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        var reader = new MemoryRangeReader(zip);
        var item = new ScanItem("remote://model.zip", zip.Length, () => new BlockCachedStream(reader, blockSize: 64 << 10));
        var options = new ScanOptions { SkipHash = true, Limits = new ScanLimits { MaxBufferedArchiveBytes = 1 << 20 } };
        ModelScanResult result = new ScanEngine(options).Scan(item, CancellationToken.None);
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
        Assert.Equal("b.pkl", result.Findings.Single(f => f.RuleId == "MA1001").Member);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA9002");
    }

    [Fact]
    public void It_is_read_only()
    {
        using var stream = new BlockCachedStream(new MemoryRangeReader(new byte[10]));
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
    }
}
