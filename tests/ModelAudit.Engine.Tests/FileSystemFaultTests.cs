using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// File-system faults (issue 17), one test each with the outcome it must give: what cannot be read is an Error for
/// that file only, what is not a regular file is reported and never opened, and odd names and shapes scan as usual.
/// FIFOs and devices: <see cref="FailClosedTests"/>; folder link loops: <see cref="EngineTests"/>. Unix file modes,
/// sockets and byte-string names make these Unix tests.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileSystemFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modelaudit-fs-").FullName;

    public void Dispose()
    {
        // Restore permissions first so the folder can be removed.
        foreach (string path in Directory.EnumerateFileSystemEntries(_dir, "*", SearchOption.AllDirectories))
        {
            try
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A name .NET cannot spell (not UTF-8) is removed by a tool that takes bytes.
            Process.Start("rm", new[] { "-rf", _dir })!.WaitForExit();
        }
    }

    private static readonly ScanEngine s_engine = new(new ScanOptions());

    private string Write(string name, byte[] data)
    {
        string path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    private static ModelScanResult ScanItem(ScanItem item) => s_engine.Scan(item, CancellationToken.None);

    [Fact]
    public void A_file_that_cannot_be_opened_for_permission_is_an_error_and_the_next_file_is_still_scanned()
    {
        string denied = Write("denied.pkl", PickleBuilder.Gadget("os", "system", "id"));
        string next = Write("next.pkl", PickleBuilder.Gadget("os", "system", "id"));
        File.SetUnixFileMode(denied, UnixFileMode.None);
        ScanItem item = LocalFileSource.ItemFor(denied);
        bool root = CanReadAnyway(denied);
        if (root)
        {
            // Tests run as root here, and root reads a mode-000 file: the open fails the way .NET reports EACCES.
            item = new ScanItem(denied, item.Length, () => throw new UnauthorizedAccessException($"Access to the path '{denied}' is denied."));
        }

        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("denied", Assert.Single(result.Errors));
        Assert.Equal(ScanOutcome.Issues, ScanItem(LocalFileSource.ItemFor(next)).Outcome);
    }

    [Fact]
    public void A_file_locked_exclusively_by_another_handle_is_an_error()
    {
        string path = Write("locked.pkl", PickleBuilder.Gadget("os", "system", "id"));

        // .NET takes flock(LOCK_EX) for FileShare.None on Unix; the scan's shared lock then fails, as on Windows.
        using var holder = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        ModelScanResult result = ScanItem(LocalFileSource.ItemFor(path));
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.NotEmpty(result.Errors);
    }

    [Fact]
    public void A_file_that_disappears_between_listing_and_scanning_is_an_error()
    {
        string path = Write("gone.pkl", PickleBuilder.Gadget("os", "system", "id"));
        ScanItem item = LocalFileSource.ItemFor(path);
        File.Delete(path);
        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("gone.pkl", Assert.Single(result.Errors));
    }

    [Fact]
    public void A_file_that_grows_between_listing_and_opening_is_an_error()
    {
        string path = Write("growing.txt", Encoding.ASCII.GetBytes("hello\n"));
        ScanItem item = LocalFileSource.ItemFor(path);
        File.AppendAllText(path, "more text\n");
        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("changed while it was scanned", Assert.Single(result.Errors));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_file_that_shrinks_or_grows_mid_scan_is_an_error_for_that_file_only(bool grow)
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a benign line of text\n", 2000)));
        string path = Write("changing.txt", text);
        string other = Write("other.txt", text);
        ScanItem listed = LocalFileSource.ItemFor(path);

        // The file changes under the open handle after the first read, as a download or a writer would change it.
        var item = new ScanItem(path, listed.Length, () => new ChangeAfterFirstRead(
            new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1),
            () =>
            {
                using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                writer.SetLength(grow ? text.Length * 2 : text.Length / 4);
            }));
        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("changed while it was scanned", Assert.Single(result.Errors));
        Assert.Equal(ScanOutcome.Clean, ScanItem(LocalFileSource.ItemFor(other)).Outcome);
    }

    [Fact]
    public void A_file_link_loop_is_reported_and_not_followed()
    {
        Write("model.pkl", PickleBuilder.Gadget("os", "system", "id"));
        File.CreateSymbolicLink(Path.Combine(_dir, "a.pkl"), Path.Combine(_dir, "b.pkl"));
        File.CreateSymbolicLink(Path.Combine(_dir, "b.pkl"), Path.Combine(_dir, "a.pkl"));
        var events = new List<SourceEvent>();
        ScanItem[] items = LocalFileSource.Enumerate(_dir, new ScanOptions(), events.Add).ToArray();
        Assert.Equal(new[] { "model.pkl" }, items.Select(i => Path.GetFileName(i.Path)));
        Assert.Equal(2, events.Count(e => e.Kind == SourceEventKind.LinkLoop));
    }

    [Fact]
    public void A_very_deep_folder_is_walked_without_recursion()
    {
        // 600 levels: a path of about 1,200 characters, far past any recursion a walker could afford per level.
        string deep = Path.Combine(new[] { _dir }.Concat(Enumerable.Repeat("d", 600)).ToArray());
        Directory.CreateDirectory(deep);
        File.WriteAllBytes(Path.Combine(deep, "model.pkl"), PickleBuilder.Gadget("os", "system", "id"));
        ScanItem item = Assert.Single(LocalFileSource.Enumerate(_dir, new ScanOptions { Recurse = true }, _ => { }));
        Assert.Equal(ScanOutcome.Issues, ScanItem(item).Outcome);
    }

    [Fact]
    public void A_file_name_of_255_bytes_is_scanned()
    {
        string name = new string('m', 255 - ".pkl".Length) + ".pkl";
        Write(name, PickleBuilder.Gadget("os", "system", "id"));
        ScanItem item = Assert.Single(LocalFileSource.Enumerate(_dir, new ScanOptions(), _ => { }));
        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
        Assert.Equal(name, Path.GetFileName(result.Path));
    }

    [Fact]
    public void A_file_name_that_is_not_utf8_is_reported_as_unreadable_and_the_rest_is_scanned()
    {
        // Linux names are bytes; .NET decodes them as UTF-8 and cannot name this one again to open it.
        Write("next.txt", "hello\n"u8.ToArray());
        using (Process python = Process.Start("python3", new[] { "-c", "import os,sys; open(os.path.join(sys.argv[1].encode(), b'model\\xff.pkl'), 'wb').write(b'cos\\nsystem\\n(S\\'id\\'\\ntR.')", _dir })!)
        {
            python.WaitForExit();
            Assert.Equal(0, python.ExitCode);
        }

        var events = new List<SourceEvent>();
        ScanItem item = Assert.Single(LocalFileSource.Enumerate(_dir, new ScanOptions(), events.Add));
        SourceEvent unreadable = Assert.Single(events);
        Assert.Equal(SourceEventKind.Unreadable, unreadable.Kind);
        Assert.StartsWith("model", Path.GetFileName(unreadable.Path), StringComparison.Ordinal);
        Assert.Equal(ScanOutcome.Clean, ScanItem(item).Outcome);
    }

    [Fact]
    public void A_sparse_file_of_one_gibibyte_is_scanned_by_seeking_in_bounded_memory()
    {
        // A SafeTensors header for one 1 GiB tensor, then a hole: the payload is skipped by length, never read.
        const long payload = 1L << 30;
        byte[] header = Encoding.ASCII.GetBytes($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":[{payload}],\"data_offsets\":[0,{payload}]}}}}");
        byte[] head = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)header.Length);
        header.CopyTo(head, 8);
        string path = Write("model.safetensors", head);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(head.Length + payload);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelScanResult result = new ScanEngine(new ScanOptions { SkipHash = true }).Scan(LocalFileSource.ItemFor(path), CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.True(allocated < 64L << 20, $"{allocated:N0} bytes allocated");
    }

    [Theory]
    [InlineData("model.pkl", ScanOutcome.Inconclusive)]
    [InlineData("notes.txt", ScanOutcome.Clean)]
    public void A_zero_length_file_is_inconclusive_only_where_its_name_promises_a_model(string name, ScanOutcome outcome)
    {
        string path = Write(name, Array.Empty<byte>());
        Assert.Equal(outcome, ScanItem(LocalFileSource.ItemFor(path)).Outcome);
    }

    [Fact]
    public void A_socket_is_reported_without_being_opened()
    {
        string path = Path.Combine(_dir, "model.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        ScanItem item = Assert.Single(LocalFileSource.Enumerate(_dir, new ScanOptions(), _ => { }));
        Assert.Equal("a socket", item.NotRegularReason);
        ModelScanResult result = ScanItem(item);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("not opened", Assert.Single(result.Errors));
    }

    private static bool CanReadAnyway(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A file stream that runs an action once, after its first read: the file changes mid-scan.</summary>
    private sealed class ChangeAfterFirstRead : Stream
    {
        private readonly FileStream _inner;
        private Action? _change;

        public ChangeAfterFirstRead(FileStream inner, Action change)
        {
            _inner = inner;
            _change = change;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => _inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int read = _inner.Read(buffer, offset, count);
            Interlocked.Exchange(ref _change, null)?.Invoke();
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
