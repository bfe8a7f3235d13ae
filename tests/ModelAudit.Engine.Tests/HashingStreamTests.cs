using System.Security.Cryptography;
using ModelAudit.Engine.IO;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The hash of a scan is SHA-256 of the file however the scanner moved through it: reads, small seeks, seeks past
/// more than a catch-up block, and bytes never read. The catch-up buffer is sized by the first gap and rented, so a
/// small first gap followed by a large one, and streams hashed one after another on one thread, are what can break.
/// </summary>
public sealed class HashingStreamTests
{
    private static byte[] Bytes(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    private static string Expected(byte[] data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();

    [Fact]
    public void Small_gap_then_a_gap_larger_than_a_block_then_the_unread_tail_hash_every_byte_once()
    {
        byte[] data = Bytes((3 << 20) + 12_345);
        using var hashing = new HashingStream(new MemoryStream(data), CancellationToken.None);
        byte[] buffer = new byte[64];
        hashing.ReadExactly(buffer, 0, 16);
        hashing.Position = 100; // a gap of 84 bytes: the buffer is rented that small
        hashing.ReadExactly(buffer, 0, 64);
        hashing.Position = (2 << 20) + 7; // a gap of 2 MiB: must not be read 128 bytes at a time forever, nor skipped
        hashing.ReadExactly(buffer, 0, 10);
        hashing.Position = 50; // back over hashed bytes: hashed once only
        hashing.ReadExactly(buffer, 0, 64);

        Assert.Equal(Expected(data), hashing.Finish());
        Assert.Equal(50 + 64, hashing.Position);
    }

    [Fact]
    public void Reads_far_ahead_are_served_without_catching_up_and_the_observer_still_sees_every_byte_once_in_order()
    {
        byte[] data = Bytes((4 << 20) + 321);
        var observer = new OrderCheckingObserver(data);
        using var hashing = new HashingStream(new MemoryStream(data), CancellationToken.None, observer);
        byte[] buffer = new byte[4096];
        hashing.Position = data.Length - 1000; // a zip's end record: read ahead, nothing hashed yet
        hashing.ReadExactly(buffer, 0, 1000);
        Assert.Equal(0, observer.Seen);
        Assert.Equal(data.AsSpan(data.Length - 1000, 1000).ToArray(), buffer.AsSpan(0, 1000).ToArray());

        hashing.Position = 0;
        hashing.ReadExactly(buffer, 0, 4096);
        Assert.Equal(4096, observer.Seen);

        hashing.StopReadingAhead();
        hashing.Position = 2 << 20; // past the hashed bytes again: now it catches up first
        hashing.ReadExactly(buffer, 0, 16);
        Assert.Equal((2 << 20) + 16, observer.Seen);

        Assert.Equal(Expected(data), hashing.Finish());
        Assert.Equal(data.Length, observer.Seen);
    }

    // Fails the test when bytes arrive out of order, twice, or different from the file's.
    private sealed class OrderCheckingObserver(byte[] data) : IByteObserver
    {
        public long Seen { get; private set; }

        public void Observe(long offset, ReadOnlySpan<byte> bytes)
        {
            Assert.Equal(Seen, offset);
            Assert.True(bytes.SequenceEqual(data.AsSpan((int)offset, bytes.Length)));
            Seen += bytes.Length;
        }
    }

    [Fact]
    public void Streams_hashed_one_after_another_each_get_their_own_hash()
    {
        // Rented buffers go back to the pool at Dispose: a later stream must not see an earlier one's bytes.
        for (int i = 1; i <= 20; i++)
        {
            byte[] data = Bytes(i * 997);
            string hash;
            using (var hashing = new HashingStream(new MemoryStream(data), CancellationToken.None))
            {
                hashing.Position = data.Length / 2;
                hashing.ReadByte();
                hash = hashing.Finish();
            }

            Assert.Equal(Expected(data), hash);
        }
    }

    [Fact]
    public void A_file_never_read_is_hashed_whole_at_finish()
    {
        byte[] data = Bytes(5 << 20);
        using var hashing = new HashingStream(new MemoryStream(data), CancellationToken.None);
        Assert.Equal(Expected(data), hashing.Finish());
    }
}
