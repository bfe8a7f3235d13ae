using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A loopback S3 endpoint that lists objects (ListObjectsV2 XML) and serves them by byte range, but cuts the body of
/// the objects named in <see cref="Truncate"/> short: it promises the range's Content-Length, sends half and closes
/// the connection; and it can answer 503 SlowDown a few times first. moto does neither; a dropped download and a
/// throttled store are what it stands for.
/// </summary>
public sealed class TruncatingS3 : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly Thread _thread;

    public TruncatingS3()
    {
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    public Uri Endpoint { get; }

    /// <summary>Keys whose bodies are cut short.</summary>
    public HashSet<string> Truncate { get; } = new(StringComparer.Ordinal);

    /// <summary>How many requests to answer with 503 SlowDown before answering properly (retries with backoff).</summary>
    public int FailNext { get; set; }

    /// <summary>Requests received, failed ones included.</summary>
    public int Requests { get; private set; }

    public void Add(string key, byte[] data) => _objects[key] = data;

    private void Serve()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = _listener.AcceptTcpClient();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped (InvalidOperationException: stopped between two accepts). An exception escaping this thread
                // would take the whole test host down with it.
                return;
            }

            using (client)
            {
                try
                {
                    Answer(client.GetStream());
                }
                catch (Exception)
                {
                    // The client hung up first, or asked for what this fake does not serve: the test that made the
                    // request sees a failed read, which is what it asserts on; the host must not crash.
                }
            }
        }
    }

    private void Answer(NetworkStream stream)
    {
        string head = ReadHead(stream);
        Requests++;
        if (FailNext > 0)
        {
            FailNext--;
            byte[] error = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>");
            Write(stream, $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {error.Length}\r\nConnection: close\r\n\r\n", error);
            return;
        }

        string[] lines = head.Split("\r\n");
        string target = lines[0].Split(' ')[1];
        string? range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?[6..].Trim();
        string path = Uri.UnescapeDataString(target.Split('?')[0].TrimStart('/'));
        int slash = path.IndexOf('/', StringComparison.Ordinal);
        string bucket = slash < 0 ? path : path[..slash];
        string key = slash < 0 ? string.Empty : path[(slash + 1)..];
        if (key.Length == 0)
        {
            var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{bucket}</Name><IsTruncated>false</IsTruncated>");
            foreach (var (name, data) in _objects.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                xml.Append(CultureInfo.InvariantCulture, $"<Contents><Key>{name}</Key><Size>{data.Length}</Size><ETag>\"e{data.Length}\"</ETag></Contents>");
            }

            byte[] body = Encoding.UTF8.GetBytes(xml.Append("</ListBucketResult>").ToString());
            Write(stream, $"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n", body);
            return;
        }

        byte[] content = _objects[key];
        string[] bounds = range!.Replace("bytes=", string.Empty, StringComparison.Ordinal).Split('-');
        long from = long.Parse(bounds[0], CultureInfo.InvariantCulture);
        long to = Math.Min(long.Parse(bounds[1], CultureInfo.InvariantCulture), content.Length - 1);
        int length = (int)(to - from + 1);
        int sent = Truncate.Contains(key) ? length / 2 : length;
        Write(stream, $"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {from}-{to}/{content.Length}\r\nContent-Length: {length}\r\nETag: \"e{content.Length}\"\r\nConnection: close\r\n\r\n",
            content.AsSpan((int)from, sent).ToArray());
    }

    private static void Write(NetworkStream stream, string head, byte[] body)
    {
        stream.Write(Encoding.ASCII.GetBytes(head));
        stream.Write(body);
        stream.Flush();
    }

    private static string ReadHead(NetworkStream stream)
    {
        var head = new List<byte>();
        while (head.Count < 65536)
        {
            int b = stream.ReadByte();
            if (b < 0)
            {
                break;
            }

            head.Add((byte)b);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }

    public void Dispose()
    {
        _listener.Stop();
        _thread.Join(2000);
    }
}
