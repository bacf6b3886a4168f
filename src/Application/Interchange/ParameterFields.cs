using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Application.Interchange;

internal enum ScalarKind
{
    U16,
    U64,
    I16,
    Bool,
}

/// <summary>One field of a nested parameter object: its snake_case name, JSON kind, and how to read and write it.
/// One table per record serves the reader and the writer, so the two cannot drift apart.</summary>
internal sealed class ParameterField<T>(string name, ScalarKind kind, Func<T, long> get, Func<T, long, T> set)
{
    public string Name { get; } = name;

    public byte[] Utf8Name { get; } = System.Text.Encoding.UTF8.GetBytes(name);

    public ScalarKind Kind { get; } = kind;

    // Values travel as long: u16, i16 and bool fit; u64 is carried bit-for-bit (unchecked) and cast back.
    public Func<T, long> Get { get; } = get;

    public Func<T, long, T> Set { get; } = set;
}

internal static class ParameterFields
{
    public static readonly ParameterField<SubnetHyperparameters>[] Hyperparameters =
    [
        U16<SubnetHyperparameters>("tempo", h => h.Tempo, (h, v) => h with { Tempo = (ushort)v }),
        U16<SubnetHyperparameters>("activity_cutoff_factor_milli", h => h.ActivityCutoffFactorMilli, (h, v) => h with { ActivityCutoffFactorMilli = (ushort)v }),
        U16<SubnetHyperparameters>("kappa", h => h.Kappa, (h, v) => h with { Kappa = (ushort)v }),
        U16<SubnetHyperparameters>("bonds_penalty", h => h.BondsPenalty, (h, v) => h with { BondsPenalty = (ushort)v }),
        U64<SubnetHyperparameters>("bonds_moving_average", h => h.BondsMovingAverage, (h, v) => h with { BondsMovingAverage = v }),
        Bool<SubnetHyperparameters>("yuma3", h => h.Yuma3, (h, v) => h with { Yuma3 = v }),
        Bool<SubnetHyperparameters>("liquid_alpha", h => h.LiquidAlpha, (h, v) => h with { LiquidAlpha = v }),
        U16<SubnetHyperparameters>("alpha_low", h => h.AlphaLow, (h, v) => h with { AlphaLow = (ushort)v }),
        U16<SubnetHyperparameters>("alpha_high", h => h.AlphaHigh, (h, v) => h with { AlphaHigh = (ushort)v }),
        new("alpha_sigmoid_steepness", ScalarKind.I16, h => h.AlphaSigmoidSteepness, (h, v) => h with { AlphaSigmoidSteepness = (short)v }),
        U16<SubnetHyperparameters>("max_allowed_validators", h => h.MaxAllowedValidators, (h, v) => h with { MaxAllowedValidators = (ushort)v }),
        U16<SubnetHyperparameters>("max_allowed_uids", h => h.MaxAllowedUids, (h, v) => h with { MaxAllowedUids = (ushort)v }),
        U16<SubnetHyperparameters>("immunity_period", h => h.ImmunityPeriod, (h, v) => h with { ImmunityPeriod = (ushort)v }),
        U16<SubnetHyperparameters>("min_non_immune_uids", h => h.MinNonImmuneUids, (h, v) => h with { MinNonImmuneUids = (ushort)v }),
        U64<SubnetHyperparameters>("weights_set_rate_limit", h => h.WeightsSetRateLimit, (h, v) => h with { WeightsSetRateLimit = v }),
        U16<SubnetHyperparameters>("mechanism_count", h => h.MechanismCount, (h, v) => h with { MechanismCount = (ushort)v }),
        U64<SubnetHyperparameters>("min_burn", h => h.MinBurn, (h, v) => h with { MinBurn = v }),
        U64<SubnetHyperparameters>("max_burn", h => h.MaxBurn, (h, v) => h with { MaxBurn = v }),
        U64<SubnetHyperparameters>("burn", h => h.Burn, (h, v) => h with { Burn = v }),
        U16<SubnetHyperparameters>("burn_half_life", h => h.BurnHalfLife, (h, v) => h with { BurnHalfLife = (ushort)v }),
        U64<SubnetHyperparameters>("burn_increase_mult_millionths", h => h.BurnIncreaseMultMillionths, (h, v) => h with { BurnIncreaseMultMillionths = v }),
    ];

    public static readonly ParameterField<NetworkParameters>[] Network =
    [
        U16<NetworkParameters>("subnet_owner_cut", p => p.SubnetOwnerCut, (p, v) => p with { SubnetOwnerCut = (ushort)v }),
        U64<NetworkParameters>("tao_weight", p => p.TaoWeight, (p, v) => p with { TaoWeight = v }),
        U64<NetworkParameters>("stake_threshold", p => p.StakeThreshold, (p, v) => p with { StakeThreshold = v }),
        U16<NetworkParameters>("default_take", p => p.DefaultTake, (p, v) => p with { DefaultTake = (ushort)v }),
    ];

    /// <summary>Writes <paramref name="value"/> as a JSON object, every field of <paramref name="table"/> in its order.</summary>
    public static void Write<T>(System.Text.Json.Utf8JsonWriter w, T value, ParameterField<T>[] table)
    {
        w.WriteStartObject();
        foreach (var field in table)
        {
            var raw = field.Get(value);
            switch (field.Kind)
            {
                case ScalarKind.Bool:
                    w.WriteBoolean(field.Utf8Name, raw != 0);
                    break;
                case ScalarKind.U64:
                    w.WriteNumber(field.Utf8Name, unchecked((ulong)raw));
                    break;
                default:
                    w.WriteNumber(field.Utf8Name, raw);
                    break;
            }
        }

        w.WriteEndObject();
    }

    private static ParameterField<T> U16<T>(string name, Func<T, ushort> get, Func<T, long, T> set) => new(name, ScalarKind.U16, x => get(x), set);

    private static ParameterField<T> U64<T>(string name, Func<T, ulong> get, Func<T, ulong, T> set) =>
        new(name, ScalarKind.U64, x => unchecked((long)get(x)), (x, v) => set(x, unchecked((ulong)v)));

    private static ParameterField<T> Bool<T>(string name, Func<T, bool> get, Func<T, bool, T> set) =>
        new(name, ScalarKind.Bool, x => get(x) ? 1 : 0, (x, v) => set(x, v != 0));
}
