using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using static Bittensor.Ledger.Application.Tests.Examples;

namespace Bittensor.Ledger.Application.Tests.Interchange;

public class EventShapeTests
{
    private static readonly Block B = new(5);

    private static WeightsSet Weights(ushort[] uids, ushort[] values, ushort mechanism = 0) => new(B, Net, mechanism, Alice, new Uid(0), uids, values, 0);

    public static TheoryData<string, string, string> Invalid() => new()
    {
        { "empty uids", "uids", "must not be empty" },
        { "length mismatch", "values", "1 values for 2 uids" },
        { "duplicate uid", "uids[2]", "uid 1 appears more than once" },
        { "mechanism 16", "mechanism", "must be below 16" },
        { "zero stake", "alpha", "must be greater than 0" },
        { "zero removal", "alpha", "must be greater than 0" },
        { "move to self", "to_hotkey", "is the same hotkey as from_hotkey" },
        { "zero denominator", "share_denominator", "must be greater than 0" },
        { "share above one", "share_numerator", "a share cannot exceed 1" },
        { "zero mechanisms", "hyperparameters.mechanism_count", "must be 1..16" },
        { "17 mechanisms", "hyperparameters.mechanism_count", "must be 1..16" },
        { "alpha low above high", "hyperparameters.alpha_low", "must not exceed alpha_high" },
        { "bonds average above a million", "hyperparameters.bonds_moving_average", "at most 1000000" },
        { "min burn above max", "hyperparameters.min_burn", "must not exceed max_burn" },
        { "no uids allowed", "hyperparameters.max_allowed_uids", "must be greater than 0" },
        { "self replacement", "pruned_hotkey", "cannot replace itself" },
        { "issuance above supply", "issuance", "exceeds the 21M TAO supply" },
        { "zero mint", "amount", "must be greater than 0" },
        { "zero burn", "amount", "must be greater than 0" },
        { "zero alpha burn", "alpha", "must be greater than 0" },
    };

    private static readonly Dictionary<string, ILedgerEvent> Cases = new()
    {
        ["empty uids"] = Weights([], []),
        ["length mismatch"] = Weights([0, 1], [5]),
        ["duplicate uid"] = Weights([0, 1, 1], [1, 2, 3]),
        ["mechanism 16"] = Weights([0], [1], mechanism: 16),
        ["zero stake"] = new StakeAdded(B, Charlie, Alice, Net, Rao.Zero, null),
        ["zero removal"] = new StakeRemoved(B, Charlie, Alice, Net, Rao.Zero, null),
        ["move to self"] = new StakeMoved(B, Charlie, Alice, Alice, Net, new Rao(1)),
        ["zero denominator"] = new SubnetEmissionShareSet(B, Net, 0, 0, null),
        ["share above one"] = new SubnetEmissionShareSet(B, Net, 3, 2, null),
        ["zero mechanisms"] = new HyperparametersChanged(B, Net, new SubnetHyperparameters { MechanismCount = 0 }),
        ["17 mechanisms"] = new SubnetRegistered(B, Net, Charlie, Alice, Rao.Zero, new SubnetHyperparameters { MechanismCount = 17 }),
        ["alpha low above high"] = new HyperparametersChanged(B, Net, new SubnetHyperparameters { AlphaLow = 60_000 }),
        ["bonds average above a million"] = new HyperparametersChanged(B, Net, new SubnetHyperparameters { BondsMovingAverage = 1_000_001 }),
        ["min burn above max"] = new HyperparametersChanged(B, Net, new SubnetHyperparameters { MinBurn = 10, MaxBurn = 9 }),
        ["no uids allowed"] = new HyperparametersChanged(B, Net, new SubnetHyperparameters { MaxAllowedUids = 0 }),
        ["self replacement"] = new NeuronRegistered(B, Net, new Uid(3), Alice, Charlie, Rao.Zero, Alice),
        ["issuance above supply"] = new NetworkStarted(B, Rao.TotalSupply + new Rao(1), new NetworkParameters()),
        ["zero mint"] = new BlockEmissionMinted(B, Rao.Zero),
        ["zero burn"] = new TaoBurned(B, Dave, Rao.Zero),
        ["zero alpha burn"] = new AlphaBurned(B, Charlie, Alice, Net, Rao.Zero),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void MalformedEvent_IsRejectedOnItsField(string name, string field, string reason)
    {
        var error = EventShape.Validate(Cases[name]).ShouldNotBeNull();
        error.Field.ShouldBe(field);
        error.Reason.ShouldContain(reason);
    }

    [Fact]
    public void EveryExample_IsWellShaped()
    {
        foreach (var e in All())
        {
            EventShape.Validate(e).ShouldBeNull(e.GetType().Name);
        }
    }

    [Fact]
    public void Shape_ReportsEveryProblem() =>
        new EventShape.WeightsSetShape().Validate(Weights([], [1], mechanism: 20)).Errors.Select(e => e.PropertyName)
            .ShouldBe(["mechanism", "uids", "values"], ignoreOrder: true);

    [Fact]
    public void Examples_PassTheLedgerRulesInOrder()
    {
        var state = new LedgerState();
        foreach (var e in All())
        {
            state.Check(e).ShouldBeNull(e.GetType().Name);
            state.Apply(e);
        }
    }
}
