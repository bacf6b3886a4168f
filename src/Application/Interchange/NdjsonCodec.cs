using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Application.Interchange;

/// <summary>
/// The NDJSON interchange format (docs/import-format.md): one event per line,
/// <c>{"type":"weights_set","block":123,...}</c>, snake_case types and fields, amounts in rao as JSON integers or
/// decimal strings, keys as SS58 strings. Strict: unknown fields, duplicate fields and trailing content are errors,
/// because an audit ledger must not silently drop what a line says. Hand-written over <see cref="Utf8JsonReader"/>
/// (no reflection), as the import parses millions of lines.
/// </summary>
public static class NdjsonCodec
{
    private const int MaxIdLength = 128;

    [ThreadStatic]
    private static FieldValues? t_values;

    [ThreadStatic]
    private static List<ushort>? t_array;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_canonical;

    [ThreadStatic]
    private static Utf8JsonWriter? t_canonicalWriter;

    // SS58 decoding (base58 + Blake2b checksum) dominates parsing; a chain has far fewer distinct keys than lines.
    private const int KeyCacheLimit = 1 << 20;
    private static readonly ConcurrentDictionary<string, Hotkey> HotkeyCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Coldkey> ColdkeyCache = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Hotkey>.AlternateLookup<ReadOnlySpan<char>> HotkeyLookup =
        HotkeyCache.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly ConcurrentDictionary<string, Coldkey>.AlternateLookup<ReadOnlySpan<char>> ColdkeyLookup =
        ColdkeyCache.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Parses one line (without its newline). On success the natural key is the line's <c>"id"</c>, else the
    /// content key <c>{block}:{hash}</c> of its first occurrence; use <see cref="NaturalKeyScope"/> to number repeated
    /// identical lines of a block.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Line, [MaybeNullWhen(false)] out ParsedLine line, out FieldError? error)
    {
        line = null;
        try
        {
            // The JSON reader checks UTF-8 only when a string is read (and then throws); check the line once, and name
            // the field whose text is not UTF-8.
            if (!Utf8.IsValid(utf8Line) && InvalidUtf8Field(utf8Line) is { } field)
            {
                error = new FieldError(field, "not valid UTF-8");
                return false;
            }

            return TryParseCore(utf8Line, out line, out error);
        }
        catch (JsonException ex)
        {
            error = new FieldError("line", $"not valid JSON: {JsonReason(ex)}");
            return false;
        }
    }

    /// <summary>Text from the input as an error message shows it: at most 64 characters, so a huge name is not echoed.</summary>
    private static string Shown(string text) => text.Length <= 64 ? text : $"{text[..61]}... ({text.Length} characters)";

    /// <summary>The reader's message without its "LineNumber: 0 | BytePositionInLine: N." tail (the file's line is
    /// already named), with the byte offset kept in words.</summary>
    private static string JsonReason(JsonException ex)
    {
        var message = ex.Message;
        var tail = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (tail >= 0)
        {
            message = message[..tail].TrimEnd();
        }

        return ex.BytePositionInLine is { } position ? $"{message} (at byte {position + 1})" : message;
    }

    /// <summary>The field (the last property name before it; "line" when it is a name itself or at the top) of the
    /// first string that is not valid UTF-8, or null when the bad bytes are outside strings (the JSON reader reports those).</summary>
    private static string? InvalidUtf8Field(ReadOnlySpan<byte> utf8Line)
    {
        var reader = new Utf8JsonReader(utf8Line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var property = "line";
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String))
                {
                    continue;
                }

                if (!Utf8.IsValid(reader.ValueSpan))
                {
                    return reader.TokenType == JsonTokenType.PropertyName || reader.CurrentDepth == 0 ? "line" : property;
                }

                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    property = reader.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Parses a line given as a string (tests, docs, the CLI).</summary>
    public static bool TryParse(string line, [MaybeNullWhen(false)] out ParsedLine parsed, out FieldError? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        return TryParse(Encoding.UTF8.GetBytes(line), out parsed, out error);
    }

    /// <summary>Writes one event as one JSON object (no newline), fields in canonical order.</summary>
    public static void Write(Utf8JsonWriter w, ILedgerEvent e, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(e);
        var type = EventType.Of(e);
        w.WriteStartObject();
        w.WriteString("type"u8, type.Utf8Name);
        if (id is not null)
        {
            w.WriteString("id"u8, id);
        }

        foreach (var field in type.Fields)
        {
            field.Write(w, e);
        }

        w.WriteEndObject();
    }

    /// <summary>One event as one line of text (no newline).</summary>
    public static string Write(ILedgerEvent e, string? id = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, e, id);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes events as NDJSON (one per line, <c>\n</c>-terminated); returns the number written.</summary>
    public static long WriteAll(Stream output, IEnumerable<ILedgerEvent> events)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(events);
        long count = 0;
        using var w = new Utf8JsonWriter(output);
        foreach (var e in events)
        {
            Write(w, e);
            w.Flush();
            output.WriteByte((byte)'\n');
            w.Reset(output);
            count++;
        }

        return count;
    }

    /// <summary>The content key of an event: <c>{block}:{first 16 bytes of SHA-256 of its canonical line, hex}</c>.</summary>
    public static string ContentKey(ILedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = t_canonical ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var w = t_canonicalWriter ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        Write(w, e);
        w.Flush();
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return $"{e.Block.Value}:{Convert.ToHexStringLower(hash[..16])}";
    }

    private static bool TryParseCore(ReadOnlySpan<byte> utf8Line, [MaybeNullWhen(false)] out ParsedLine line, out FieldError? error)
    {
        line = null;
        var options = new JsonReaderOptions { MaxDepth = 8 };
        if (!FindType(utf8Line, options, out var type, out error))
        {
            return false;
        }

        var values = t_values ??= new FieldValues();
        values.Reset();
        string? id = null;
        var reader = new Utf8JsonReader(utf8Line, options);
        reader.Read();
        var fields = type.Fields;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                continue;
            }

            if (reader.ValueTextEquals("id"u8))
            {
                if (id is not null)
                {
                    error = new FieldError("id", "appears more than once");
                    return false;
                }

                reader.Read();
                if (!TryReadId(ref reader, out id, out error))
                {
                    return false;
                }

                continue;
            }

            var index = -1;
            for (var i = 0; i < fields.Length; i++)
            {
                if (reader.ValueTextEquals(fields[i].Utf8Name))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                var name = Shown(reader.GetString()!);
                error = new FieldError(name, $"unknown field '{name}' for type '{type.Name}'");
                return false;
            }

            var field = fields[index];
            if (values.Present[index])
            {
                error = new FieldError(field.Name, "appears more than once");
                return false;
            }

            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (field.Optional)
                {
                    continue;
                }

                error = new FieldError(field.Name, "must not be null");
                return false;
            }

            if (!TryReadField(ref reader, field, index, values, out error))
            {
                return false;
            }

            values.Present[index] = true;
        }

        // Anything after the closing brace (a second object, garbage) makes the reader throw: a JSON error.
        reader.Read();

        for (var i = 0; i < fields.Length; i++)
        {
            if (!values.Present[i] && !fields[i].Optional)
            {
                error = new FieldError(fields[i].Name, "missing");
                return false;
            }
        }

        var e = type.Build(values);
        values.Reset();
        line = id is null
            ? new ParsedLine(e, ContentKey(e), type.Name)
            : new ParsedLine(e, id, type.Name) { HasExplicitId = true };
        error = null;
        return true;
    }

    private static bool FindType(ReadOnlySpan<byte> utf8Line, JsonReaderOptions options, [MaybeNullWhen(false)] out EventType type, out FieldError? error)
    {
        type = null;
        var reader = new Utf8JsonReader(utf8Line, options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = new FieldError("line", "expected a JSON object");
            return false;
        }

        var seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (!isType)
            {
                reader.Skip();
                continue;
            }

            if (seen)
            {
                error = new FieldError("type", "appears more than once");
                return false;
            }

            seen = true;
            if (reader.TokenType != JsonTokenType.String)
            {
                error = new FieldError("type", "expected a string");
                return false;
            }

            type = reader.ValueIsEscaped ? null : EventType.Find(reader.ValueSpan);
            if (type is null)
            {
                error = new FieldError("type", $"unknown event type '{Shown(reader.GetString()!)}'");
                return false;
            }
        }

        if (type is null)
        {
            error = new FieldError("type", "missing");
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadId(ref Utf8JsonReader reader, out string? id, out FieldError? error)
    {
        id = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            error = new FieldError("id", "expected a string");
            return false;
        }

        var value = reader.GetString()!;
        if (value.Length is 0 or > MaxIdLength)
        {
            error = new FieldError("id", $"must be 1..{MaxIdLength} characters");
            return false;
        }

        foreach (var c in value)
        {
            // No ':' so that an id can never collide with a content key ({block}:{hash}).
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                error = new FieldError("id", $"may contain only ASCII letters, digits, '-', '_' and '.', not '{c}'");
                return false;
            }
        }

        id = value;
        error = null;
        return true;
    }

    private static bool TryReadField(ref Utf8JsonReader reader, FieldSpec field, int index, FieldValues values, out FieldError? error)
    {
        error = null;
        switch (field.Kind)
        {
            case FieldKind.U64:
                if (TryReadU64(ref reader, out values.Numbers[index]))
                {
                    return true;
                }

                error = new FieldError(field.Name, "expected an unsigned 64-bit integer (a JSON integer or a decimal string)");
                return false;
            case FieldKind.U16:
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var u16))
                {
                    values.Numbers[index] = u16;
                    return true;
                }

                error = new FieldError(field.Name, "expected an integer 0..65535");
                return false;
            case FieldKind.Hotkey:
                if (TryReadHotkey(ref reader, out values.Hotkeys[index], out var hotReason))
                {
                    return true;
                }

                error = new FieldError(field.Name, hotReason);
                return false;
            case FieldKind.Coldkey:
                if (TryReadColdkey(ref reader, out values.Coldkeys[index], out var coldReason))
                {
                    return true;
                }

                error = new FieldError(field.Name, coldReason);
                return false;
            case FieldKind.U16Array:
                return TryReadArray(ref reader, field.Name, index, values, out error);
            case FieldKind.Hyperparameters:
                if (TryReadParameters(ref reader, field.Name, new SubnetHyperparameters(), ParameterFields.Hyperparameters, out var hp, out error))
                {
                    values.Objects[index] = hp;
                    return true;
                }

                return false;
            case FieldKind.NetworkParameters:
                if (TryReadParameters(ref reader, field.Name, new NetworkParameters(), ParameterFields.Network, out var np, out error))
                {
                    values.Objects[index] = np;
                    return true;
                }

                return false;
            default:
                throw new InvalidOperationException($"unhandled field kind {field.Kind}");
        }
    }

    private static bool TryReadU64(ref Utf8JsonReader reader, out ulong value)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetUInt64(out value);
        }

        value = 0;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        var digits = reader.ValueSpan;
        if (digits.IsEmpty || digits.Length > 20)
        {
            return false;
        }

        foreach (var d in digits)
        {
            var digit = (uint)(d - '0');
            if (digit > 9)
            {
                return false;
            }

            if (value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = value * 10 + digit;
        }

        return true;
    }

    private static bool TryReadArray(ref Utf8JsonReader reader, string name, int index, FieldValues values, out FieldError? error)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = new FieldError(name, "expected an array of integers 0..65535");
            return false;
        }

        var list = t_array ??= new List<ushort>(256);
        list.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt16(out var item))
            {
                error = new FieldError($"{name}[{list.Count}]", "expected an integer 0..65535");
                return false;
            }

            list.Add(item);
        }

        values.Objects[index] = list.ToArray();
        error = null;
        return true;
    }

    private static bool TryReadParameters<T>(ref Utf8JsonReader reader, string name, T value, ParameterField<T>[] table, out T result, out FieldError? error)
    {
        result = value;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new FieldError(name, "expected an object");
            return false;
        }

        Span<bool> seen = stackalloc bool[table.Length];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < table.Length; i++)
            {
                if (reader.ValueTextEquals(table[i].Utf8Name))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                var unknown = Shown(reader.GetString()!);
                error = new FieldError($"{name}.{unknown}", $"unknown field '{unknown}'");
                return false;
            }

            var field = table[index];
            if (seen[index])
            {
                error = new FieldError($"{name}.{field.Name}", "appears more than once");
                return false;
            }

            seen[index] = true;
            reader.Read();
            long raw;
            string? reason = null;
            switch (field.Kind)
            {
                case ScalarKind.U16:
                    raw = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var u16) ? u16 : -1;
                    reason = raw < 0 ? "expected an integer 0..65535" : null;
                    break;
                case ScalarKind.I16:
                    raw = reader.TokenType == JsonTokenType.Number && reader.TryGetInt16(out var i16) ? i16 : long.MinValue;
                    reason = raw == long.MinValue ? "expected an integer -32768..32767" : null;
                    break;
                case ScalarKind.Bool:
                    raw = reader.TokenType == JsonTokenType.True ? 1 : 0;
                    reason = reader.TokenType is JsonTokenType.True or JsonTokenType.False ? null : "expected true or false";
                    break;
                default:
                    var ok = TryReadU64(ref reader, out var u64);
                    raw = unchecked((long)u64);
                    reason = ok ? null : "expected an unsigned 64-bit integer (a JSON integer or a decimal string)";
                    break;
            }

            if (reason is not null)
            {
                error = new FieldError($"{name}.{field.Name}", reason);
                return false;
            }

            result = field.Set(result, raw);
        }

        error = null;
        return true;
    }

    private static bool TryReadHotkey(ref Utf8JsonReader reader, out Hotkey key, out string reason)
    {
        key = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            reason = "expected an SS58 address string";
            return false;
        }

        Span<char> chars = stackalloc char[64];
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= chars.Length &&
            System.Text.Ascii.ToUtf16(reader.ValueSpan, chars, out var written) == OperationStatus.Done &&
            HotkeyLookup.TryGetValue(chars[..written], out key))
        {
            reason = string.Empty;
            return true;
        }

        var address = reader.GetString()!;
        if (!Hotkey.TryParse(address, out key, out var why))
        {
            reason = $"not a valid SS58 address: {why}";
            return false;
        }

        if (HotkeyCache.Count < KeyCacheLimit)
        {
            HotkeyCache.TryAdd(address, key);
        }

        reason = string.Empty;
        return true;
    }

    private static bool TryReadColdkey(ref Utf8JsonReader reader, out Coldkey key, out string reason)
    {
        key = default;
        if (reader.TokenType != JsonTokenType.String)
        {
            reason = "expected an SS58 address string";
            return false;
        }

        Span<char> chars = stackalloc char[64];
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= chars.Length &&
            System.Text.Ascii.ToUtf16(reader.ValueSpan, chars, out var written) == OperationStatus.Done &&
            ColdkeyLookup.TryGetValue(chars[..written], out key))
        {
            reason = string.Empty;
            return true;
        }

        var address = reader.GetString()!;
        if (!Coldkey.TryParse(address, out key, out var why))
        {
            reason = $"not a valid SS58 address: {why}";
            return false;
        }

        if (ColdkeyCache.Count < KeyCacheLimit)
        {
            ColdkeyCache.TryAdd(address, key);
        }

        reason = string.Empty;
        return true;
    }
}

/// <summary>Numbers repeated identical lines within a block, so that each gets its own natural key: the first keeps
/// <c>{block}:{hash}</c>, the k-th (k ≥ 2) becomes <c>{block}:{hash}#k</c>. Lines must come in block order (the import
/// rejects anything else); lines with an explicit <c>"id"</c> pass through unchanged.</summary>
public sealed class NaturalKeyScope
{
    private readonly Dictionary<string, int> _occurrences = new(StringComparer.Ordinal);
    private ulong _block = ulong.MaxValue;

    public ParsedLine Assign(ParsedLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.HasExplicitId)
        {
            return line;
        }

        var key = Next(line.Event.Block, line.NaturalKey);
        return ReferenceEquals(key, line.NaturalKey) ? line : line with { NaturalKey = key };
    }

    /// <summary>The natural key of the next event with content key <paramref name="contentKey"/> at
    /// <paramref name="block"/>: the content key itself the first time in the block, then <c>{key}#2</c>, <c>#3</c>, …
    /// (identical facts in one block are distinct events). Events must come in block order.</summary>
    public string Next(Block block, string contentKey)
    {
        ArgumentNullException.ThrowIfNull(contentKey);
        if (block.Value != _block)
        {
            _occurrences.Clear();
            _block = block.Value;
        }

        var count = _occurrences.GetValueOrDefault(contentKey) + 1;
        _occurrences[contentKey] = count;
        return count == 1 ? contentKey : string.Create(CultureInfo.InvariantCulture, $"{contentKey}#{count}");
    }
}
