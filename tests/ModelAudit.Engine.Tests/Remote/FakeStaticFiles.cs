#nullable enable
using System;
using System.Collections.Concurrent;
using System.Net;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>A loopback web server of static files (an http DVC remote is a folder served over HTTP), with Range.</summary>
public sealed class FakeStaticFiles : LoopbackServer
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>Serves <paramref name="content"/> at <c>/{path}</c>.</summary>
    public void AddFile(string path, byte[] content) => _files["/" + path.TrimStart('/')] = content;

    protected override void Handle(HttpListenerContext context, string path)
    {
        if (_files.TryGetValue(path, out byte[]? content))
        {
            Download(context, path, content);
            return;
        }

        context.Response.StatusCode = 404;
    }
}
