namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>Receives decoded weight values in element order.</summary>
internal interface IWeightSink
{
    void Accept(ReadOnlySpan<float> values);
}
