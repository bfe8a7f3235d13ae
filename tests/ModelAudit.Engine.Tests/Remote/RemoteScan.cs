using System.Buffers.Binary;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests.Remote;

/// <summary>What the remote source tests share: content builders and a scan of everything a source lists.</summary>
internal static class RemoteScan
{
    /// <summary>A valid SafeTensors file with one F32 tensor of <paramref name="dataLength"/> bytes.</summary>
    public static byte[] SafeTensors(int dataLength = 16)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + dataLength / 4 + "],\"data_offsets\":[0," + dataLength + "]}}");
        byte[] data = new byte[8 + json.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)json.Length);
        json.CopyTo(data, 8);
        return data;
    }

    /// <summary>A 64 MiB file whose SafeTensors header length points far past its end: rejected from its first bytes.</summary>
    public static byte[] BigBadSafeTensors(int size = 64 << 20)
    {
        byte[] big = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(big, 1UL << 40);
        Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",").CopyTo(big, 8);
        return big;
    }

    /// <summary>A pickle that calls os.system.</summary>
    public static byte[] EvilPickle() => PickleBuilder.Gadget("os", "system", "id");

    /// <summary>Scans every item <paramref name="source"/> lists, returning the results and the listing's events.</summary>
    public static (List<ModelScanResult> Results, List<SourceEvent> Events) All(IScanSource source, ScanOptions? options = null)
    {
        options ??= new ScanOptions();
        var events = new List<SourceEvent>();
        var engine = new ScanEngine(options);
        List<ModelScanResult> results = source.Enumerate(options, events.Add).Select(i => engine.Scan(i, CancellationToken.None)).ToList();
        return (results, events);
    }

    /// <summary>Everything a user could see: result descriptions, errors, finding messages and evidence, events.</summary>
    public static string Output(List<ModelScanResult> results, List<SourceEvent> events) => string.Join("\n",
        results.Select(r => r.Path + " " + r.Describe() + " " + string.Join(";", r.Errors) + " "
            + string.Join(";", r.Findings.Select(f => f.Message + " " + f.Evidence + " " + f.Member)))
        .Concat(events.Select(e => e.Path + " " + e.Message)));
}
