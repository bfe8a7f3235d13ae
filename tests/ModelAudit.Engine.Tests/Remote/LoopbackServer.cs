#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// What the loopback store fakes (<see cref="FakeGcs"/>, <see cref="FakeMlflow"/>, <see cref="FakeArtifactory"/>)
/// share: an HttpListener on 127.0.0.1, a request log, a required Authorization header (none: 401, another: 403),
/// injected 503s, per-path status overrides and broken JSON, byte-range downloads, and a second listener on another
/// port that downloads can be redirected to (another origin, which must never see the credential). BCL only, so the
/// Pester suite loads these files with Add-Type.
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    private readonly HttpListener _api;
    private readonly HttpListener _cdn;
    private readonly Thread _apiThread;
    private readonly Thread _cdnThread;
    private long _bytesServed;

    protected LoopbackServer()
    {
        (_api, Endpoint) = Start();
        (_cdn, CdnEndpoint) = Start();
        _apiThread = Serve(_api, HandleApi);
        _cdnThread = Serve(_cdn, HandleCdn);
    }

    /// <summary>The server's base URL, <c>http://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The other origin downloads are redirected to when <see cref="RedirectDownloads"/> is set.</summary>
    public string CdnEndpoint { get; }

    /// <summary>When set, API requests must carry exactly this Authorization header (missing: 401, different: 403).</summary>
    public string? RequiredAuthorization { get; set; }

    /// <summary>When set, downloads answer 302 to <see cref="CdnEndpoint"/>, as stores redirect to signed storage URLs.</summary>
    public bool RedirectDownloads { get; set; }

    /// <summary>How many of the next API requests answer 503 before serving normally.</summary>
    public int FailNext;

    /// <summary>Statuses forced for exact request paths (URL-decoded AbsolutePath).</summary>
    public ConcurrentDictionary<string, int> StatusByPath { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every JSON answer is cut in half (not JSON).</summary>
    public bool BreakJson { get; set; }

    /// <summary>Every API request line with whether it carried Authorization, for assertions.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Authorization headers the other origin was sent (must stay empty).</summary>
    public ConcurrentQueue<string> CdnAuthorizations { get; } = new();

    /// <summary>Body bytes of downloads served.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);

    /// <summary>Answers one authorised API request.</summary>
    protected abstract void Handle(HttpListenerContext context, string path);

    /// <summary>Serves <paramref name="content"/> (honouring a Range header), or redirects to the other origin.</summary>
    protected void Download(HttpListenerContext context, string key, byte[] content)
    {
        if (RedirectDownloads)
        {
            _blobs[key] = content;
            context.Response.StatusCode = 302;
            context.Response.RedirectLocation = $"{CdnEndpoint}/{Uri.EscapeDataString(key)}";
            return;
        }

        Send(context, content);
    }

    /// <summary>Writes a JSON answer (cut in half when <see cref="BreakJson"/> is set).</summary>
    protected void Json(HttpListenerContext context, string json, int status = 200)
    {
        if (BreakJson)
        {
            json = json[..(json.Length / 2)];
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes, 0, bytes.Length);
    }

    /// <summary>A JSON string literal.</summary>
    protected static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private void HandleApi(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        string? authorization = request.Headers["Authorization"];
        Requests.Enqueue($"{request.HttpMethod} {request.Url.PathAndQuery} auth={(authorization is null ? "no" : "yes")}");
        if (Interlocked.Decrement(ref FailNext) >= 0)
        {
            context.Response.StatusCode = 503;
            return;
        }

        if (RequiredAuthorization is not null && authorization != RequiredAuthorization)
        {
            Json(context, "{\"error\":{\"code\":401,\"message\":\"Invalid credentials\"}}", authorization is null ? 401 : 403);
            return;
        }

        if (StatusByPath.TryGetValue(path, out int status))
        {
            Json(context, "{\"error\":{\"code\":" + status.ToString(CultureInfo.InvariantCulture) + ",\"message\":\"forced\"}}", status);
            return;
        }

        Handle(context, path);
    }

    private void HandleCdn(HttpListenerContext context)
    {
        if (context.Request.Headers["Authorization"] is { } authorization)
        {
            CdnAuthorizations.Enqueue(authorization);
        }

        if (_blobs.TryGetValue(Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/')), out byte[]? content))
        {
            Send(context, content);
        }
        else
        {
            context.Response.StatusCode = 404;
        }
    }

    private void Send(HttpListenerContext context, byte[] content)
    {
        long from = 0, to = content.Length - 1;
        if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            string[] bounds = range["bytes=".Length..].Split('-');
            from = long.Parse(bounds[0], CultureInfo.InvariantCulture);
            to = bounds[1].Length > 0 ? Math.Min(long.Parse(bounds[1], CultureInfo.InvariantCulture), content.Length - 1) : content.Length - 1;
            context.Response.StatusCode = 206;
            context.Response.AddHeader("Content-Range", $"bytes {from}-{to}/{content.Length}");
        }

        long length = to - from + 1;
        context.Response.ContentLength64 = length;
        // Counted before the write: a client that has read the bytes must find them counted (tests measure right after).
        Interlocked.Add(ref _bytesServed, length);
        context.Response.OutputStream.Write(content, (int)from, (int)length);
    }

    private static (HttpListener, string) Start()
    {
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            string prefix = $"http://127.0.0.1:{port}/";
            listener.Prefixes.Add(prefix);
            try
            {
                listener.Start();
                return (listener, prefix.TrimEnd('/'));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private static Thread Serve(HttpListener listener, Action<HttpListenerContext> handle)
    {
        var thread = new Thread(() =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = listener.GetContext();
                }
                catch (Exception)
                {
                    return; // stopped
                }

                ThreadPool.QueueUserWorkItem(_ =>
                {
                    try
                    {
                        handle(context);
                    }
                    catch (Exception)
                    {
                        // the client went away mid-body
                    }
                    finally
                    {
                        try { context.Response.Close(); } catch (Exception) { }
                    }
                });
            }
        }) { IsBackground = true };
        thread.Start();
        return thread;
    }

    public void Dispose()
    {
        _api.Stop();
        _cdn.Stop();
        _api.Close();
        _cdn.Close();
        _apiThread.Join(TimeSpan.FromSeconds(5));
        _cdnThread.Join(TimeSpan.FromSeconds(5));
    }
}
