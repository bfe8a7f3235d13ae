using System.Net;
using System.Net.Sockets;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>What the loopback fake servers share: an HttpListener on a free loopback port, and a background thread
/// that hands each request to a handler and never lets an exception out (it would take the test host down).</summary>
internal static class LoopbackHttp
{
    /// <summary>Starts a listener on a free port of 127.0.0.1 (retrying when another process took the port first).</summary>
    public static (HttpListener, string) Start()
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

    /// <summary>Serves requests until the listener stops.</summary>
    public static Thread Serve(HttpListener listener, Action<HttpListenerContext> handle)
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
}
