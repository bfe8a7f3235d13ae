using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// Writes a JSON model as XGBoost's UBJWriter writes it (src/common/json.cc): keys and strings with an 'L' int64
/// length, integers in the smallest of i/I/l/L, numbers as 'd' float32, counted arrays ('[#L' n), and the tree's node
/// arrays as typed arrays ('[$l#L' n for int32 indices, '[$d#L' for float32 values, '[$U#L' for uint8 flags), all
/// big-endian.
/// </summary>
internal static class UbjsonBuilder
{
    private static readonly HashSet<string> s_int32Arrays = new() { "left_children", "right_children", "parents", "split_indices" };
    private static readonly HashSet<string> s_float32Arrays = new() { "base_weights", "loss_changes", "split_conditions", "sum_hessian" };
    private static readonly HashSet<string> s_uint8Arrays = new() { "default_left", "split_type" };

    public static byte[] FromJson(byte[] json)
    {
        var output = new MemoryStream();
        Write(output, JsonNode.Parse(json), null);
        return output.ToArray();
    }

    private static void Write(MemoryStream s, JsonNode? node, string? key)
    {
        switch (node)
        {
            case null:
                s.WriteByte((byte)'Z');
                break;
            case JsonObject obj:
                s.WriteByte((byte)'{');
                foreach ((string name, JsonNode? value) in obj)
                {
                    Str(s, name);
                    Write(s, value, name);
                }

                s.WriteByte((byte)'}');
                break;
            case JsonArray array when key is not null && (s_int32Arrays.Contains(key) || s_float32Arrays.Contains(key) || s_uint8Arrays.Contains(key)):
                char type = s_int32Arrays.Contains(key) ? 'l' : s_float32Arrays.Contains(key) ? 'd' : 'U';
                s.Write(Encoding.ASCII.GetBytes($"[${type}#L"));
                Int64(s, array.Count);
                foreach (JsonNode? v in array)
                {
                    byte[] raw = type switch
                    {
                        'l' => BigEndian(b => BinaryPrimitives.WriteInt32BigEndian(b, (int)v!.GetValue<long>()), 4),
                        'd' => BigEndian(b => BinaryPrimitives.WriteSingleBigEndian(b, (float)v!.GetValue<double>()), 4),
                        _ => new[] { (byte)v!.GetValue<long>() },
                    };
                    s.Write(raw);
                }

                break;
            case JsonArray array:
                s.Write("[#L"u8);
                Int64(s, array.Count);
                foreach (JsonNode? v in array)
                {
                    Write(s, v, null);
                }

                break;
            case JsonValue value when value.TryGetValue(out string? text):
                s.WriteByte((byte)'S');
                Str(s, text);
                break;
            case JsonValue value when value.TryGetValue(out bool flag):
                s.WriteByte(flag ? (byte)'T' : (byte)'F');
                break;
            case JsonValue value when value.ToJsonString() is var raw && !raw.Contains('.') && !raw.Contains('E') && !raw.Contains('e'):
                Integer(s, long.Parse(raw, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case JsonValue value:
                s.WriteByte((byte)'d');
                s.Write(BigEndian(b => BinaryPrimitives.WriteSingleBigEndian(b, (float)value.GetValue<double>()), 4));
                break;
        }
    }

    private static void Integer(MemoryStream s, long i)
    {
        if (i > sbyte.MinValue && i < sbyte.MaxValue)
        {
            s.WriteByte((byte)'i');
            s.WriteByte((byte)(sbyte)i);
        }
        else if (i > short.MinValue && i < short.MaxValue)
        {
            s.WriteByte((byte)'I');
            s.Write(BigEndian(b => BinaryPrimitives.WriteInt16BigEndian(b, (short)i), 2));
        }
        else if (i > int.MinValue && i < int.MaxValue)
        {
            s.WriteByte((byte)'l');
            s.Write(BigEndian(b => BinaryPrimitives.WriteInt32BigEndian(b, (int)i), 4));
        }
        else
        {
            s.WriteByte((byte)'L');
            Int64(s, i);
        }
    }

    private static void Str(MemoryStream s, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        s.WriteByte((byte)'L');
        Int64(s, bytes.Length);
        s.Write(bytes);
    }

    private static void Int64(MemoryStream s, long v) => s.Write(BigEndian(b => BinaryPrimitives.WriteInt64BigEndian(b, v), 8));

    private static byte[] BigEndian(Action<byte[]> write, int size)
    {
        byte[] b = new byte[size];
        write(b);
        return b;
    }
}
