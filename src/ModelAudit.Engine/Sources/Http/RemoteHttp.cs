using System.Net;
using System.Net.Http.Headers;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>
/// The HTTP client every remote source shares: GETs with retries on 429, 5xx and dropped connections, redirects
/// followed by hand so a credential is sent only to the host it belongs to (a Hub download redirects to a CDN host,
/// which must never see the token), and errors that name the URL without its query (signed URLs carry secrets there).
/// </summary>
public sealed class RemoteHttp : IDisposable
{
    // A Hub resolve redirects once (to the CDN), a mirror perhaps twice more; more than this is a loop.
    private const int MaxRedirects = 5;

    // Three tries ride out a restarted server or a brief rate limit without stalling a scan for long.
    private const int MaxAttempts = 3;

    // Doubling from a quarter second keeps the worst case (0.25 + 0.5 s) short; a server's Retry-After is honoured
    // up to the cap so a misbehaving one cannot park the scan.
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly HttpClient _client;
    private readonly Uri? _credentialHost;
    private readonly AuthenticationHeaderValue? _authorization;

    /// <summary>A client that sends <paramref name="authorization"/> only to <paramref name="credentialHost"/>'s scheme, host and port.</summary>
    public RemoteHttp(Uri? credentialHost, AuthenticationHeaderValue? authorization, TimeSpan? timeout = null, RemoteReadSettings? reads = null)
    {
        Reads = reads ?? RemoteReadSettings.None;
        _credentialHost = credentialHost;
        _authorization = authorization;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("ModelAudit/1.0");
    }

    /// <summary>The download cap and cache every object read through this client obeys.</summary>
    public RemoteReadSettings Reads { get; }

    /// <summary>Bytes of response bodies read so far (progress and tests).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    private long _bytesReceived;

    internal void CountReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    /// <summary>GETs <paramref name="uri"/> (optionally a byte range), following redirects; the caller disposes the
    /// response. Throws <see cref="RemoteException"/> for a status that is not success after retries.</summary>
    public HttpResponseMessage Get(Uri uri, (long From, long To)? range, CancellationToken cancellationToken) =>
        Send(uri, range, null, cancellationToken);

    /// <summary>POSTs a JSON body (an API call that the store publishes only as POST, such as MLflow's
    /// get-latest-versions); otherwise as <see cref="Get"/>.</summary>
    public HttpResponseMessage PostJson(Uri uri, string json, CancellationToken cancellationToken) =>
        Send(uri, null, json, cancellationToken);

    private HttpResponseMessage Send(Uri uri, (long From, long To)? range, string? json, CancellationToken cancellationToken)
    {
        Uri current = uri;
        for (int redirects = 0; ; redirects++)
        {
            HttpResponseMessage response = SendWithRetries(current, range, json, cancellationToken);
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (redirects >= MaxRedirects)
                {
                    throw new RemoteException(HttpStatusCode.LoopDetected, $"More than {MaxRedirects} redirects from {Display(uri)}.");
                }

                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                HttpStatusCode status = response.StatusCode;
                response.Dispose();
                throw new RemoteException(status, $"{Display(current)} answered {(int)status} {status}.");
            }

            return response;
        }
    }

    /// <summary>The URL as it may be shown: no query (signed URLs put their signature there), no user info.</summary>
    public static string Display(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private HttpResponseMessage SendWithRetries(Uri uri, (long From, long To)? range, string? json, CancellationToken cancellationToken)
    {
        TimeSpan backoff = FirstBackoff;
        for (int attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(json is null ? HttpMethod.Get : HttpMethod.Post, uri);
            if (json is not null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }

            if (range is var (from, to))
            {
                request.Headers.Range = new RangeHeaderValue(from, to);
            }

            if (_authorization is not null && SameOrigin(uri))
            {
                request.Headers.Authorization = _authorization;
            }

            HttpResponseMessage response;
            try
            {
                response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts)
            {
                _ = ex; // a reset or refused connection: try again after the backoff
                Wait(backoff, cancellationToken);
                backoff *= 2;
                continue;
            }
            catch (HttpRequestException ex)
            {
                throw new RemoteException(null, $"{Display(uri)} could not be reached: {ex.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RemoteException(HttpStatusCode.RequestTimeout, $"{Display(uri)} did not answer within {_client.Timeout.TotalSeconds:0} seconds.");
            }

            if (attempt < MaxAttempts && ((int)response.StatusCode == 429 || (int)response.StatusCode >= 500))
            {
                TimeSpan wait = response.Headers.RetryAfter?.Delta ?? backoff;
                response.Dispose();
                Wait(wait < MaxBackoff ? wait : MaxBackoff, cancellationToken);
                backoff *= 2;
                continue;
            }

            return response;
        }
    }

    private bool SameOrigin(Uri uri) => _credentialHost is not null
        && Uri.Compare(uri, _credentialHost, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static void Wait(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.WaitHandle.WaitOne(delay))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}
