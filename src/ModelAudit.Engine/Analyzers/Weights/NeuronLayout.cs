namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>
/// How a 2-D weight's elements map to output neurons. PyTorch, SafeTensors, ONNX Gemm and NumPy store a linear layer
/// as [out, in] in row-major order, and GGUF lists dimensions innermost first ([in, out]): either way each output
/// neuron's weights are one contiguous row, so its norm and its sample are gathered while the bytes stream past.
/// Keras and TensorFlow store a dense kernel as [in, out] in row-major order: there each neuron is a column
/// (<see cref="NeuronsAreColumns"/>), gathered element by element.
/// </summary>
internal readonly record struct NeuronLayout(long Neurons, long Inputs, bool NeuronsAreColumns = false)
{
    /// <summary>Largest number of neurons whose norms are kept (8 MiB of doubles): the largest vocabularies of LLM
    /// heads are about 256 K tokens, so every real output layer fits and a crafted shape cannot grow memory.</summary>
    public const long MaxNeurons = 1 << 20;

    /// <summary>The layout of a tensor whose shape is <paramref name="shape"/>, or null when it is not a matrix of
    /// neurons (a vector, a 3-D or larger tensor, too few neurons or inputs to judge, or too many to keep).
    /// <paramref name="outputsLast"/>: a row-major [in, out] kernel.</summary>
    public static NeuronLayout? Of(IReadOnlyList<long> shape, bool innermostFirst, bool outputsLast = false)
    {
        long[] dims = shape.Where(d => d != 1).ToArray();
        if (dims.Length != 2)
        {
            return null;
        }

        bool last = innermostFirst || outputsLast;
        long neurons = last ? dims[1] : dims[0];
        long inputs = last ? dims[0] : dims[1];
        if (neurons < WeightThresholds.MinNeurons || inputs < WeightThresholds.MinInputs || neurons > MaxNeurons)
        {
            return null;
        }

        return new NeuronLayout(neurons, inputs, outputsLast && !innermostFirst);
    }
}
