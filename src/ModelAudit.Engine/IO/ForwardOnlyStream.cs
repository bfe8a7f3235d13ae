namespace ModelAudit.Engine.IO;

/// <summary>Hides seeking and length: a reader over a head of data must treat its end as "more may follow".</summary>
internal sealed class ForwardOnlyStream : ReadOnlyStream
{
    private readonly Stream _inner;

    public ForwardOnlyStream(Stream inner) => _inner = inner;

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);
}
