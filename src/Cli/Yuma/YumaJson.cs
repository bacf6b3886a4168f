using Bittensor.Ledger.Domain;
using System.Text.Json;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Cli.Yuma;

/// <summary>The `ledger yuma` JSON contract: one epoch in, one epoch out. Integers stay exact (no double anywhere).</summary>
public static class YumaJson
{
    private const int FlushThreshold = 1 << 16;

    /// <summary>Reads and validates an input document; throws <see cref="FieldErrorException"/> naming the field by its JSON path.</summary>
    public static YumaInput ParseInput(JsonElement root)
    {
        RequireObject(root, "input");
        var hpElement = Field(root, "hyperparameters", "");
        RequireObject(hpElement, "hyperparameters");
        var state = Field(root, "state", "");
        RequireObject(state, "state");

        int n = (int)UInt(Field(state, "n", "state"), "state.n", ushort.MaxValue);
        var hp = new YumaHyperparameters
        {
            Tempo = (ushort)UInt(Field(hpElement, "tempo", "hyperparameters"), "hyperparameters.tempo", ushort.MaxValue),
            ActivityCutoff = UInt(Field(hpElement, "activity_cutoff", "hyperparameters"), "hyperparameters.activity_cutoff"),
            StakeThreshold = UInt(Field(hpElement, "stake_threshold", "hyperparameters"), "hyperparameters.stake_threshold"),
            OwnerUid = OptionalU16(Field(hpElement, "owner_uid", "hyperparameters"), "hyperparameters.owner_uid"),
            MaxAllowedValidators = (ushort)UInt(Field(hpElement, "max_allowed_validators", "hyperparameters"), "hyperparameters.max_allowed_validators", ushort.MaxValue),
            Kappa = (ushort)UInt(Field(hpElement, "kappa", "hyperparameters"), "hyperparameters.kappa", ushort.MaxValue),
            BondsPenalty = (ushort)UInt(Field(hpElement, "bonds_penalty", "hyperparameters"), "hyperparameters.bonds_penalty", ushort.MaxValue),
            Yuma3 = Bool(Field(hpElement, "yuma3", "hyperparameters"), "hyperparameters.yuma3"),
            LiquidAlpha = Bool(Field(hpElement, "liquid_alpha", "hyperparameters"), "hyperparameters.liquid_alpha"),
            AlphaLow = (ushort)UInt(Field(hpElement, "alpha_low", "hyperparameters"), "hyperparameters.alpha_low", ushort.MaxValue),
            AlphaHigh = (ushort)UInt(Field(hpElement, "alpha_high", "hyperparameters"), "hyperparameters.alpha_high", ushort.MaxValue),
            AlphaSigmoidSteepness = I16(Field(hpElement, "alpha_sigmoid_steepness", "hyperparameters"), "hyperparameters.alpha_sigmoid_steepness"),
            BondsMovingAverage = UInt(Field(hpElement, "bonds_moving_average", "hyperparameters"), "hyperparameters.bonds_moving_average"),
            LastMechanismStepBlock = UInt(Field(hpElement, "last_mechanism_step_block", "hyperparameters"), "hyperparameters.last_mechanism_step_block"),
        };

        var stake = UIntArray(Field(state, "stake_alpha_rao", "state"), "state.stake_alpha_rao", exactLength: n);
        var registration = UIntArray(Field(state, "block_at_registration", "state"), "state.block_at_registration", exactLength: n);
        // last_update and validator_permit are masks: the reference tolerates any length (missing = masked).
        var lastUpdate = UIntArray(Field(state, "last_update", "state"), "state.last_update", exactLength: null);
        var permits = BoolArray(Field(state, "validator_permit", "state"), "state.validator_permit");
        var weights = SparseRows(Field(state, "weights", "state"), "state.weights", n);
        var bonds = SparseRows(Field(state, "bonds", "state"), "state.bonds", n);
        ulong[]? commitBlocks = null;
        if (state.TryGetProperty("commit_blocks", out var commits) && commits.ValueKind != JsonValueKind.Null)
        {
            commitBlocks = UIntArray(commits, "state.commit_blocks", exactLength: null);
        }

        return new YumaInput
        {
            CurrentBlock = UInt(Field(root, "current_block", ""), "current_block"),
            RaoEmission = UInt(Field(root, "rao_emission", ""), "rao_emission"),
            Hyperparameters = hp,
            N = n,
            StakeAlphaRao = stake,
            BlockAtRegistration = registration,
            LastUpdate = lastUpdate,
            ValidatorPermit = permits,
            Weights = weights,
            Bonds = bonds,
            CommitBlocks = commitBlocks,
        };
    }

    /// <summary>Writes the output document (field order as in docs/yuma-json.md).</summary>
    public static void WriteOutput(Utf8JsonWriter writer, YumaOutput output)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(output);
        writer.WriteStartObject();
        WriteU16("stake_weight", output.StakeWeight);
        WriteU16("consensus", output.Consensus);
        WriteU16("incentive", output.Incentive);
        WriteU16("dividends", output.Dividends);
        WriteU16("validator_trust", output.ValidatorTrust);
        WriteU64("server_emission", output.ServerEmission);
        WriteU64("validator_emission", output.ValidatorEmission);
        WriteU64("emission", output.Emission);
        WriteBool("active", output.Active);
        WriteBool("new_validator_permit", output.NewValidatorPermit);
        writer.WriteStartArray("bonds");
        foreach (var row in output.Bonds)
        {
            writer.WriteStartArray();
            foreach (var (col, val) in row)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(col);
                writer.WriteNumberValue(val);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            // Stream the bonds (the bulk of a large output) instead of holding the whole document in the writer's buffer.
            if (writer.BytesPending > FlushThreshold)
            {
                writer.Flush();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();

        void WriteU16(string name, ushort[] values)
        {
            writer.WriteStartArray(name);
            foreach (var v in values)
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        void WriteU64(string name, ulong[] values)
        {
            writer.WriteStartArray(name);
            foreach (var v in values)
            {
                writer.WriteNumberValue(v);
            }

            writer.WriteEndArray();
        }

        void WriteBool(string name, bool[] values)
        {
            writer.WriteStartArray(name);
            foreach (var v in values)
            {
                writer.WriteBooleanValue(v);
            }

            writer.WriteEndArray();
        }
    }

    private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    private static JsonElement Field(JsonElement obj, string name, string parent) =>
        obj.TryGetProperty(name, out var value) ? value : throw new FieldErrorException(Join(parent, name), "missing required field");

    private static void RequireObject(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new FieldErrorException(path, $"expected an object, got {Describe(e)}");
        }
    }

    private static ulong UInt(JsonElement e, string path, ulong max = ulong.MaxValue)
    {
        string range = max == ulong.MaxValue ? "0..18446744073709551615" : $"0..{max}";
        if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong v) && v <= max)
        {
            return v;
        }

        throw new FieldErrorException(path, $"expected an integer {range}, got {Describe(e)}");
    }

    private static short I16(JsonElement e, string path)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v is >= short.MinValue and <= short.MaxValue)
        {
            return (short)v;
        }

        throw new FieldErrorException(path, $"expected an integer -32768..32767, got {Describe(e)}");
    }

    private static ushort? OptionalU16(JsonElement e, string path) =>
        e.ValueKind == JsonValueKind.Null ? null : (ushort)UInt(e, path, ushort.MaxValue);

    private static bool Bool(JsonElement e, string path) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new FieldErrorException(path, $"expected true or false, got {Describe(e)}"),
    };

    private static void RequireArray(JsonElement e, string path)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new FieldErrorException(path, $"expected an array, got {Describe(e)}");
        }
    }

    private static ulong[] UIntArray(JsonElement e, string path, int? exactLength)
    {
        RequireArray(e, path);
        int len = e.GetArrayLength();
        if (exactLength is int expected && len != expected)
        {
            throw new FieldErrorException(path, $"expected {expected} entries (state.n), got {len}");
        }

        var result = new ulong[len];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            result[i] = UInt(item, $"{path}[{i}]");
            i++;
        }

        return result;
    }

    private static bool[] BoolArray(JsonElement e, string path)
    {
        RequireArray(e, path);
        var result = new bool[e.GetArrayLength()];
        int i = 0;
        foreach (var item in e.EnumerateArray())
        {
            result[i] = Bool(item, $"{path}[{i}]");
            i++;
        }

        return result;
    }

    private static (ushort Col, ushort Val)[][] SparseRows(JsonElement e, string path, int n)
    {
        RequireArray(e, path);
        int rows = e.GetArrayLength();
        if (rows > n)
        {
            throw new FieldErrorException(path, $"expected at most {n} rows (state.n), got {rows}");
        }

        var result = new (ushort Col, ushort Val)[n][];
        int i = 0;
        foreach (var row in e.EnumerateArray())
        {
            string rowPath = $"{path}[{i}]";
            RequireArray(row, rowPath);
            var entries = new (ushort Col, ushort Val)[row.GetArrayLength()];
            int k = 0;
            foreach (var pair in row.EnumerateArray())
            {
                string pairPath = $"{rowPath}[{k}]";
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
                {
                    throw new FieldErrorException(pairPath, $"expected a [column, value] pair, got {Describe(pair)}");
                }

                // Columns >= n are legal (the reference skips them); they must still be u16.
                entries[k] = ((ushort)UInt(pair[0], $"{pairPath}[0]", ushort.MaxValue), (ushort)UInt(pair[1], $"{pairPath}[1]", ushort.MaxValue));
                k++;
            }

            result[i++] = entries;
        }

        for (; i < n; i++)
        {
            result[i] = [];
        }

        return result;
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => e.GetRawText(),
        JsonValueKind.String => $"the string {e.GetRawText()}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => e.ValueKind.ToString(),
    };

    /// <summary>1-based line of the token at <paramref name="path"/> (or of its nearest existing parent), for error messages.</summary>
    public static long? LineOf(ReadOnlySpan<byte> utf8, string path)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var stack = new List<(bool IsArray, int Index, string Path)>();
        string? pendingName = null;
        long? bestLine = null;
        int bestLength = -1;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    pendingName = reader.GetString();
                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    stack.RemoveAt(stack.Count - 1);
                    continue;
                }

                string current;
                if (stack.Count == 0)
                {
                    current = "";
                }
                else if (stack[^1].IsArray)
                {
                    var top = stack[^1];
                    current = $"{top.Path}[{top.Index}]";
                    stack[^1] = (true, top.Index + 1, top.Path);
                }
                else
                {
                    current = Join(stack[^1].Path, pendingName ?? "");
                }

                if ((path == current || path.StartsWith(current + ".", StringComparison.Ordinal) || path.StartsWith(current + "[", StringComparison.Ordinal) || current.Length == 0)
                    && current.Length > bestLength)
                {
                    bestLength = current.Length;
                    bestLine = 1 + utf8[..(int)reader.TokenStartIndex].Count((byte)'\n');
                }

                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    stack.Add((false, 0, current));
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    stack.Add((true, 0, current));
                }
            }
        }
        catch (JsonException)
        {
            return bestLine;
        }

        return bestLine;
    }
}
