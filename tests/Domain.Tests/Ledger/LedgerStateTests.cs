using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using static Bittensor.Ledger.Domain.Tests.Ledger.Chain;

namespace Bittensor.Ledger.Domain.Tests.Ledger;

public class NetworkRulesTests
{
    [Fact]
    public void EventBeforeGenesis_IsRejected() =>
        Scenario.Given().When(new BlockEmissionMinted(B(1), new Rao(1))).ThenRejected("type", "has not started");

    [Fact]
    public void SecondGenesis_IsRejected() =>
        Scenario.Given(Genesis()).When(Genesis()).ThenRejected("type", "already started");

    [Fact]
    public void GenesisAboveSupply_IsRejected() =>
        Scenario.Given().When(new NetworkStarted(B(0), Rao.TotalSupply + new Rao(1), new NetworkParameters())).ThenRejected("issuance", "21M");

    [Fact]
    public void EventAtEarlierBlock_IsRejected() =>
        Scenario.Given(Genesis(), new BlockEmissionMinted(B(10), new Rao(5)))
            .When(new BlockEmissionMinted(B(9), new Rao(5))).ThenRejected("block", "earlier than the last applied block 10");

    [Fact]
    public void EventAtSameBlock_IsAccepted()
    {
        var state = Scenario.Given(Genesis(), new BlockEmissionMinted(B(10), new Rao(5)))
            .When(new BlockEmissionMinted(B(10), new Rao(7))).ThenAccepted();
        state.Issuance.ShouldBe(Rao.FromTao(1_000_000) + new Rao(12));
        state.LastBlock.ShouldBe(B(10));
    }

    [Fact]
    public void MintPastSupply_IsRejected() =>
        Scenario.Given(new NetworkStarted(B(0), Rao.TotalSupply - new Rao(5), new NetworkParameters()))
            .When(new BlockEmissionMinted(B(1), new Rao(6))).ThenRejected("amount", "past the 21M TAO supply");

    [Fact]
    public void RecycleMoreThanIssuance_IsRejected() =>
        Scenario.Given(new NetworkStarted(B(0), new Rao(100), new NetworkParameters()))
            .When(new TaoRecycled(B(1), Cold(1), new Rao(101))).ThenRejected("amount", "exceeds issuance");

    [Fact]
    public void RecycleLowersIssuance_BurnDoesNot()
    {
        var state = Scenario.Given(new NetworkStarted(B(0), new Rao(100), new NetworkParameters()), new TaoBurned(B(1), Cold(1), new Rao(10)))
            .When(new TaoRecycled(B(1), Cold(1), new Rao(30))).ThenAccepted();
        state.Issuance.ShouldBe(new Rao(70));
        state.TaoRecycledTotal.ShouldBe(new Rao(30));
        state.TaoBurnedTotal.ShouldBe(new Rao(10));
    }
}

public class SubnetRulesTests
{
    public static TheoryData<string> SubnetEvents() => [.. SubnetEventsByName.Keys];

    private static readonly Dictionary<string, ISubnetEvent> SubnetEventsByName = new()
    {
        ["hyperparameters_changed"] = new HyperparametersChanged(B(5), new NetUid(9), new SubnetHyperparameters()),
        ["subnet_emission_share_set"] = new SubnetEmissionShareSet(B(5), new NetUid(9), 1, 2, null),
        ["epoch_triggered"] = new EpochTriggered(B(5), new NetUid(9)),
        ["neuron_registered"] = new NeuronRegistered(B(5), new NetUid(9), new Uid(0), Hot(5), Cold(5), Rao.Zero, null),
        ["bonds_reset"] = new BondsReset(B(5), new NetUid(9), Hot(1)),
        ["weights_set"] = new WeightsSet(B(5), new NetUid(9), 0, Hot(1), new Uid(1), [0], [65535], 0),
        ["stake_added"] = new StakeAdded(B(5), Cold(1), Hot(1), new NetUid(9), new Rao(1), null),
        ["stake_removed"] = new StakeRemoved(B(5), Cold(1), Hot(1), new NetUid(9), new Rao(1), null),
        ["stake_moved"] = new StakeMoved(B(5), Cold(1), Hot(1), Hot(2), new NetUid(9), new Rao(1)),
        ["alpha_burned"] = new AlphaBurned(B(5), Cold(1), Hot(1), new NetUid(9), new Rao(1)),
        ["alpha_recycled"] = new AlphaRecycled(B(5), Cold(1), Hot(1), new NetUid(9), new Rao(1)),
    };

    [Theory]
    [MemberData(nameof(SubnetEvents))]
    public void EventOnMissingSubnet_IsRejected(string type) =>
        Scenario.Given(SubnetWith(2)).When(SubnetEventsByName[type]).ThenRejected("netuid", "subnet 9 does not exist");

    [Fact]
    public void SubnetRegisteredTwice_IsRejected() =>
        Scenario.Given(Genesis(), Subnet()).When(Subnet(block: 2)).ThenRejected("netuid", "already registered");

    [Fact]
    public void SubnetRegistered_IsAcceptedWithItsHyperparameters()
    {
        var state = Scenario.Given(Genesis()).When(Subnet(Small(maxUids: 7))).ThenAccepted();
        var subnet = state.Subnet(Net).ShouldNotBeNull();
        subnet.Hyperparameters.MaxAllowedUids.ShouldBe((ushort)7);
        subnet.N.ShouldBe(0);
        state.OwnerOf(Hot(0)).ShouldBe(Cold(0));
    }

    [Fact]
    public void SubnetWithOwnerHotkeyOfAnotherColdkey_IsRejected() =>
        Scenario.Given(Genesis(), Subnet(), new NeuronRegistered(B(2), Net, new Uid(0), Hot(7), Cold(7), Rao.Zero, null))
            .When(new SubnetRegistered(B(3), new NetUid(2), Cold(8), Hot(7), Rao.Zero, new SubnetHyperparameters()))
            .ThenRejected("owner_hotkey", "belongs to coldkey");

    [Fact]
    public void MaxAllowedUidsBelowN_IsRejected() =>
        Scenario.Given(SubnetWith(3)).When(new HyperparametersChanged(B(9), Net, Small(maxUids: 2)))
            .ThenRejected("hyperparameters.max_allowed_uids", "below the 3 uids");

    [Fact]
    public void ZeroShareDenominator_IsRejected() =>
        Scenario.Given(SubnetWith(1)).When(new SubnetEmissionShareSet(B(9), Net, 0, 0, null)).ThenRejected("share_denominator", "greater than 0");

    [Fact]
    public void EpochTriggered_IsRecorded() =>
        Scenario.Given(SubnetWith(1)).When(new EpochTriggered(B(9), Net)).ThenAccepted().Subnet(Net)!.LastEpochBlock.ShouldBe(B(9));

    [Fact]
    public void ASecondEpochTrigger_AtTheSameBlock_IsRejected() =>
        Scenario.Given([.. SubnetWith(1), new EpochTriggered(B(9), Net)]).When(new EpochTriggered(B(9), Net))
            .ThenRejected("block", "already ran at block 9");
}

public class RegistrationRulesTests
{
    [Fact]
    public void RegistrationAtNextUid_IsAccepted()
    {
        var state = Scenario.Given(SubnetWith(2)).When(Register(5, 2, 10)).ThenAccepted();
        var subnet = state.Subnet(Net)!;
        subnet.N.ShouldBe(3);
        subnet.HotkeyAt(new Uid(2)).ShouldBe(Hot(5));
        subnet.RegistrationBlock(new Uid(2)).ShouldBe(B(10));
        subnet.LastUpdate(0, new Uid(2)).ShouldBe(B(10));
        state.OwnerOf(Hot(5)).ShouldBe(Cold(5));
    }

    [Fact]
    public void RegistrationAtOtherThanNextUid_IsRejected() =>
        Scenario.Given(SubnetWith(2)).When(Register(5, 3, 10)).ThenRejected("uid", "takes the next uid 2, not 3");

    [Fact]
    public void PrunedHotkeyOnNonFullSubnet_IsRejected() =>
        Scenario.Given(SubnetWith(2)).When(Register(5, 2, 10) with { PrunedHotkey = Hot(1) }).ThenRejected("pruned_hotkey", "not full");

    [Fact]
    public void HotkeyAlreadyRegisteredOnSubnet_IsRejected() =>
        Scenario.Given(SubnetWith(2)).When(Register(1, 2, 10)).ThenRejected("hotkey", "already registered on subnet 1");

    [Fact]
    public void HotkeyOwnedByAnotherColdkey_IsRejected() =>
        Scenario.Given(SubnetWith(2)).When(Register(5, 2, 10) with { Hotkey = Hot(0), Coldkey = Cold(5) })
            .ThenRejected("hotkey", "already registered");

    [Fact]
    public void HotkeyOfAnotherColdkeyOnAnotherSubnet_IsRejected()
    {
        var second = new SubnetRegistered(B(20), new NetUid(2), Cold(9), Hot(9), Rao.Zero, Small());
        Scenario.Given([.. SubnetWith(2), second])
            .When(new NeuronRegistered(B(21), new NetUid(2), new Uid(0), Hot(1), Cold(4), Rao.Zero, null))
            .ThenRejected("coldkey", "belongs to coldkey");
    }
}

public class PruningTests
{
    // Subnet of 4 uids: owner hotkey 0 at uid 0 (block 2), hotkeys 1..3 at uids 1..3 (blocks 3..5); immunity 10 blocks.
    private static List<ILedgerEvent> Full(ushort minNonImmune = 0) => SubnetWith(4, Small(maxUids: 4, immunity: 10, minNonImmune: minNonImmune));

    private static Scenario FullWithEmissions(params ulong[] emissions)
    {
        var scenario = Scenario.Given(Full());
        scenario.State.Apply(Epoch(scenario.State, 6, emissions));
        return scenario;
    }

    private static NeuronRegistered Replace(int hot, ushort uid, int pruned, ulong block) =>
        Register(hot, uid, block) with { PrunedHotkey = Hot(pruned) };

    [Fact]
    public void LowestEmission_IsPruned()
    {
        var scenario = FullWithEmissions(0, 50, 10, 30);
        scenario.State.ChooseRegistrationUid(Net, B(100)).ShouldBe((new Uid(2), (Hotkey?)Hot(2)));
        scenario.When(Replace(8, 2, 2, 100)).ThenAccepted();
    }

    [Fact]
    public void EqualEmission_EarliestRegistrationIsPruned()
    {
        // uid 3 re-registered later than uid 1 and 2; all equal emission: uid 1 (block 3) is the earliest.
        FullWithEmissions(0, 7, 7, 7).State.ChooseRegistrationUid(Net, B(100)).Uid.ShouldBe(new Uid(1));
    }

    [Fact]
    public void EqualEmissionAndBlock_LowestUidIsPruned()
    {
        var events = new List<ILedgerEvent> { Genesis(), Subnet(Small(maxUids: 3, immunity: 10)) };
        events.Add(Register(0, 0, 2));
        events.Add(Register(1, 1, 3));
        events.Add(Register(2, 2, 3));
        Scenario.Given(events).State.ChooseRegistrationUid(Net, B(100)).Uid.ShouldBe(new Uid(1));
    }

    [Fact]
    public void EmissionOutranksRegistrationBlock()
    {
        // uid 3 is the newest but earns least: it goes before the older uids.
        FullWithEmissions(0, 9, 9, 1).State.ChooseRegistrationUid(Net, B(100)).Uid.ShouldBe(new Uid(3));
    }

    [Fact]
    public void OwnerHotkey_IsImmortal()
    {
        // The owner's uid 0 has the lowest emission and the earliest block, yet uid 1 is pruned.
        FullWithEmissions(0, 5, 5, 5).State.ChooseRegistrationUid(Net, B(100)).Uid.ShouldBe(new Uid(1));
    }

    [Fact]
    public void ImmuneUids_AreSkippedWhileEnoughAreMortal()
    {
        // At block 14: uids 1,2 (blocks 3,4) are mortal (age >= 10), uid 3 (block 5) is immune with the lowest emission.
        FullWithEmissions(0, 20, 10, 1).State.ChooseRegistrationUid(Net, B(14)).Uid.ShouldBe(new Uid(2));
    }

    [Fact]
    public void TooFewMortalUids_PrunesAmongImmune()
    {
        // MinNonImmuneUids = 2: at block 14 only uids 1,2 are mortal (2 is not > 2), so the pick is among immune uids: uid 3.
        var scenario = Scenario.Given(Full(minNonImmune: 2));
        scenario.State.Apply(Epoch(scenario.State, 6, [0, 0, 0, 40]));
        scenario.State.ChooseRegistrationUid(Net, B(14)).Uid.ShouldBe(new Uid(3));
        scenario.State.ChooseRegistrationUid(Net, B(15)).Uid.ShouldBe(new Uid(1));
    }

    [Fact]
    public void MoreMortalUidsThanMinimum_PrunesAmongMortal()
    {
        var scenario = Scenario.Given(Full(minNonImmune: 1));
        scenario.State.Apply(Epoch(scenario.State, 6, [0, 40, 0, 0]));
        scenario.State.ChooseRegistrationUid(Net, B(14)).Uid.ShouldBe(new Uid(2));
    }

    [Fact]
    public void RegistrationAtUidPruningDoesNotPick_IsRejected() =>
        FullWithEmissions(0, 50, 10, 30).When(Replace(8, 1, 1, 100)).ThenRejected("uid", "pruning picks uid 2");

    [Fact]
    public void RegistrationNamingWrongPrunedHotkey_IsRejected() =>
        FullWithEmissions(0, 50, 10, 30).When(Replace(8, 2, 3, 100)).ThenRejected("pruned_hotkey", "uid 2 holds");

    [Fact]
    public void RegistrationOnFullSubnetWithoutPrunedHotkey_IsRejected() =>
        FullWithEmissions(0, 50, 10, 30).When(Register(8, 2, 100)).ThenRejected("pruned_hotkey", "not nothing");

    [Fact]
    public void OnlyOwnerOnFullSubnet_CannotRegister()
    {
        var scenario = Scenario.Given(SubnetWith(1, Small(maxUids: 1)));
        Should.Throw<InvalidOperationException>(() => scenario.State.ChooseRegistrationUid(Net, B(100)));
        scenario.When(Register(8, 0, 100) with { PrunedHotkey = Hot(0) }).ThenRejected("uid", "no uid that can be pruned");
    }

    [Fact]
    public void Replacement_ResetsTheUid()
    {
        var scenario = Scenario.Given(SubnetWith(4, Small(maxUids: 4, immunity: 10)));
        var state = scenario.State;
        state.Apply(new WeightsSet(B(20), Net, 0, Hot(1), new Uid(1), [2, 3], [100, 65535], 0));
        state.Apply(new WeightsSet(B(20), Net, 0, Hot(2), new Uid(2), [1, 3], [65535, 7], 0));
        state.Apply(new WeightsSet(B(20), Net, 0, Hot(3), new Uid(3), [2, 1], [65535, 9], 0));
        state.Apply(Epoch(state, 25, [0, 5, 1, 6], [false, false, true, false],
            BondsRow(2, new SparseEntry(1, 300)), BondsRow(1, new SparseEntry(2, 400), new SparseEntry(3, 500))));

        scenario.When(Register(8, 2, 30) with { PrunedHotkey = Hot(2) }).ThenAccepted();

        var subnet = state.Subnet(Net)!;
        var uid = new Uid(2);
        subnet.HotkeyAt(uid).ShouldBe(Hot(8));
        subnet.TryGetUid(Hot(2), out _).ShouldBeFalse();
        subnet.Weights(0, uid).ToArray().ShouldBeEmpty();
        subnet.Bonds(0, uid).ToArray().ShouldBeEmpty();
        subnet.Weights(0, new Uid(1)).ToArray().ShouldBe([new SparseEntry(2, 0), new SparseEntry(3, 65535)]);
        subnet.Weights(0, new Uid(3)).ToArray().ShouldBe([new SparseEntry(2, 0), new SparseEntry(1, 9)]);
        subnet.Bonds(0, new Uid(1)).ToArray().ShouldBe([new SparseEntry(2, 400), new SparseEntry(3, 500)]);
        subnet.ValidatorPermit(uid).ShouldBeFalse();
        subnet.Emission(uid).ShouldBe(0UL);
        subnet.LastUpdate(0, uid).ShouldBe(B(30));
        subnet.RegistrationBlock(uid).ShouldBe(B(30));
        subnet.N.ShouldBe(4);
    }
}

public class WeightsRulesTests
{
    private static readonly List<ILedgerEvent> Four = SubnetWith(4, Small(maxUids: 8, rateLimit: 5));

    private static WeightsSet Weights(ushort[] uids, ushort[] values, int hot = 1, ushort uid = 1, ulong block = 20, ushort mechanism = 0) =>
        new(B(block), Net, mechanism, Hot(hot), new Uid(uid), uids, values, 0);

    [Fact]
    public void ValidWeights_AreStoredWithLastUpdate()
    {
        var state = Scenario.Given(Four).When(Weights([0, 2, 3], [10, 65535, 0])).ThenAccepted();
        var subnet = state.Subnet(Net)!;
        subnet.Weights(0, new Uid(1)).ToArray().ShouldBe([new SparseEntry(0, 10), new SparseEntry(2, 65535), new SparseEntry(3, 0)]);
        subnet.LastUpdate(0, new Uid(1)).ShouldBe(B(20));
    }

    [Fact]
    public void UnregisteredHotkey_IsRejected() =>
        Scenario.Given(Four).When(Weights([0], [1], hot: 9)).ThenRejected("hotkey", "is not registered on subnet 1");

    [Fact]
    public void HotkeyAtAnotherUid_IsRejected() =>
        Scenario.Given(Four).When(Weights([0], [1], hot: 1, uid: 2)).ThenRejected("uid", "is at uid 1, not 2");

    [Fact]
    public void UidNotBelowN_IsRejected() =>
        Scenario.Given(Four).When(Weights([0, 1, 2, 4], [1, 1, 1, 1])).ThenRejected("uids[3]", "uid 4 is not below n = 4");

    [Fact]
    public void DuplicateUid_IsRejected() =>
        Scenario.Given(Four).When(Weights([0, 2, 0], [1, 1, 1])).ThenRejected("uids[2]", "appears more than once");

    [Fact]
    public void LengthMismatch_IsRejected() =>
        Scenario.Given(Four).When(Weights([0, 2], [1])).ThenRejected("values", "1 values for 2 uids");

    [Fact]
    public void MechanismTheSubnetDoesNotHave_IsRejected() =>
        Scenario.Given(Four).When(Weights([0], [1], mechanism: 1)).ThenRejected("mechanism", "has 1 mechanism(s)");

    [Fact]
    public void WeightsWithinRateLimit_AreRejected() =>
        Scenario.Given([.. Four, Weights([0], [1], block: 20)]).When(Weights([0], [2], block: 24)).ThenRejected("block", "next allowed at 25");

    [Fact]
    public void WeightsRightAfterRegistration_WaitForRateLimit() =>
        Scenario.Given(Four).When(Weights([0], [1], block: 6)).ThenRejected("block", "last updated at block 3, next allowed at 8");

    [Fact]
    public void WeightsAtRateLimit_AreAccepted() =>
        Scenario.Given([.. Four, Weights([0], [1], block: 20)]).When(Weights([0], [2], block: 25)).ThenAccepted();

    [Fact]
    public void SecondMechanism_KeepsItsOwnRows()
    {
        var hp = Small(maxUids: 8) with { MechanismCount = 2 };
        var state = Scenario.Given([.. SubnetWith(3, hp), Weights([0], [1], block: 20)])
            .When(Weights([2], [9], block: 21, mechanism: 1)).ThenAccepted();
        var subnet = state.Subnet(Net)!;
        subnet.Weights(0, new Uid(1)).ToArray().ShouldBe([new SparseEntry(0, 1)]);
        subnet.Weights(1, new Uid(1)).ToArray().ShouldBe([new SparseEntry(2, 9)]);
        subnet.LastUpdate(1, new Uid(1)).ShouldBe(B(21));
    }

    [Fact]
    public void BondsReset_RemovesTheColumn()
    {
        var scenario = Scenario.Given(SubnetWith(3));
        scenario.State.Apply(Epoch(scenario.State, 8, [0, 0, 0], null, BondsRow(1, new SparseEntry(2, 4), new SparseEntry(0, 5))));
        var state = scenario.When(new BondsReset(B(9), Net, Hot(2))).ThenAccepted();
        state.Subnet(Net)!.Bonds(0, new Uid(1)).ToArray().ShouldBe([new SparseEntry(0, 5)]);
    }

    [Fact]
    public void BondsResetOfUnregisteredHotkey_IsRejected() =>
        Scenario.Given(SubnetWith(3)).When(new BondsReset(B(9), Net, Hot(7))).ThenRejected("hotkey", "not registered");
}

public class StakeRulesTests
{
    private static readonly List<ILedgerEvent> Staked =
        [.. SubnetWith(3), new StakeAdded(B(10), Cold(5), Hot(1), Net, new Rao(1_000), new Rao(10))];

    [Fact]
    public void StakeAdded_IsCreditedToPositionAndHotkeyTotal()
    {
        var state = Scenario.Given(Staked).When(new StakeAdded(B(11), Cold(6), Hot(1), Net, new Rao(500), null)).ThenAccepted();
        state.Stake(Cold(5), Hot(1), Net).ShouldBe(new Rao(1_000));
        state.Stake(Cold(6), Hot(1), Net).ShouldBe(new Rao(500));
        state.TotalStake(Hot(1), Net).ShouldBe(new Rao(1_500));
        state.Stakers(Hot(1), Net).Count().ShouldBe(2);
    }

    [Fact]
    public void StakeToUnknownHotkey_IsRejected() =>
        Scenario.Given(Staked).When(new StakeAdded(B(11), Cold(5), Hot(77), Net, new Rao(1), null)).ThenRejected("hotkey", "never registered");

    [Fact]
    public void StakeThatOverflows_IsRejectedNotThrown() =>
        Scenario.Given(Staked).When(new StakeAdded(B(11), Cold(6), Hot(1), Net, new Rao(ulong.MaxValue - 999), null))
            .ThenRejected("alpha", "overflows");

    [Fact]
    public void RemovalLargerThanStake_IsRejected() =>
        Scenario.Given(Staked).When(new StakeRemoved(B(11), Cold(5), Hot(1), Net, new Rao(1_001), null)).ThenRejected("alpha", "has 1000 staked");

    [Fact]
    public void RemovalByAnotherColdkey_IsRejected() =>
        Scenario.Given(Staked).When(new StakeRemoved(B(11), Cold(6), Hot(1), Net, new Rao(1), null)).ThenRejected("alpha", "has 0 staked");

    [Fact]
    public void FullRemoval_LeavesNothing()
    {
        var state = Scenario.Given(Staked).When(new StakeRemoved(B(11), Cold(5), Hot(1), Net, new Rao(1_000), null)).ThenAccepted();
        state.TotalStake(Hot(1), Net).ShouldBe(Rao.Zero);
        state.Stakers(Hot(1), Net).ShouldBeEmpty();
    }

    [Fact]
    public void MoveLargerThanStake_IsRejected() =>
        Scenario.Given(Staked).When(new StakeMoved(B(11), Cold(5), Hot(1), Hot(2), Net, new Rao(1_001))).ThenRejected("alpha", "cannot move 1001");

    [Fact]
    public void MoveThatOverflowsTheTarget_IsRejected() =>
        Scenario.Given([.. Staked, new StakeAdded(B(10), Cold(7), Hot(2), Net, new Rao(ulong.MaxValue - 10), null)])
            .When(new StakeMoved(B(11), Cold(5), Hot(1), Hot(2), Net, new Rao(11))).ThenRejected("alpha", "overflows");

    [Fact]
    public void Move_DebitsOneHotkeyAndCreditsTheOther()
    {
        var state = Scenario.Given(Staked).When(new StakeMoved(B(11), Cold(5), Hot(1), Hot(2), Net, new Rao(400))).ThenAccepted();
        state.Stake(Cold(5), Hot(1), Net).ShouldBe(new Rao(600));
        state.Stake(Cold(5), Hot(2), Net).ShouldBe(new Rao(400));
    }

    [Fact]
    public void AlphaBurnedBeyondStake_IsRejected() =>
        Scenario.Given(Staked).When(new AlphaBurned(B(11), Cold(5), Hot(1), Net, new Rao(2_000))).ThenRejected("alpha", "cannot burn");

    [Fact]
    public void AlphaRecycled_DebitsStake() =>
        Scenario.Given(Staked).When(new AlphaRecycled(B(11), Cold(5), Hot(1), Net, new Rao(1)))
            .ThenAccepted().Stake(Cold(5), Hot(1), Net).ShouldBe(new Rao(999));

    [Fact]
    public void DelegateTake_DefaultsThenIsSet()
    {
        var scenario = Scenario.Given(Staked);
        scenario.State.DelegateTake(Hot(1)).ShouldBe((ushort)11_796);
        scenario.When(new DelegateTakeSet(B(11), Hot(1), 100)).ThenAccepted().DelegateTake(Hot(1)).ShouldBe((ushort)100);
    }

    [Fact]
    public void DelegateTakeOfUnknownHotkey_IsRejected() =>
        Scenario.Given(Staked).When(new DelegateTakeSet(B(11), Hot(70), 100)).ThenRejected("hotkey", "never registered");
}
