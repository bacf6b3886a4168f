using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using FluentValidation;
using FluentValidation.Results;

namespace Bittensor.Ledger.Application.Interchange;

/// <summary>
/// Shape rules per event type: what can be decided from the event alone (non-empty uids, equal lengths, distinct
/// uids, mechanism &lt; 16, positive amounts, ...). Rules that need state live in <see cref="LedgerState.Check"/>.
/// The import and the command layer share these: parse → <see cref="Validate"/> → <c>LedgerState.Check</c> → apply.
/// Field names are the interchange names.
/// </summary>
public static class EventShape
{
    /// <returns>null when the event is well-formed, else its first shape error. The rules of each type are named in
    /// its row of the interchange table (<see cref="EventType.All"/>).</returns>
    public static FieldError? Validate(ILedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (EventType.TryOf(e) is not { } type)
        {
            return new FieldError("type", $"{e.GetType().Name} has no shape rules");
        }

        var result = type.Shape.Validate(new ValidationContext<ILedgerEvent>(e));
        if (result.IsValid)
        {
            return null;
        }

        var first = result.Errors[0];
        return new FieldError(first.PropertyName, first.ErrorMessage);
    }

    internal const string Positive = "must be greater than 0";

    public sealed class NetworkStartedShape : AbstractValidator<NetworkStarted>
    {
        public NetworkStartedShape()
        {
            RuleFor(x => x.Issuance.Value).LessThanOrEqualTo(Rao.TotalSupply.Value)
                .OverridePropertyName("issuance").WithMessage("exceeds the 21M TAO supply (21000000000000000 rao)");
        }
    }

    public sealed class BlockEmissionMintedShape : AbstractValidator<BlockEmissionMinted>
    {
        public BlockEmissionMintedShape() => RuleFor(x => x.Amount.Value).GreaterThan(0UL).OverridePropertyName("amount").WithMessage(Positive);
    }

    public sealed class TaoRecycledShape : AbstractValidator<TaoRecycled>
    {
        public TaoRecycledShape() => RuleFor(x => x.Amount.Value).GreaterThan(0UL).OverridePropertyName("amount").WithMessage(Positive);
    }

    public sealed class TaoBurnedShape : AbstractValidator<TaoBurned>
    {
        public TaoBurnedShape() => RuleFor(x => x.Amount.Value).GreaterThan(0UL).OverridePropertyName("amount").WithMessage(Positive);
    }

    /// <summary>Hyperparameter ranges that hold whatever the chain state (spec §5).</summary>
    public sealed class HyperparametersShape : AbstractValidator<SubnetHyperparameters>
    {
        public HyperparametersShape()
        {
            RuleFor(x => (int)x.MechanismCount).InclusiveBetween(1, SubnetState.MaxMechanisms)
                .OverridePropertyName("mechanism_count").WithMessage($"must be 1..{SubnetState.MaxMechanisms}");
            RuleFor(x => x.BondsMovingAverage).LessThanOrEqualTo(1_000_000UL)
                .OverridePropertyName("bonds_moving_average").WithMessage("is per million: must be at most 1000000");
            RuleFor(x => x).Must(h => h.AlphaLow <= h.AlphaHigh)
                .OverridePropertyName("alpha_low").WithMessage("must not exceed alpha_high");
            RuleFor(x => x).Must(h => h.MinBurn <= h.MaxBurn)
                .OverridePropertyName("min_burn").WithMessage("must not exceed max_burn");
            RuleFor(x => (int)x.MaxAllowedUids).GreaterThan(0)
                .OverridePropertyName("max_allowed_uids").WithMessage(Positive);
        }
    }

    public sealed class SubnetRegisteredShape : AbstractValidator<SubnetRegistered>
    {
        public SubnetRegisteredShape() =>
            RuleFor(x => x.Hyperparameters).SetValidator(new HyperparametersShape()).OverridePropertyName("hyperparameters");
    }

    public sealed class HyperparametersChangedShape : AbstractValidator<HyperparametersChanged>
    {
        public HyperparametersChangedShape() =>
            RuleFor(x => x.Hyperparameters).SetValidator(new HyperparametersShape()).OverridePropertyName("hyperparameters");
    }

    public sealed class SubnetEmissionShareSetShape : AbstractValidator<SubnetEmissionShareSet>
    {
        public SubnetEmissionShareSetShape()
        {
            RuleFor(x => x.ShareDenominator).GreaterThan(0UL).OverridePropertyName("share_denominator").WithMessage(Positive);
            RuleFor(x => x).Must(x => x.ShareNumerator <= x.ShareDenominator)
                .When(x => x.ShareDenominator > 0)
                .OverridePropertyName("share_numerator").WithMessage("a share cannot exceed 1 (numerator > denominator)");
        }
    }

    public sealed class EpochTriggeredShape : AbstractValidator<EpochTriggered>;

    public sealed class NeuronRegisteredShape : AbstractValidator<NeuronRegistered>
    {
        public NeuronRegisteredShape() =>
            RuleFor(x => x).Must(x => x.PrunedHotkey != x.Hotkey)
                .OverridePropertyName("pruned_hotkey").WithMessage("a hotkey cannot replace itself");
    }

    public sealed class BondsResetShape : AbstractValidator<BondsReset>;

    public sealed class WeightsSetShape : AbstractValidator<WeightsSet>
    {
        public WeightsSetShape()
        {
            RuleFor(x => (int)x.Mechanism).LessThan(SubnetState.MaxMechanisms)
                .OverridePropertyName("mechanism").WithMessage($"must be below {SubnetState.MaxMechanisms}");
            RuleFor(x => x.Uids).NotEmpty().OverridePropertyName("uids").WithMessage("must not be empty");
            RuleFor(x => x).Must(x => x.Uids.Length == x.Values.Length)
                .OverridePropertyName("values").WithMessage(x => $"{x.Values.Length} values for {x.Uids.Length} uids");
            RuleFor(x => x.Uids).Custom(NoDuplicates);
        }

        private static void NoDuplicates(ushort[] uids, ValidationContext<WeightsSet> context)
        {
            var seen = new HashSet<ushort>();
            for (var i = 0; i < uids.Length; i++)
            {
                if (!seen.Add(uids[i]))
                {
                    context.AddFailure(new ValidationFailure($"uids[{i}]", $"uid {uids[i]} appears more than once"));
                    return;
                }
            }
        }
    }

    public sealed class StakeAddedShape : AbstractValidator<StakeAdded>
    {
        public StakeAddedShape() => RuleFor(x => x.Alpha.Value).GreaterThan(0UL).OverridePropertyName("alpha").WithMessage(Positive);
    }

    public sealed class StakeRemovedShape : AbstractValidator<StakeRemoved>
    {
        public StakeRemovedShape() => RuleFor(x => x.Alpha.Value).GreaterThan(0UL).OverridePropertyName("alpha").WithMessage(Positive);
    }

    public sealed class StakeMovedShape : AbstractValidator<StakeMoved>
    {
        public StakeMovedShape()
        {
            RuleFor(x => x.Alpha.Value).GreaterThan(0UL).OverridePropertyName("alpha").WithMessage(Positive);
            RuleFor(x => x).Must(x => x.FromHotkey != x.ToHotkey).OverridePropertyName("to_hotkey").WithMessage("is the same hotkey as from_hotkey");
        }
    }

    public sealed class DelegateTakeSetShape : AbstractValidator<DelegateTakeSet>
    {
        public DelegateTakeSetShape() =>
            RuleFor(x => (int)x.Take).LessThanOrEqualTo(ushort.MaxValue).OverridePropertyName("take").WithMessage("must be at most 65535");
    }

    public sealed class AlphaBurnedShape : AbstractValidator<AlphaBurned>
    {
        public AlphaBurnedShape() => RuleFor(x => x.Alpha.Value).GreaterThan(0UL).OverridePropertyName("alpha").WithMessage(Positive);
    }

    public sealed class AlphaRecycledShape : AbstractValidator<AlphaRecycled>
    {
        public AlphaRecycledShape() => RuleFor(x => x.Alpha.Value).GreaterThan(0UL).OverridePropertyName("alpha").WithMessage(Positive);
    }
}
