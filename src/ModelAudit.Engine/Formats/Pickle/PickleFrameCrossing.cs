namespace ModelAudit.Engine.Formats.Pickle;

/// <summary>
/// One read (an argument, a header, a line) that starts inside a protocol-4 FRAME and ends past it: the layout on
/// which CPython's unpicklers part ways. pickle.py's _Unframer raises "pickle exhausted before end of frame";
/// _pickle.c over a file without peek() (io.BytesIO, which torch.load hands it) drops what is left of the frame and
/// reads the bytes afresh from its end; _pickle.c over bytes (pickle.loads) reads straight through.
/// </summary>
internal sealed record PickleFrameCrossing(long Start, long End, long FrameEnd, bool Line)
{
    /// <summary>Says what each reader does with this read.</summary>
    public string Describe()
    {
        string what = Line ? $"the line at {Start}" : $"the {End - Start:N0}-byte read at {Start}";
        string cDrops = Line ? "drops the partial line and reads a new one from the frame's end" : $"drops the {FrameEnd - Start:N0} bytes left in the frame and reads from its end";
        return $"{what} runs past the frame end at {FrameEnd}: pickle.py (pickle._Unpickler, joblib.load) stops with "
            + $"'pickle exhausted before end of frame'; _pickle.c reading a file without peek() (io.BytesIO, torch.load) {cDrops}; "
            + "pickle.loads reads straight through";
    }
}
