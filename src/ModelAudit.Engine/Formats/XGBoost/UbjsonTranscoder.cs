using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ModelAudit.Engine.Formats.XGBoost;

/// <summary>
/// Rewrites a Universal Binary JSON document as JSON text, so an XGBoost <c>.ubj</c> model goes through the same checks
/// as its JSON form. Follows the UBJSON draft 12 markers XGBoost's UBJWriter uses (src/common/json.cc): objects
/// <c>{</c> key value … <c>}</c> with keys as an integer length and bytes, arrays either <c>[</c> … <c>]</c> or
/// counted (<c>[#L n</c>) and typed (<c>[$d#L n</c> then n raw values), integers i/U/I/l/L, floats d (float32) and D
/// (float64), strings S, chars C, high-precision numbers H, null Z, no-op N, booleans T/F; every number big-endian.
/// Every count and length is checked against the bytes left before anything is read; depth and output are bounded.
/// </summary>
internal sealed class UbjsonTranscoder
{
    // XGBoost models nest five or six levels (learner → gradient_booster → model → trees → tree → arrays).
    private const int MaxDepth = 64;

    private readonly byte[] _data;
    private readonly Utf8JsonWriter _json;
    private readonly MemoryStream _output;
    private readonly long _maxOutput;
    private int _pos;

    private UbjsonTranscoder(byte[] data, long maxOutput)
    {
        _data = data;
        _maxOutput = maxOutput;
        _output = new MemoryStream();
        _json = new Utf8JsonWriter(_output, new JsonWriterOptions { SkipValidation = false, MaxDepth = MaxDepth + 1 });
    }

    /// <summary>The JSON text of the UBJSON value in <paramref name="data"/>; at most <paramref name="maxOutput"/> bytes.</summary>
    public static byte[] ToJson(byte[] data, long maxOutput)
    {
        var transcoder = new UbjsonTranscoder(data, maxOutput);
        transcoder.Value(transcoder.Marker(), 0);
        transcoder._json.Flush();
        return transcoder._output.ToArray();
    }

    private byte Marker()
    {
        while (true)
        {
            byte marker = Byte();
            if (marker != (byte)'N')
            {
                return marker;
            }
        }
    }

    private void Value(byte marker, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ModelFormatException($"The UBJSON document nests deeper than {MaxDepth} levels.", _pos);
        }

        switch ((char)marker)
        {
            case 'Z': _json.WriteNullValue(); break;
            case 'T': _json.WriteBooleanValue(true); break;
            case 'F': _json.WriteBooleanValue(false); break;
            case 'i' or 'U' or 'I' or 'l' or 'L': _json.WriteNumberValue(Integer(marker)); break;
            case 'd': Float(BinaryPrimitives.ReadSingleBigEndian(Take(4))); break;
            case 'D': Float(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            case 'C': _json.WriteStringValue(((char)Byte()).ToString()); break;
            case 'S': _json.WriteStringValue(String()); break;
            case 'H': HighPrecision(); break;
            case '[': Array(depth); break;
            case '{': Object(depth); break;
            default: throw new ModelFormatException($"Unknown UBJSON marker 0x{marker:X2}.", _pos - 1);
        }

        if (_json.BytesPending + _output.Length > _maxOutput)
        {
            throw new ScanLimitExceededException(nameof(Scanning.ScanLimits.MaxHeaderBytes), $"The UBJSON model expands past {_maxOutput:N0} bytes of JSON; it is not parsed.", _pos);
        }

        if (_json.BytesPending > 1 << 16)
        {
            _json.Flush();
        }
    }

    private void Array(int depth)
    {
        (byte? type, long? count) = ContainerHeader();
        _json.WriteStartArray();
        if (count is { } n)
        {
            // A typed array holds n raw values of one size: they must all be there.
            if (type is { } t && n > (_data.Length - _pos) / Math.Max(1, FixedSize(t)))
            {
                throw new ModelFormatException($"A UBJSON array declares {n:N0} values, more than the bytes left hold.", _pos);
            }

            for (long i = 0; i < n; i++)
            {
                Value(type ?? Marker(), depth + 1);
            }
        }
        else
        {
            byte marker;
            while ((marker = Marker()) != (byte)']')
            {
                Value(marker, depth + 1);
            }
        }

        _json.WriteEndArray();
    }

    private void Object(int depth)
    {
        (byte? type, long? count) = ContainerHeader();
        _json.WriteStartObject();
        if (count is { } n)
        {
            for (long i = 0; i < n; i++)
            {
                _json.WritePropertyName(Key());
                Value(type ?? Marker(), depth + 1);
            }
        }
        else
        {
            while (Peek() != (byte)'}')
            {
                _json.WritePropertyName(Key());
                Value(Marker(), depth + 1);
            }

            _pos++;
        }

        _json.WriteEndObject();
    }

    // Optional "$type" then "#count"; a type without a count is invalid UBJSON.
    private (byte? Type, long? Count) ContainerHeader()
    {
        byte? type = null;
        long? count = null;
        if (Peek() == (byte)'$')
        {
            _pos++;
            type = Byte();
            if (Peek() != (byte)'#')
            {
                throw new ModelFormatException("A typed UBJSON container has no count.", _pos);
            }
        }

        if (Peek() == (byte)'#')
        {
            _pos++;
            long n = Integer(Byte());
            count = n >= 0 && n <= _data.Length - _pos ? n : throw new ModelFormatException($"A UBJSON container declares {n:N0} entries.", _pos);
        }

        return (type, count);
    }

    private static int FixedSize(byte type) => (char)type switch
    {
        'i' or 'U' or 'C' => 1,
        'I' => 2,
        'l' or 'd' => 4,
        'L' or 'D' => 8,
        _ => 1,
    };

    private long Integer(byte marker) => (char)marker switch
    {
        'i' => unchecked((sbyte)Byte()), // int8 is two's complement: 0x80-0xFF are negative, not an overflow
        'U' => Byte(),
        'I' => BinaryPrimitives.ReadInt16BigEndian(Take(2)),
        'l' => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
        'L' => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
        _ => throw new ModelFormatException($"UBJSON marker 0x{marker:X2} is not an integer where a length is expected.", _pos - 1),
    };

    private string Key() => Encoding.UTF8.GetString(Take(Length()));

    private string String() => Encoding.UTF8.GetString(Take(Length()));

    private int Length()
    {
        long n = Integer(Byte());
        return n >= 0 && n <= _data.Length - _pos ? (int)n : throw new ModelFormatException($"A UBJSON string declares {n:N0} bytes, more than are left.", _pos);
    }

    private void HighPrecision()
    {
        string text = Encoding.ASCII.GetString(Take(Length()));
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d))
        {
            _json.WriteNumberValue(d);
        }
        else
        {
            _json.WriteStringValue(text);
        }
    }

    // JSON has no NaN or infinities; XGBoost's JSON writer spells them as strings too.
    private void Float(double value)
    {
        if (double.IsFinite(value))
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private byte Peek() => _pos < _data.Length ? _data[_pos] : throw new ModelFormatException("The UBJSON document ends early.", _pos);

    private byte Byte() => _pos < _data.Length ? _data[_pos++] : throw new ModelFormatException("The UBJSON document ends early.", _pos);

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _pos)
        {
            throw new ModelFormatException("The UBJSON document ends early.", _pos);
        }

        ReadOnlySpan<byte> span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }
}
