namespace ModelAudit.Engine.Tests;

/// <summary>
/// Protocol-4 FRAME layouts graded by what CPython's two unpicklers do with them (Lib/pickle.py's _Unframer and
/// Modules/_pickle.c): the layouts the pickler itself writes are read alike and stay Clean; a read across a frame's
/// end, a FRAME opened with bytes of the current one unread, and a STOP inside a frame longer than the data are read
/// differently or accepted by only one, and the finding says which reader does what.
/// </summary>
public sealed class PickleFrameGradingTests
{
    private static byte[] Framed(params byte[][] frames)
    {
        var data = new List<byte>(new PickleBuilder().Proto(4).ToArray());
        foreach (byte[] frame in frames)
        {
            data.AddRange(new PickleBuilder().Frame(frame.Length).ToArray());
            data.AddRange(frame);
        }

        return data.ToArray();
    }

    [Fact]
    public void A_large_bytes_argument_that_starts_exactly_at_the_frame_end_is_read_alike_and_clean()
    {
        // _Framer.write_large_bytes: the BINBYTES8 opcode and length close the frame, the payload follows unframed,
        // then a new frame holds the rest.
        byte[] head = new PickleBuilder().EmptyDict().Str("w").Op(0x8E).Raw(BitConverter.GetBytes(300L)).ToArray();
        byte[] data = Framed(head).Concat(new byte[300]).Concat(new PickleBuilder().Frame(2).SetItem().Stop().ToArray()).ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_frame_whose_last_bytes_open_the_next_one_is_read_alike_and_clean()
    {
        // pickle.py checks that the current frame is used up when FRAME runs; its own FRAME header used it up.
        byte[] second = new PickleBuilder().Str("b").Int(2).SetItem().Stop().ToArray();
        byte[] first = new PickleBuilder().EmptyDict().Str("a").Int(1).SetItem().Frame(second.Length).ToArray();
        byte[] data = Framed(first).Concat(second).ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void A_read_across_the_frame_end_says_what_each_reader_does()
    {
        // SHORT_BINUNICODE 'abcdef' with only its opcode, length and first byte inside the frame.
        byte[] data = new PickleBuilder().Proto(4).Frame(3).Str("abcdef").Pop().EmptyDict().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1007");
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Contains("pickle exhausted before end of frame", f.Message, StringComparison.Ordinal);
        Assert.Contains("_pickle.c reading a file without peek()", f.Message, StringComparison.Ordinal);
        Assert.Contains("pickle.loads reads straight through", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_across_the_frame_end_is_graded_as_a_line()
    {
        byte[] data = new PickleBuilder().Proto(4).Frame(4).Text("abcdef").Pop().EmptyDict().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1007" && f.Message.Contains("the line at", StringComparison.Ordinal)
            && f.Message.Contains("drops the partial line", StringComparison.Ordinal));
    }

    [Fact]
    public void A_frame_opened_with_bytes_of_the_current_one_unread_is_accepted_only_by_the_c_unpickler()
    {
        byte[] inner = new PickleBuilder().Pop().EmptyDict().Stop().ToArray();
        byte[] outer = new PickleBuilder().EmptyDict().Frame(inner.Length).ToArray().Concat(inner).Concat(new byte[] { (byte)'N' }).ToArray();
        ModelScanResult result = Scan.Bytes(Framed(outer), "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1007" && f.Severity == Severity.Critical
            && f.Message.Contains("beginning of a new frame before end of current frame", StringComparison.Ordinal)
            && f.Message.Contains("_pickle.c reads the new frame from its buffer", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stop_inside_a_frame_longer_than_the_data_is_accepted_only_by_pickle_py()
    {
        byte[] body = new PickleBuilder().EmptyDict().Stop().ToArray();
        byte[] data = new PickleBuilder().Proto(4).Frame(body.Length + 100).ToArray().Concat(body).ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1007"
            && f.Message.Contains("pickle data was truncated", StringComparison.Ordinal)
            && f.Message.Contains("pickle.py (pickle._Unpickler, joblib.load) runs the opcodes", StringComparison.Ordinal));

        // The same frame with its true length is what the pickler writes.
        byte[] exact = new PickleBuilder().Proto(4).Frame(body.Length).ToArray().Concat(body).ToArray();
        Assert.Equal(ScanOutcome.Clean, Scan.Bytes(exact, "model.pkl").Outcome);
    }
}
