#nullable enable
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>
/// A loopback Hugging Face Hub for the tests, following the Hub's published API shapes: the tree listing
/// (<c>/api/{models|datasets|spaces}/{id}/tree/{revision}[/{path}]?recursive=true</c>, paged through
/// <c>Link: rel="next"</c>) and downloads (<c>/{prefix}{id}/resolve/{revision}/{path}</c>, byte ranges, LFS files
/// redirected to a second "CDN" listener on another port, as the Hub redirects to its CDN host). BCL only, so the
/// Pester suite loads this same file with Add-Type.
/// </summary>
public sealed class FakeHub : IDisposable
{
    private readonly HttpListener _hub;
    private readonly HttpListener _cdn;
    private readonly Thread _hubThread;
    private readonly Thread _cdnThread;
    private readonly ConcurrentDictionary<string, HubFile> _files = new(StringComparer.Ordinal);
    private long _bytesServed;

    public FakeHub()
    {
        (_hub, Endpoint) = Start();
        (_cdn, CdnEndpoint) = Start();
        _hubThread = Serve(_hub, HandleHub);
        _cdnThread = Serve(_cdn, HandleCdn);
    }

    /// <summary>What HF_ENDPOINT is set to.</summary>
    public string Endpoint { get; }

    /// <summary>The CDN listener LFS downloads are redirected to (another origin).</summary>
    public string CdnEndpoint { get; }

    /// <summary>Listing page size (the Hub's is 1,000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>When set, Hub requests without <c>Authorization: Bearer {token}</c> get 401.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>How many of the next requests answer 503 before serving normally.</summary>
    public int FailNext;

    /// <summary>Paths whose downloads stop halfway (truncated bodies).</summary>
    public HashSet<string> Truncate { get; } = new(StringComparer.Ordinal);

    /// <summary>Authorization headers the CDN was sent (must stay empty).</summary>
    public ConcurrentQueue<string> CdnAuthorizations { get; } = new();

    /// <summary>Every request line, for assertions.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Response body bytes of downloads (hub and CDN).</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Adds a file to a repository (kind "models", "datasets" or "spaces"). An LFS file publishes the SHA-256
    /// of <paramref name="content"/> unless <paramref name="publishedSha256"/> says otherwise (a tampered mirror).</summary>
    public void AddFile(string kind, string repo, string path, byte[] content, bool lfs = false, string? publishedSha256 = null)
    {
        string sha = publishedSha256 ?? Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        _files[Key(kind, repo, path)] = new HubFile(kind, repo, path, content, lfs ? sha : null);
    }

    private static string Key(string kind, string repo, string path) => kind + "/" + repo + "/" + path;

    // The same listener start and serve loop as LoopbackServer's, kept in each file on purpose: the Pester tests
    // compile each fake on its own with Add-Type, and a shared type in two compilations would clash there.
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

    private void HandleHub(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        string path = Uri.UnescapeDataString(request.Url!.AbsolutePath);
        Requests.Enqueue($"{request.HttpMethod} {request.Url.PathAndQuery} auth={(request.Headers["Authorization"] is null ? "no" : "yes")}");
        if (Interlocked.Decrement(ref FailNext) >= 0)
        {
            context.Response.StatusCode = 503;
            return;
        }

        if (RequiredToken is not null && request.Headers["Authorization"] != "Bearer " + RequiredToken)
        {
            context.Response.StatusCode = 401;
            Write(context, "{\"error\":\"Invalid credentials\"}");
            return;
        }

        string[] parts = path.Trim('/').Split('/');
        if (parts.Length >= 6 && parts[0] == "api" && parts[4] == "tree")
        {
            string kind = parts[1], repo = parts[2] + "/" + parts[3];
            Tree(context, kind, repo, string.Join('/', parts.Skip(6)), request.QueryString["recursive"] == "true");
            return;
        }

        int skip = parts.Length > 0 && parts[0] is "datasets" or "spaces" ? 1 : 0;
        string fileKind = skip == 1 ? parts[0] : "models";
        if (parts.Length >= skip + 5 && parts[skip + 2] == "resolve"
            && _files.TryGetValue(Key(fileKind, parts[skip] + "/" + parts[skip + 1], string.Join('/', parts.Skip(skip + 4))), out HubFile? file))
        {
            if (file.Sha256 is not null)
            {
                // The Hub answers LFS downloads with a redirect to its CDN, another host.
                context.Response.StatusCode = 302;
                context.Response.RedirectLocation = $"{CdnEndpoint}/{Uri.EscapeDataString(file.Key)}";
                return;
            }

            Send(context, file);
            return;
        }

        context.Response.StatusCode = 404;
        Write(context, "{\"error\":\"Entry not found\"}");
    }

    private void HandleCdn(HttpListenerContext context)
    {
        if (context.Request.Headers["Authorization"] is { } authorization)
        {
            CdnAuthorizations.Enqueue(authorization);
        }

        string key = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
        if (_files.TryGetValue(key, out HubFile? file))
        {
            Send(context, file);
        }
        else
        {
            context.Response.StatusCode = 404;
        }
    }

    private void Tree(HttpListenerContext context, string kind, string repo, string folder, bool recursive)
    {
        string prefix = folder.Length == 0 ? string.Empty : folder + "/";
        HubFile[] inRepo = _files.Values.Where(f => f.Kind == kind && f.Repo == repo).ToArray();
        if (!inRepo.Any() || (folder.Length > 0 && !inRepo.Any(f => f.Path.StartsWith(prefix, StringComparison.Ordinal))))
        {
            context.Response.StatusCode = 404;
            Write(context, "{\"error\":\"Entry not found\"}");
            return;
        }

        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (HubFile file in inRepo.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)))
        {
            string rest = file.Path[prefix.Length..];
            int slash = rest.IndexOf('/');
            if (slash >= 0)
            {
                string directory = prefix + rest[..slash];
                entries[directory] = $"{{\"type\":\"directory\",\"oid\":\"{GitOid(directory)}\",\"size\":0,\"path\":\"{directory}\"}}";
                if (!recursive)
                {
                    continue;
                }
            }

            string lfs = file.Sha256 is null ? string.Empty
                : $",\"lfs\":{{\"oid\":\"{file.Sha256}\",\"size\":{file.Content.Length},\"pointerSize\":134}}";
            entries[file.Path] = $"{{\"type\":\"file\",\"oid\":\"{GitOid(file.Path)}\",\"size\":{file.Content.Length},\"path\":\"{file.Path}\"{lfs}}}";
        }

        int cursor = int.TryParse(context.Request.QueryString["cursor"], NumberStyles.None, CultureInfo.InvariantCulture, out int c) ? c : 0;
        string[] page = entries.Values.Skip(cursor).Take(PageSize).ToArray();
        if (cursor + PageSize < entries.Count)
        {
            string next = $"{Endpoint}{context.Request.Url!.AbsolutePath}?recursive={(recursive ? "true" : "false")}&cursor={cursor + PageSize}";
            context.Response.AddHeader("Link", $"<{next}>; rel=\"next\"");
        }

        context.Response.ContentType = "application/json";
        Write(context, "[" + string.Join(",", page) + "]");
    }

    private void Send(HttpListenerContext context, HubFile file)
    {
        byte[] content = file.Content;
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
        context.Response.AddHeader("ETag", "\"" + (file.Sha256 ?? GitOid(file.Path)) + "\"");
        long send = Truncate.Contains(file.Path) ? length / 2 : length;
        // Counted before the write: a client that has read the bytes must find them counted (tests measure right after).
        Interlocked.Add(ref _bytesServed, send);
        context.Response.OutputStream.Write(content, (int)from, (int)send);
        if (send < length)
        {
            context.Response.Abort(); // a connection that drops mid-body
        }
    }

    private static void Write(HttpListenerContext context, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentLength64 = bytes.Length;
        context.Response.OutputStream.Write(bytes, 0, bytes.Length);
    }

    private static string GitOid(string path) => Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(path))).ToLowerInvariant();

    public void Dispose()
    {
        _hub.Stop();
        _cdn.Stop();
        _hub.Close();
        _cdn.Close();
        _hubThread.Join(TimeSpan.FromSeconds(5));
        _cdnThread.Join(TimeSpan.FromSeconds(5));
    }

    private sealed record HubFile(string Kind, string Repo, string Path, byte[] Content, string? Sha256)
    {
        public string Key => Kind + "/" + Repo + "/" + Path;
    }
}
