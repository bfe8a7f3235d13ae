using System.Net;

namespace ModelAudit.Engine.Sources.Http;

/// <summary>A remote store could not give what was asked (HTTP status, unreachable, bad API answer). An
/// <see cref="IOException"/>, so the engine records it as that item's read error and the scan goes on.</summary>
public sealed class RemoteException : IOException
{
    public RemoteException(HttpStatusCode? status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The HTTP status, when the server answered.</summary>
    public HttpStatusCode? Status { get; }
}
