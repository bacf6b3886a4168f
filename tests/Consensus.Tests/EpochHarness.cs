using System.Globalization;
using System.Text.Json;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Kernels;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>
/// Mutable subnet state carried between the epochs of a vector scenario: actions edit it, the epoch reads it, and
/// afterwards bonds := stored bonds output and validator_permit := new permits (vectors/README.md).
/// </summary>
internal sealed class EpochHarness
{
    public EpochHarness(YumaHyperparameters hyperparameters, int n)
    {
        Hyperparameters = hyperparameters;
        N = n;
        Stake = new ulong[n];
        BlockAtRegistration = new ulong[n];
        LastUpdate = [.. new ulong[n]];
        ValidatorPermit = [.. new bool[n]];
        Weights = [.. Enumerable.Range(0, n).Select(_ => new List<(ushort, ushort)>())];
        Bonds = [.. Enumerable.Range(0, n).Select(_ => new List<(ushort, ushort)>())];
    }

    public YumaHyperparameters Hyperparameters { get; set; }
    public int N { get; }
    public ulong[] Stake { get; }
    public ulong[] BlockAtRegistration { get; }
    public List<ulong> LastUpdate { get; set; }
    public List<bool> ValidatorPermit { get; set; }
    public List<(ushort Col, ushort Val)>[] Weights { get; }
    public List<(ushort Col, ushort Val)>[] Bonds { get; private set; }

    public static YumaHyperparameters ParseHyperparameters(JsonElement hp) => new()
    {
        Tempo = hp.GetProperty("tempo").GetUInt16(),
        ActivityCutoff = hp.GetProperty("activity_cutoff").GetUInt64(),
        StakeThreshold = hp.GetProperty("stake_threshold").GetUInt64(),
        OwnerUid = hp.GetProperty("owner_uid").ValueKind == JsonValueKind.Null ? null : hp.GetProperty("owner_uid").GetUInt16(),
        MaxAllowedValidators = hp.GetProperty("max_allowed_validators").GetUInt16(),
        Kappa = hp.GetProperty("kappa").GetUInt16(),
        BondsPenalty = hp.GetProperty("bonds_penalty").GetUInt16(),
        Yuma3 = hp.GetProperty("yuma3").GetBoolean(),
        LiquidAlpha = hp.GetProperty("liquid_alpha").GetBoolean(),
        AlphaLow = hp.GetProperty("alpha_low").GetUInt16(),
        AlphaHigh = hp.GetProperty("alpha_high").GetUInt16(),
        AlphaSigmoidSteepness = hp.GetProperty("alpha_sigmoid_steepness").GetInt16(),
        BondsMovingAverage = hp.GetProperty("bonds_moving_average").GetUInt64(),
        LastMechanismStepBlock = hp.GetProperty("last_mechanism_step_block").GetUInt64(),
    };

    public static EpochHarness FromVector(JsonElement root)
    {
        var state = root.GetProperty("initial_state");
        var h = new EpochHarness(ParseHyperparameters(root.GetProperty("hyperparameters")), state.GetProperty("n").GetInt32());
        int i = 0;
        foreach (var s in state.GetProperty("stake_alpha_rao").EnumerateArray())
        {
            h.Stake[i++] = s.GetUInt64();
        }

        i = 0;
        foreach (var s in state.GetProperty("block_at_registration").EnumerateArray())
        {
            h.BlockAtRegistration[i++] = s.GetUInt64();
        }

        h.LastUpdate = [.. state.GetProperty("last_update").EnumerateArray().Select(e => e.GetUInt64())];
        h.ValidatorPermit = [.. state.GetProperty("validator_permit").EnumerateArray().Select(e => e.GetBoolean())];
        ReadRows(state.GetProperty("weights"), h.Weights);
        ReadRows(state.GetProperty("bonds"), h.Bonds);
        return h;
    }

    private static void ReadRows(JsonElement rows, List<(ushort Col, ushort Val)>[] target)
    {
        int i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            target[i].Clear();
            target[i].AddRange(row.EnumerateArray().Select(p => (p[0].GetUInt16(), p[1].GetUInt16())));
            i++;
        }
    }

    /// <summary>Applies one action of a vector step (see vectors/README.md).</summary>
    public void Apply(JsonElement action)
    {
        switch (action.GetProperty("action").GetString())
        {
            case "set_weights":
            {
                int uid = action.GetProperty("uid").GetInt32();
                var uids = action.GetProperty("uids").EnumerateArray().Select(e => e.GetUInt16()).ToArray();
                var values = action.GetProperty("values").EnumerateArray().Select(e => e.GetUInt16()).ToArray();
                var upscaled = new ushort[values.Length];
                YumaMath.VecU16MaxUpscaleToU16(values, upscaled);
                var stored = uids.Zip(upscaled).Select(p => (p.First, p.Second)).ToList();
                if (action.TryGetProperty("stored_row_u16", out var expected))
                {
                    stored.ShouldBe([.. expected.EnumerateArray().Select(p => (p[0].GetUInt16(), p[1].GetUInt16()))]);
                }

                Weights[uid].Clear();
                Weights[uid].AddRange(stored);
                SetLastUpdate(uid, action.GetProperty("at_block").GetUInt64());
                break;
            }

            case "set_stake":
                Stake[action.GetProperty("uid").GetInt32()] = action.GetProperty("stake_alpha_rao").GetUInt64();
                break;
            case "set_validator_permit":
                ValidatorPermit = [.. action.GetProperty("value").EnumerateArray().Select(e => e.GetBoolean())];
                break;
            case "set_last_update":
                LastUpdate = [.. action.GetProperty("value").EnumerateArray().Select(e => e.GetUInt64())];
                break;
            case "replace_neuron":
            {
                int uid = action.GetProperty("uid").GetInt32();
                ulong block = action.GetProperty("at_block").GetUInt64();
                BlockAtRegistration[uid] = block;
                SetLastUpdate(uid, block);
                Weights[uid].Clear();
                Bonds[uid].Clear();
                foreach (var row in Weights)
                {
                    for (int k = 0; k < row.Count; k++)
                    {
                        if (row[k].Col == uid)
                        {
                            row[k] = (row[k].Col, 0);
                        }
                    }
                }

                if (uid < ValidatorPermit.Count)
                {
                    ValidatorPermit[uid] = false;
                }

                Stake[uid] = action.GetProperty("new_stake_alpha_rao").GetUInt64();
                break;
            }

            case "reset_bonds_column":
            {
                ushort col = action.GetProperty("col").GetUInt16();
                foreach (var row in Bonds)
                {
                    row.RemoveAll(e => e.Col == col);
                }

                break;
            }

            default:
                throw new InvalidOperationException($"Unknown action {action.GetProperty("action").GetString()}");
        }
    }

    private void SetLastUpdate(int uid, ulong block)
    {
        while (LastUpdate.Count <= uid)
        {
            LastUpdate.Add(0);
        }

        LastUpdate[uid] = block;
    }

    public YumaInput Input(ulong block, ulong raoEmission) => new()
    {
        CurrentBlock = block,
        RaoEmission = raoEmission,
        Hyperparameters = Hyperparameters,
        N = N,
        StakeAlphaRao = (ulong[])Stake.Clone(),
        BlockAtRegistration = (ulong[])BlockAtRegistration.Clone(),
        LastUpdate = [.. LastUpdate],
        ValidatorPermit = [.. ValidatorPermit],
        Weights = [.. Weights.Select(r => r.ToArray())],
        Bonds = [.. Bonds.Select(r => r.ToArray())],
        Trace = true,
    };

    /// <summary>Runs the epoch and carries bonds and permits forward.</summary>
    public YumaOutput RunEpoch(ulong block, ulong raoEmission)
    {
        var output = YumaEpoch.Run(Input(block, raoEmission));
        Bonds = [.. output.Bonds.Select(r => r.ToList())];
        ValidatorPermit = [.. output.NewValidatorPermit];
        return output;
    }

    public static ushort BondU16(YumaOutput output, int uid, int col)
    {
        foreach (var (c, v) in output.Bonds[uid])
        {
            if (c == col)
            {
                return v;
            }
        }

        return 0;
    }

    /// <summary>Checks one assertion object of a vector step against the output; returns a failure message or null.</summary>
    public static string? Check(JsonElement assertion, YumaOutput output, string context)
    {
        string quantity = assertion.GetProperty("quantity").GetString()!;
        string cmp = assertion.GetProperty("cmp").GetString()!;
        double tol = assertion.TryGetProperty("tol", out var t) ? t.GetDouble() : 0;
        var uidElement = assertion.GetProperty("uid");
        int? uid = uidElement.ValueKind == JsonValueKind.Null ? null : uidElement.GetInt32();
        var expected = assertion.GetProperty("expected");
        string where = $"{context} {quantity}{(uid is null ? "" : $"[{uid}]")}{(assertion.TryGetProperty("col", out var c0) ? $"[{c0.GetInt32()}]" : "")}";

        if (quantity.StartsWith("trace.", StringComparison.Ordinal))
        {
            var trace = output.Trace!;
            string name = quantity["trace.".Length..];
            if (name is "weights" or "bonds_delta")
            {
                var rows = name == "weights" ? trace.Weights : trace.BondsDelta;
                var row = rows[uid!.Value];
                var exp = expected.EnumerateArray().Select(p => (Col: p[0].GetInt32(), Val: p[1].GetDouble())).ToArray();
                if (row.Length != exp.Length)
                {
                    return $"{where}: expected {exp.Length} entries, got [{string.Join(", ", row.Select(e => $"({e.Col}, {e.Val.ToDouble()})"))}]";
                }

                for (int k = 0; k < row.Length; k++)
                {
                    if (row[k].Col != exp[k].Col || Math.Abs(row[k].Val.ToDouble() - exp[k].Val) > tol)
                    {
                        return $"{where}: entry {k} expected ({exp[k].Col}, {exp[k].Val}), got ({row[k].Col}, {row[k].Val.ToDouble()})";
                    }
                }

                return null;
            }

            var vector = name switch
            {
                "stake" => trace.Stake,
                "active_stake" => trace.ActiveStake,
                "consensus" => trace.Consensus,
                "incentive" => trace.Incentive,
                "dividends" => trace.Dividends,
                "validator_trust" => trace.ValidatorTrust,
                "normalized_server_emission" => trace.NormalizedServerEmission,
                "normalized_validator_emission" => trace.NormalizedValidatorEmission,
                "normalized_combined_emission" => trace.NormalizedCombinedEmission,
                _ => throw new InvalidOperationException($"Unknown trace quantity {name}"),
            };
            return CompareDoubles(where, cmp, tol, expected, uid, i => vector[i].ToDouble());
        }

        switch (quantity)
        {
            case "stake_weight":
            case "consensus":
            case "incentive":
            case "dividends":
            case "validator_trust":
            {
                var v = quantity switch
                {
                    "stake_weight" => output.StakeWeight,
                    "consensus" => output.Consensus,
                    "incentive" => output.Incentive,
                    "dividends" => output.Dividends,
                    _ => output.ValidatorTrust,
                };
                return CompareDoubles(where, cmp, tol, expected, uid, i => v[i]);
            }

            case "server_emission":
            case "validator_emission":
            case "emission":
            {
                var v = quantity switch
                {
                    "server_emission" => output.ServerEmission,
                    "validator_emission" => output.ValidatorEmission,
                    _ => output.Emission,
                };
                if (cmp == "eq")
                {
                    return CompareExact(where, expected, uid, i => v[i].ToString(CultureInfo.InvariantCulture), e => e.GetUInt64().ToString(CultureInfo.InvariantCulture));
                }

                return CompareDoubles(where, cmp, tol, expected, uid, i => v[i]);
            }

            case "new_validator_permit":
            case "active":
            {
                var v = quantity == "active" ? output.Active : output.NewValidatorPermit;
                return CompareExact(where, expected, uid, i => v[i].ToString(), e => e.GetBoolean().ToString());
            }

            case "bonds_u16":
            {
                int col = assertion.GetProperty("col").GetInt32();
                return CompareDoubles(where, cmp, tol, expected, uid, i => BondU16(output, i, col));
            }

            case "bonds_proportion":
            {
                int col = assertion.GetProperty("col").GetInt32();
                return CompareDoubles(where, cmp, tol, expected, uid, i => YumaMath.U16ProportionToFixed(BondU16(output, i, col)).ToDouble());
            }

            case "dividends_proportion":
                return CompareDoubles(where, cmp, tol, expected, uid, i => YumaMath.U16ProportionToFixed(output.Dividends[i]).ToDouble());
            default:
                throw new InvalidOperationException($"Unknown quantity {quantity}");
        }
    }

    private static string? CompareExact(string where, JsonElement expected, int? uid, Func<int, string> actual, Func<JsonElement, string> read)
    {
        if (uid is int u)
        {
            string a = actual(u), e = read(expected);
            return a == e ? null : $"{where}: expected {e}, got {a}";
        }

        int i = 0;
        foreach (var item in expected.EnumerateArray())
        {
            string a = actual(i), e = read(item);
            if (a != e)
            {
                return $"{where}[{i}]: expected {e}, got {a}";
            }

            i++;
        }

        return null;
    }

    private static string? CompareDoubles(string where, string cmp, double tol, JsonElement expected, int? uid, Func<int, double> actual)
    {
        if (uid is int u)
        {
            return CompareOne(where, cmp, tol, expected.GetDouble(), actual(u));
        }

        int i = 0;
        foreach (var item in expected.EnumerateArray())
        {
            var failure = CompareOne($"{where}[{i}]", cmp, tol, item.GetDouble(), actual(i));
            if (failure is not null)
            {
                return failure;
            }

            i++;
        }

        return null;
    }

    private static string? CompareOne(string where, string cmp, double tol, double expected, double actual) => cmp switch
    {
        "eq" => actual == expected ? null : $"{where}: expected {expected}, got {actual}",
        "abs_diff_le" => Math.Abs(actual - expected) <= tol ? null : $"{where}: expected {expected} ± {tol}, got {actual}",
        "gt" => actual > expected ? null : $"{where}: expected > {expected}, got {actual}",
        _ => throw new InvalidOperationException($"Unknown cmp {cmp}"),
    };
}
