using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Cli.Yuma;

/// <summary>
/// The fast path of the `ledger yuma` input (docs/yuma-json.md): one forward pass of <see cref="Utf8JsonReader"/>
/// over the UTF-8 text, no document tree, no per-entry strings. It accepts only what <see cref="YumaJson.ParseInput"/>
/// accepts and builds the same <see cref="YumaInput"/>; on anything else (malformed JSON, a wrong type, a missing or
/// duplicate field, a length mismatch) it returns null and the caller runs <see cref="YumaJson.ParseInput"/>, which
/// names the field. So every error message stays that of one code path, and a valid document is read once.
/// The two loops that see every number are compiled fully optimized on first call: a one-shot process would otherwise
/// run them as unoptimized code until on-stack replacement and tier-1 recompilation catch up.
/// </summary>
public static class YumaJsonReader
{
    /// <summary>The options <see cref="JsonDocument"/> is given by the command: same depth limit, no comments.</summary>
    public static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    /// <summary>The input, or null when the document is not a valid input (then nothing is known about why).</summary>
    public static YumaInput? TryRead(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, Options);
        var scratch = new Scratch();
        try
        {
            return ReadDocument(ref reader, ref scratch);
        }
        catch (JsonException)
        {
            return null;
        }
        finally
        {
            scratch.Dispose();
        }
    }

    private static YumaInput? ReadDocument(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        ulong currentBlock = 0, raoEmission = 0;
        YumaHyperparameters? hp = null;
        State? state = null;
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("current_block"u8) ? 1
                : reader.ValueTextEquals("rao_emission"u8) ? 2
                : reader.ValueTextEquals("hyperparameters"u8) ? 4
                : reader.ValueTextEquals("state"u8) ? 8
                : 0;
            if (field == 0)
            {
                reader.Skip();
                continue;
            }

            if ((seen & field) != 0)
            {
                return null; // a duplicate key: the document reader's rule decides which one counts
            }

            seen |= field;
            reader.Read();
            bool ok = field switch
            {
                1 => UInt(ref reader, ulong.MaxValue, out currentBlock),
                2 => UInt(ref reader, ulong.MaxValue, out raoEmission),
                4 => (hp = ReadHyperparameters(ref reader)) is not null,
                _ => (state = ReadState(ref reader, ref scratch)) is not null,
            };
            if (!ok)
            {
                return null;
            }
        }

        // The root object is closed; anything after it but whitespace makes the reader throw.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read() || seen != 15 || hp is null || state is null)
        {
            return null;
        }

        int n = state.N;
        if (state.Stake.Length != n || state.Registration.Length != n || state.Weights.Count > n || state.Bonds.Count > n)
        {
            return null;
        }

        return new YumaInput
        {
            CurrentBlock = currentBlock,
            RaoEmission = raoEmission,
            Hyperparameters = hp,
            N = n,
            StakeAlphaRao = state.Stake,
            BlockAtRegistration = state.Registration,
            LastUpdate = state.LastUpdate,
            ValidatorPermit = state.Permits,
            Weights = Rows(state.Weights, n),
            Bonds = Rows(state.Bonds, n),
            CommitBlocks = state.CommitBlocks,
        };
    }

    private static YumaHyperparameters? ReadHyperparameters(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        ulong tempo = 0, cutoff = 0, threshold = 0, maxValidators = 0, kappa = 0, penalty = 0, low = 0, high = 0, bma = 0, lastStep = 0;
        ushort? owner = null;
        bool yuma3 = false, liquid = false;
        short steepness = 0;
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = HyperparameterField(ref reader);
            if (field == 0)
            {
                reader.Skip();
                continue;
            }

            if ((seen & field) != 0)
            {
                return null;
            }

            seen |= field;
            reader.Read();
            bool ok = field switch
            {
                1 << 0 => UInt(ref reader, ushort.MaxValue, out tempo),
                1 << 1 => UInt(ref reader, ulong.MaxValue, out cutoff),
                1 << 2 => UInt(ref reader, ulong.MaxValue, out threshold),
                1 << 3 => OptionalU16(ref reader, out owner),
                1 << 4 => UInt(ref reader, ushort.MaxValue, out maxValidators),
                1 << 5 => UInt(ref reader, ushort.MaxValue, out kappa),
                1 << 6 => UInt(ref reader, ushort.MaxValue, out penalty),
                1 << 7 => Bool(ref reader, out yuma3),
                1 << 8 => Bool(ref reader, out liquid),
                1 << 9 => UInt(ref reader, ushort.MaxValue, out low),
                1 << 10 => UInt(ref reader, ushort.MaxValue, out high),
                1 << 11 => I16(ref reader, out steepness),
                1 << 12 => UInt(ref reader, ulong.MaxValue, out bma),
                _ => UInt(ref reader, ulong.MaxValue, out lastStep),
            };
            if (!ok)
            {
                return null;
            }
        }

        if (seen != (1 << 14) - 1)
        {
            return null;
        }

        return new YumaHyperparameters
        {
            Tempo = (ushort)tempo,
            ActivityCutoff = cutoff,
            StakeThreshold = threshold,
            OwnerUid = owner,
            MaxAllowedValidators = (ushort)maxValidators,
            Kappa = (ushort)kappa,
            BondsPenalty = (ushort)penalty,
            Yuma3 = yuma3,
            LiquidAlpha = liquid,
            AlphaLow = (ushort)low,
            AlphaHigh = (ushort)high,
            AlphaSigmoidSteepness = steepness,
            BondsMovingAverage = bma,
            LastMechanismStepBlock = lastStep,
        };
    }

    private static int HyperparameterField(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("tempo"u8) ? 1 << 0
        : reader.ValueTextEquals("activity_cutoff"u8) ? 1 << 1
        : reader.ValueTextEquals("stake_threshold"u8) ? 1 << 2
        : reader.ValueTextEquals("owner_uid"u8) ? 1 << 3
        : reader.ValueTextEquals("max_allowed_validators"u8) ? 1 << 4
        : reader.ValueTextEquals("kappa"u8) ? 1 << 5
        : reader.ValueTextEquals("bonds_penalty"u8) ? 1 << 6
        : reader.ValueTextEquals("yuma3"u8) ? 1 << 7
        : reader.ValueTextEquals("liquid_alpha"u8) ? 1 << 8
        : reader.ValueTextEquals("alpha_low"u8) ? 1 << 9
        : reader.ValueTextEquals("alpha_high"u8) ? 1 << 10
        : reader.ValueTextEquals("alpha_sigmoid_steepness"u8) ? 1 << 11
        : reader.ValueTextEquals("bonds_moving_average"u8) ? 1 << 12
        : reader.ValueTextEquals("last_mechanism_step_block"u8) ? 1 << 13
        : 0;

    private sealed class State
    {
        public int N { get; set; }
        public ulong[] Stake { get; set; } = [];
        public ulong[] Registration { get; set; } = [];
        public ulong[] LastUpdate { get; set; } = [];
        public bool[] Permits { get; set; } = [];
        public List<(ushort Col, ushort Val)[]> Weights { get; } = [];
        public List<(ushort Col, ushort Val)[]> Bonds { get; } = [];
        public ulong[]? CommitBlocks { get; set; }
    }

    private static State? ReadState(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var state = new State();
        int seen = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int field = reader.ValueTextEquals("n"u8) ? 1 << 0
                : reader.ValueTextEquals("stake_alpha_rao"u8) ? 1 << 1
                : reader.ValueTextEquals("block_at_registration"u8) ? 1 << 2
                : reader.ValueTextEquals("last_update"u8) ? 1 << 3
                : reader.ValueTextEquals("validator_permit"u8) ? 1 << 4
                : reader.ValueTextEquals("weights"u8) ? 1 << 5
                : reader.ValueTextEquals("bonds"u8) ? 1 << 6
                : reader.ValueTextEquals("commit_blocks"u8) ? 1 << 7
                : 0;
            if (field == 0)
            {
                reader.Skip();
                continue;
            }

            if ((seen & field) != 0)
            {
                return null;
            }

            seen |= field;
            reader.Read();
            bool ok;
            switch (field)
            {
                case 1 << 0:
                    ok = UInt(ref reader, ushort.MaxValue, out ulong n);
                    state.N = (int)n;
                    break;
                case 1 << 1:
                    ok = (state.Stake = UIntArray(ref reader, ref scratch)!) is not null;
                    break;
                case 1 << 2:
                    ok = (state.Registration = UIntArray(ref reader, ref scratch)!) is not null;
                    break;
                case 1 << 3:
                    ok = (state.LastUpdate = UIntArray(ref reader, ref scratch)!) is not null;
                    break;
                case 1 << 4:
                    ok = (state.Permits = BoolArray(ref reader, ref scratch)!) is not null;
                    break;
                case 1 << 5:
                    ok = SparseRows(ref reader, ref scratch, state.Weights);
                    break;
                case 1 << 6:
                    ok = SparseRows(ref reader, ref scratch, state.Bonds);
                    break;
                default:
                    // Absent or null: commit-reveal is off.
                    ok = reader.TokenType == JsonTokenType.Null || (state.CommitBlocks = UIntArray(ref reader, ref scratch)) is not null;
                    break;
            }

            if (!ok)
            {
                return null;
            }
        }

        return (seen | (1 << 7)) == (1 << 8) - 1 ? state : null;
    }

    private static bool UInt(ref Utf8JsonReader reader, ulong max, out ulong value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value) && value <= max;
    }

    private static bool I16(ref Utf8JsonReader reader, out short value)
    {
        value = 0;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) && v is >= short.MinValue and <= short.MaxValue)
        {
            value = (short)v;
            return true;
        }

        return false;
    }

    private static bool OptionalU16(ref Utf8JsonReader reader, out ushort? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (UInt(ref reader, ushort.MaxValue, out ulong v))
        {
            value = (ushort)v;
            return true;
        }

        return false;
    }

    private static bool Bool(ref Utf8JsonReader reader, out bool value)
    {
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong[]? UIntArray(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!UInt(ref reader, ulong.MaxValue, out ulong v))
            {
                return null;
            }

            scratch.Add(ref count, v);
        }

        return scratch.Numbers.AsSpan(0, count).ToArray();
    }

    private static bool[]? BoolArray(ref Utf8JsonReader reader, ref Scratch scratch)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!Bool(ref reader, out bool v))
            {
                return null;
            }

            scratch.Add(ref count, v ? 1UL : 0UL);
        }

        var result = new bool[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = scratch.Numbers[i] != 0;
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool SparseRows(ref Utf8JsonReader reader, ref Scratch scratch, List<(ushort Col, ushort Val)[]> rows)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                // Exactly [u16, u16]: columns >= n are legal here (the epoch skips them).
                if (reader.TokenType != JsonTokenType.StartArray
                    || !reader.Read() || !UInt(ref reader, ushort.MaxValue, out ulong col)
                    || !reader.Read() || !UInt(ref reader, ushort.MaxValue, out ulong val)
                    || !reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }

                scratch.Add(ref count, (col << 16) | val);
            }

            var row = count == 0 ? [] : new (ushort Col, ushort Val)[count];
            for (int k = 0; k < row.Length; k++)
            {
                ulong packed = scratch.Numbers[k];
                row[k] = ((ushort)(packed >> 16), (ushort)packed);
            }

            rows.Add(row);
        }

        return true;
    }

    private static (ushort Col, ushort Val)[][] Rows(List<(ushort Col, ushort Val)[]> rows, int n)
    {
        var result = new (ushort Col, ushort Val)[n][];
        rows.CopyTo(result);
        for (int i = rows.Count; i < n; i++)
        {
            result[i] = [];
        }

        return result;
    }

    /// <summary>One growable pooled buffer the arrays are read into before they are copied out at their exact length.</summary>
    private struct Scratch : IDisposable
    {
        private ulong[]? _numbers;

        public readonly ulong[] Numbers => _numbers ?? [];

        public void Add(ref int count, ulong value)
        {
            _numbers ??= ArrayPool<ulong>.Shared.Rent(4096);
            if (count == _numbers.Length)
            {
                var grown = ArrayPool<ulong>.Shared.Rent(2 * _numbers.Length);
                _numbers.AsSpan().CopyTo(grown);
                ArrayPool<ulong>.Shared.Return(_numbers);
                _numbers = grown;
            }

            _numbers[count++] = value;
        }

        public void Dispose()
        {
            if (_numbers is not null)
            {
                ArrayPool<ulong>.Shared.Return(_numbers);
                _numbers = null;
            }
        }
    }
}
