using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A real S3 server for the tests: <c>python3 -m moto.server</c> on a free loopback port, started here and stopped
/// (this process only) on Dispose. Its log is drained so a chatty run cannot fill the pipe and stall it. moto
/// accepts any key until auth is switched on with <c>INITIAL_NO_AUTH_ACTION_COUNT</c>: after that many requests
/// it checks keys and IAM policies as AWS does, which is how access denied is tested.
/// </summary>
public sealed class MotoServer : IDisposable
{
    // moto starts in about 2 s here; a loaded 2-core machine gets ten times that before the tests call it broken.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Queue<string> _log = new();

    public MotoServer(int? authAfterActions = null)
    {
        int port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-m", "moto.server", "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (authAfterActions is { } count)
        {
            start.Environment["INITIAL_NO_AUTH_ACTION_COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The S3 tests need python3 with moto (python3 -m moto.server); python3 was not found.", ex);
        }

        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilUp();
    }

    /// <summary>The server's URL, for ServiceURL / -EndpointUrl / AWS_ENDPOINT_URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>A client for setting up buckets and objects (any key works before auth is on).</summary>
    public AmazonS3Client Client(string accessKey = "test", string secretKey = "test") => new(new BasicAWSCredentials(accessKey, secretKey),
        new AmazonS3Config { ServiceURL = Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>Makes a bucket and puts objects in it; returns each object's ETag (quotes removed).</summary>
    public Dictionary<string, string> Put(string bucket, params (string Key, byte[] Data)[] objects)
    {
        using AmazonS3Client client = Client();
        client.PutBucketAsync(bucket).GetAwaiter().GetResult();
        var eTags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, data) in objects)
        {
            eTags[key] = PutObject(client, bucket, key, data);
        }

        return eTags;
    }

    /// <summary>Puts one object into an existing bucket; returns its ETag (quotes removed).</summary>
    public static string PutObject(AmazonS3Client client, string bucket, string key, byte[] data)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(data), UseChunkEncoding = false };
        return client.PutObjectAsync(request).GetAwaiter().GetResult().ETag.Trim('"');
    }

    /// <summary>An IAM action moto answers before auth is on (CreateUser, CreateAccessKey, PutUserPolicy); unsigned.</summary>
    public string Iam(params (string Name, string Value)[] parameters)
    {
        using var http = new HttpClient();
        var form = new FormUrlEncodedContent(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).Append(new("Version", "2010-05-08")));
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = form };
        // moto routes by the service in the credential scope of the Authorization header.
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
        using HttpResponseMessage response = http.Send(request);
        string body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"IAM {parameters[0].Value} failed: {body}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > 50)
            {
                _log.Dequeue();
            }
        }
    }

    private void WaitUntilUp()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using HttpResponseMessage response = http.Send(new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint, "/moto-api/")));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            Thread.Sleep(100);
        }

        string log;
        lock (_log)
        {
            log = string.Join("\n", _log);
        }

        Dispose();
        throw new InvalidOperationException($"moto did not start at {Endpoint} (is it installed? python3 -m pip install 'moto[server]'):\n{log}");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
