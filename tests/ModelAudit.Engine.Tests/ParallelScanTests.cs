using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>A parallel scan lets each result go once it is taken (a fleet scan must not hold every result to the end):
/// taking an item again is a caller's bug and says so, and a taken item still counts as done.</summary>
public sealed class ParallelScanTests
{
    [Fact]
    public void A_result_is_taken_once_and_then_let_go()
    {
        ScanItem[] items = new[] { "benign/torch_state_dict.pt", "malicious/os_system_p4.pkl" }.Select(f => LocalFileSource.ItemFor(Scan.Fixture(f))).ToArray();
        using var scan = new ParallelScan(new ScanEngine(new ScanOptions()), items, throttle: 2, CancellationToken.None);

        ModelScanResult first = scan.Take(0, CancellationToken.None);
        Assert.Equal(ScanOutcome.Clean, first.Outcome);
        Assert.True(scan.IsDone(0));
        Assert.Throws<InvalidOperationException>(() => scan.Take(0, CancellationToken.None));
        Assert.Equal(ScanOutcome.Issues, scan.Take(1, CancellationToken.None).Outcome);
    }
}
