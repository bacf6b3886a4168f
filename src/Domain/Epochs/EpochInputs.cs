using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>
/// What one subnet's epoch reads, taken from the ledger's state as of the epoch block (spec §1): the stake vector (alpha
/// staked on each uid's hotkey; TAO stake is not modelled, so tao_weight plays no part), registration blocks, last
/// updates, the previous epoch's permits, stored weights and bonds per mechanism, the hyperparameters in force and
/// LastMechansimStepBlock. One <see cref="YumaInput"/> per mechanism; RaoEmission is set by the caller's split.
/// </summary>
public static class EpochInputs
{
    public static YumaInput[] Build(LedgerState state, NetUid netUid, Block block, SubnetHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var subnet = state.Subnet(netUid) ?? throw new InvalidOperationException($"subnet {netUid} does not exist");
        var n = subnet.N;
        var stake = new ulong[n];
        var registered = new ulong[n];
        var permits = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var uid = new Uid((ushort)i);
            stake[i] = state.TotalStake(subnet.HotkeyAt(uid), netUid).Value;
            registered[i] = subnet.RegistrationBlock(uid).Value;
            permits[i] = subnet.ValidatorPermit(uid);
        }

        ushort? ownerUid = subnet.TryGetUid(subnet.OwnerHotkey, out var owner) ? owner.Value : null;
        var yumaHyperparameters = new YumaHyperparameters
        {
            Tempo = hyperparameters.Tempo,
            ActivityCutoff = hyperparameters.ActivityCutoff,
            StakeThreshold = state.Parameters.StakeThreshold,
            OwnerUid = ownerUid,
            MaxAllowedValidators = hyperparameters.MaxAllowedValidators,
            Kappa = hyperparameters.Kappa,
            BondsPenalty = hyperparameters.BondsPenalty,
            Yuma3 = hyperparameters.Yuma3,
            LiquidAlpha = hyperparameters.LiquidAlpha,
            AlphaLow = hyperparameters.AlphaLow,
            AlphaHigh = hyperparameters.AlphaHigh,
            AlphaSigmoidSteepness = hyperparameters.AlphaSigmoidSteepness,
            BondsMovingAverage = hyperparameters.BondsMovingAverage,
            LastMechanismStepBlock = subnet.LastMechanismStepBlock.Value,
        };

        var mechanisms = Math.Clamp((int)hyperparameters.MechanismCount, 1, SubnetState.MaxMechanisms);
        var inputs = new YumaInput[mechanisms];
        for (var m = 0; m < mechanisms; m++)
        {
            var lastUpdate = new ulong[n];
            var weights = new (ushort Col, ushort Val)[n][];
            var bonds = new (ushort Col, ushort Val)[n][];
            for (var i = 0; i < n; i++)
            {
                var uid = new Uid((ushort)i);
                lastUpdate[i] = subnet.LastUpdate((ushort)m, uid).Value;
                weights[i] = Rows(subnet.Weights((ushort)m, uid));
                bonds[i] = Rows(subnet.Bonds((ushort)m, uid));
            }

            inputs[m] = new YumaInput
            {
                CurrentBlock = block.Value,
                Hyperparameters = yumaHyperparameters,
                N = n,
                StakeAlphaRao = stake,
                BlockAtRegistration = registered,
                LastUpdate = lastUpdate,
                ValidatorPermit = permits,
                Weights = weights,
                Bonds = bonds,
            };
        }

        return inputs;
    }

    /// <summary>The rule set an epoch ran under, as recorded in <see cref="EpochCompleted"/>.</summary>
    public static EpochRuleSet Rules(EpochSchedule schedule, SubnetHyperparameters h, ulong stakeThreshold)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new EpochRuleSet(schedule, h.Tempo, h.ActivityCutoff, stakeThreshold, h.MaxAllowedValidators, h.Kappa, h.BondsPenalty,
            h.BondsMovingAverage, h.Yuma3, h.LiquidAlpha, h.AlphaLow, h.AlphaHigh, h.AlphaSigmoidSteepness);
    }

    private static (ushort Col, ushort Val)[] Rows(ReadOnlySpan<SparseEntry> row)
    {
        var result = new (ushort Col, ushort Val)[row.Length];
        for (var j = 0; j < row.Length; j++)
        {
            result[j] = (row[j].Uid, row[j].Value);
        }

        return result;
    }
}
