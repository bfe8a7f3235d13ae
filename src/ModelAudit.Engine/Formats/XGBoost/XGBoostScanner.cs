using System.Buffers;
using System.Text.Json;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.IO;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.XGBoost;

/// <summary>
/// XGBoost models saved as JSON (<c>Booster.save_model("m.json")</c>, the layout of XGBoost's model.schema):
/// the learner's parameters, every tree's node arrays (equal lengths, child and feature indices in range, counts
/// that agree with tree_param and gbtree_model_param), and the free-text attributes, which go to the analyzers.
/// Pickled boosters are pickles and go through the pickle engine.
/// </summary>
internal sealed class XGBoostScanner : IFormatScanner
{
    public ScannerInfo Info { get; } = new("xgboost", "XGBoost", new[] { XGBoostFormats.XGBoostJson });

    // XGBoost's JSON writer starts with the learner object: {"learner":{...},"version":[...]}; its UBJSON writer with
    // '{', the key length as an int64 ('L' and 8 big-endian bytes) and "learner".
    public Reading? Sniff(SniffInput input)
    {
        if (input.Head.AsSpan().StartsWith("{L\0\0\0\0\0\0\0\u0007learner"u8))
        {
            return new Reading(XGBoostFormats.XGBoostUbj, this, ReadingStrength.Structural);
        }

        ReadOnlySpan<byte> h = input.Head.AsSpan().TrimStart(" \t\r\n"u8);
        return h.Length > 1 && h[0] == (byte)'{' && h[1..].TrimStart(" \t\r\n"u8).StartsWith("\"learner\""u8)
            ? new Reading(XGBoostFormats.XGBoostJson, this, ReadingStrength.Structural) : null;
    }

    public void Scan(ScanInput input, ScanContext context)
    {
        // The tree walk needs the whole document; a JSON model larger than the header budget is reported, not parsed.
        long limit = context.Limits.MaxHeaderBytes;
        if (input.Length is { } length && length > limit)
        {
            throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes),
                $"The XGBoost JSON model is {length:N0} bytes; documents over {limit:N0} bytes are not parsed.");
        }

        byte[] text = ReadAll(input.Stream, limit);
        if (ReferenceEquals(input.Format, XGBoostFormats.XGBoostUbj))
        {
            text = UbjsonTranscoder.ToJson(text, limit);
        }

        JsonDocument document;
        try
        {
            document = Utf8Json.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"The XGBoost model is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("learner", out JsonElement learner) || learner.ValueKind != JsonValueKind.Object)
            {
                context.Report(RuleIds.TreeModelStructureInvalid, "The document has no learner object.", 0, "learner");
                return;
            }

            var check = new XGBoostLearnerCheck(context);
            check.Run(learner);
        }
    }

    private static byte[] ReadAll(Stream stream, long limit)
    {
        var buffer = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw new ScanLimitExceededException(nameof(ScanLimits.MaxHeaderBytes), $"The XGBoost JSON model is larger than {limit:N0} bytes; it is not parsed.");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
