using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Audit;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Chain.Tests.Replay;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Audit;

/// <summary>
/// Epochs built by <see cref="TestEpoch"/> (outputs computed by the port from the description), served by the loopback
/// node, read by <see cref="ObservedEpochReader"/> and audited: they match bit for bit, and a changed output is named.
/// </summary>
public sealed class EpochAuditTests
{
    private const long B = 8_000_000;

    private static async Task<(TestEpoch Epoch, ObservedEpoch Observed)> ObserveAsync(TestEpoch epoch) =>
        (epoch, await TestEpochTests.ReadAsync(epoch.Build(), epoch.Block, epoch.Netuid));

    [Fact]
    public async Task A_classic_epoch_matches_with_its_emission()
    {
        var (epoch, observed) = await ObserveAsync(TestEpochTests.Classic());

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.Differences.ShouldBeEmpty();
        verdict.FirstDifference.ShouldBeNull();
        verdict.NotCompared.ShouldBeEmpty();
        (verdict.Netuid, verdict.Block, verdict.SpecVersion, verdict.Mechanisms).ShouldBe(((ushort)52, B, 393u, 1));
    }

    [Fact]
    public async Task Without_the_rao_emission_one_mechanism_is_compared_with_the_amount_its_floors_agree_on()
    {
        var (epoch, observed) = await ObserveAsync(TestEpochTests.Classic());

        var verdict = EpochAudit.Audit(observed);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.NotCompared.ShouldBeEmpty();
        verdict.RaoEmissionInferred.ShouldBe("rao_emission 999999999999..1000000000000: 8 of 8 written floors agree");
        verdict.RaoEmission.ShouldBe(999_999_999_999UL);
        epoch.RaoEmission.ShouldBe(1_000_000_000_000UL);
    }

    [Fact]
    public async Task Without_the_rao_emission_a_changed_emission_is_the_floor_that_disagrees()
    {
        var (epoch, observed) = await ObserveAsync(TestEpochTests.Classic().Tamper("IncentiveAlphaEmittedToMiners", 2));
        var miners = epoch.Expected.PerMechanism[0].ServerEmission[2];
        var (_, alone) = await ObserveAsync(TestEpochTests.Classic().Tamper("Emission", 0));

        var verdict = EpochAudit.Audit(observed);
        var absorbed = EpochAudit.Audit(alone);

        verdict.Differences.ShouldBe([new EpochDifference("IncentiveAlphaEmittedToMiners", 0, 2, $"{miners + 1}", $"{miners}")]);
        verdict.RaoEmissionInferred.ShouldBe("rao_emission 999999999999..1000000000000: 7 of 8 written floors agree");
        // One more rao on uid 0 alone is explained by a slightly larger amount: without rao_emission only floors that
        // no single amount explains can be found.
        absorbed.RaoEmissionInferred.ShouldBe("rao_emission 1000000000001..1000000000001: 8 of 8 written floors agree");
        absorbed.Outcome.ShouldBe(EpochOutcome.Match);
    }

    [Fact]
    public async Task A_yuma3_epoch_with_liquid_alpha_matches()
    {
        var (built, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [400_000_000_000, 300_000_000_000, 1_000_000_000, 0, 0],
            Root = [0, 2_000_000_000_000, 0, 0, 0],
            Yuma3 = true,
            LiquidAlpha = true,
            AlphaValues = (30_000, 60_000),
            Weights = [[[(2, 65535), (3, 40000), (4, 1000)], [(2, 50000), (3, 65535)], [(4, 65535)]]],
            Bonds = [[[(2, 30000), (3, 20000)], [(3, 45000), (4, 7)]]],
        });

        EpochAudit.Audit(observed, built.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        built.Expected.PerMechanism[0].Bonds[0].ShouldNotBeEmpty("the liquid-alpha bonds are compared, not vacuous");
    }

    [Fact]
    public async Task A_two_mechanism_epoch_matches_with_its_split_and_emission()
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [300_000_000_000, 200_000_000_000, 0, 0],
            Weights = [[[(2, 65535), (3, 100)], [(2, 65535)]], [[(3, 65535)], [(2, 20000), (3, 65535)]]],
            Bonds = [[[(2, 1000)]], [[(3, 60000)], [(2, 5)]]],
            EmissionSplit = [40_000, 25_535],
            RaoEmission = 987_654_321_123,
        });

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.Mechanisms.ShouldBe(2);
        epoch.Expected.PerMechanism[1].Incentive.ShouldNotBe(epoch.Expected.PerMechanism[0].Incentive);
    }

    [Fact]
    public async Task A_childkey_changes_the_stake_weight_and_the_audit_follows_it()
    {
        TestEpoch Build(TestChild[] children) => new()
        {
            Alpha = [400_000_000_000, 100_000_000_000, 5_000_000_000, 0],
            Root = [1_000_000_000_000, 0, 0, 0],
            Others = { [9] = (50_000_000_000, 7_000_000_000_000) },
            Children = children,
            Weights = [[[(3, 65535)], [(3, 65535)], [(3, 65535)]]],
        };
        var (epoch, observed) = await ObserveAsync(Build([new TestChild(0, 2, ulong.MaxValue / 4), new TestChild(9, 2, ulong.MaxValue / 3)]));
        var without = Build([]);
        without.Place(new TestChain(B, history: 1));

        EpochAudit.Audit(observed, epoch.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        epoch.Expected.Aggregate.StakeWeight[2].ShouldBeGreaterThan(without.Expected.Aggregate.StakeWeight[2]);
        epoch.Expected.Aggregate.StakeWeight[0].ShouldBeLessThan(without.Expected.Aggregate.StakeWeight[0]);
    }

    [Fact]
    public async Task A_commit_reveal_epoch_uses_the_rows_revealed_in_the_block_and_the_pending_commits()
    {
        const ulong live = B - 100;
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [300_000_000_000, 400_000_000_000, 0, 0],
            Registered = [1, 1, 1, B - 50],
            Weights = [[[(2, 65535), (3, 65535)], [(2, 100)]]],
            CommitReveal = true,
            Commits =
            [
                new TestCommit(0, live, 22_160),
                new TestCommit(1, B - 1000, 22_158), // epoch (B − 1000 + 53) / 361 = 22 158: expired in B's epoch 22 160
                new TestCommit(1, B, 22_161),        // made by an extrinsic of B, after the epoch
            ],
            Revealed = [(0, 1, [(2, 30000), (3, 65535)])],
        });

        var inputs = EpochInputs.Build(observed, EpochRules.For(393)).Inputs!.ShouldHaveSingleItem();

        inputs.CommitBlocks.ShouldBe([live, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue]);
        inputs.Weights[1].ShouldBe([((ushort)2, (ushort)30000), ((ushort)3, (ushort)65535)]);
        EpochAudit.Audit(observed, epoch.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        epoch.Expected.Aggregate.Consensus[3].ShouldBeGreaterThan((ushort)0, "uid 1's revealed weight on uid 3 counts; uid 0's is masked");
    }

    [Fact]
    public async Task A_tampered_output_is_reported_with_its_uid_and_field()
    {
        var (epoch, observed) = await ObserveAsync(TestEpochTests.Classic().Tamper("Consensus", 2));
        var expected = epoch.Expected.Aggregate.Consensus[2];

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.Outcome.ShouldBe(EpochOutcome.Differs);
        verdict.Differences.ShouldBe([new EpochDifference("Consensus", 0, 2, $"{expected + 1}", $"{expected}")]);
        verdict.FirstDifference.ShouldBe(verdict.Differences[0]);
    }

    [Fact]
    public async Task A_tampered_bond_and_miner_emission_are_reported_in_order()
    {
        var (epoch, observed) = await ObserveAsync(TestEpochTests.Classic().Tamper("IncentiveAlphaEmittedToMiners", 3).Tamper("Bonds", 1));
        var bonds = epoch.Expected.PerMechanism[0].Bonds[1];
        var emission = epoch.Expected.PerMechanism[0].ServerEmission[3];

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.Differences.ShouldBe(
        [
            new EpochDifference("Bonds", 0, 1, $"[[{bonds[0].Col},{bonds[0].Val + 1}],[{bonds[1].Col},{bonds[1].Val}]]", $"[[{bonds[0].Col},{bonds[0].Val}],[{bonds[1].Col},{bonds[1].Val}]]"),
            new EpochDifference("IncentiveAlphaEmittedToMiners", 0, 3, $"{emission + 1}", $"{emission}"),
        ]);
        bonds.Length.ShouldBe(2);
    }

    [Fact]
    public async Task A_uid_registered_in_the_block_is_excluded_and_not_compared()
    {
        var registration = new JsonObject
        {
            ["phase"] = new JsonObject { ["ApplyExtrinsic"] = 2 },
            ["event"] = new JsonObject { ["SubtensorModule"] = new JsonObject { ["NeuronRegistered"] = new JsonArray(52, 3, TestChain.Account(3)) } },
        };
        var classic = TestEpochTests.Classic();
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = classic.Alpha, Root = classic.Root, Others = classic.Others, Children = classic.Children, Weights = classic.Weights, Bonds = classic.Bonds,
            ExtraEvents = [registration],
        }.Tamper("Dividends", 3).Tamper("Incentive", 3));

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.ExcludedUids.ShouldBe([(ushort)3]);
    }

    [Fact]
    public async Task An_epoch_whose_runtime_lacks_an_item_its_rule_set_reads_is_incomplete()
    {
        var (_, observed) = await ObserveAsync(TestEpochTests.Classic());

        var verdict = EpochAudit.Audit(AsSpec(observed, 423));

        verdict.Outcome.ShouldBe(EpochOutcome.Incomplete);
        verdict.Reason.ShouldBe("the state at block 7999999 (spec 423) has no ActivityCutoffFactorMilli, SubnetEpochIndex, which spec 423's epoch reads");
        verdict.Differences.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_block_where_no_epoch_ran_is_incomplete()
    {
        var (_, observed) = await ObserveAsync(TestEpochTests.Classic());

        var verdict = EpochAudit.Audit(observed with { Outputs = observed.Inputs, Events = [] });

        verdict.Outcome.ShouldBe(EpochOutcome.Incomplete);
        verdict.Reason.ShouldBe($"no epoch of subnet 52 ran in block {B}: LastMechansimStepBlock there is {B - 361} and no IncentiveAlphaEmittedToMiners was emitted");
    }

    [Fact]
    public async Task An_epoch_before_spec_320_is_refused_in_one_line()
    {
        var (_, observed) = await ObserveAsync(TestEpochTests.Classic());

        Should.Throw<UnsupportedSpecException>(() => EpochAudit.Audit(AsSpec(observed, 319))).Message
            .ShouldBe("spec 319 is older than spec 320, the first the audit supports (mechanisms); audit blocks from spec 320 on");
    }

    /// <summary>The spec-423 variants: activity cutoff from the factor, bonds mask after the last step, written with them; 393's rules disagree.</summary>
    [Fact]
    public async Task The_post_423_rule_set_matches_an_epoch_the_pre_423_rules_do_not()
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [400_000_000_000, 300_000_000_000, 0, 0],
            Registered = [1, 1, B - 200, 1],
            LastUpdate = [[B - 1, B - 1000, B - 1, B - 1]],
            LastStep = B - 100,
            Weights = [[[(2, 65535), (3, 30000)], [(2, 65535)]]],
            Bonds = [[[(2, 40000), (3, 100)], [(2, 50000)]]],
            DynamicTempoRules = true,
            ActivityCutoffFactorMilli = 1000,
            SubnetEpochIndex = 41,
        });

        var at423 = EpochAudit.Audit(AsSpec(observed, 423, ("ActivityCutoffFactorMilli", 1000), ("SubnetEpochIndex", 41)), epoch.RaoEmission);
        var at393 = EpochAudit.Audit(observed, epoch.RaoEmission);

        at423.Outcome.ShouldBe(EpochOutcome.Match);
        at393.Outcome.ShouldBe(EpochOutcome.Differs);
        at393.Differences.ShouldContain(new EpochDifference("Active", 0, 1, "false", "true"), "cutoff 360 under 423, 5000 under 393");
        at393.Differences.ShouldContain(new EpochDifference("Bonds", 0, 1, "[[2,65535]]", "[]"), "uid 1's bond on uid 2 (registered at B − 200) survives the mask after the last step, not the one at B − tempo");
        at393.FirstDifference!.Field.ShouldBe("Bonds");
    }

    [Fact]
    public async Task Before_401_the_owner_keeps_only_its_self_weight()
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [400_000_000_000, 300_000_000_000, 0],
            Weights = [[[(0, 65535), (2, 1000)], [(2, 65535)]]],
            OwnerUid = 0,
            PortOwnerUid = 0,
        });

        EpochAudit.Audit(observed, epoch.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        epoch.Expected.Aggregate.Consensus[0].ShouldBeGreaterThan((ushort)0, "the owner's self-weight counts");
    }

    [Fact]
    public async Task Before_401_an_owner_with_a_self_weight_and_no_stake_cannot_be_expressed()
    {
        var (_, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [400_000_000_000, 300_000_000_000, 0],
            Weights = [[[(2, 65535)], [(2, 65535)], [(2, 65535)]]],
            OwnerUid = 2,
        });

        var verdict = EpochAudit.Audit(observed);

        verdict.Outcome.ShouldBe(EpochOutcome.Incomplete);
        verdict.Reason.ShouldBe("the owner uid 2 keeps its self-weight but earns no new validator permit: the port cannot express the owner rules before spec 401 for it");
    }

    [Fact]
    public async Task From_401_the_owner_is_exempt_from_the_stake_threshold()
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [400_000_000_000, 300_000_000_000, 500_000_000],
            Weights = [[[(1, 65535)], [(0, 65535)]]],
            StakeThreshold = 1_000_000_000,
            OwnerUid = 2,
            PortOwnerUid = 2,
        });

        var at401 = EpochAudit.Audit(AsSpec(observed, 401), epoch.RaoEmission);
        var at393 = EpochAudit.Audit(observed, epoch.RaoEmission);

        at401.Outcome.ShouldBe(EpochOutcome.Match);
        epoch.Expected.Aggregate.StakeWeight[2].ShouldBeGreaterThan((ushort)0);
        at393.Differences.ShouldContain(new EpochDifference("StakeWeight", 0, 2, $"{epoch.Expected.Aggregate.StakeWeight[2]}", "0"));
    }

    /// <summary>
    /// Commit epochs: 393 counts them from the commit block, (block + netuid + 1) / 361 (B is in epoch 22 160); 423 from
    /// the commit's epoch key against SubnetEpochIndex + 1 = 42. Each rule set keeps the commits the other lets expire.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commit_reveal_epochs_are_counted_by_the_rule_set(bool legacy)
    {
        const ulong old = B - 1000; // epoch 22 158 by block: expired under 393
        const ulong recent = B - 100; // epoch 22 160 by block: live under 393
        TestCommit[] commits = legacy ? [] : [new TestCommit(0, old, 41), new TestCommit(1, recent, 40)];
        (ushort, ulong, ulong)[] queues = legacy ? [(0, old, 41), (1, recent, 40)] : [];
        TestEpoch Build(bool at423) => new()
        {
            Alpha = [300_000_000_000, 400_000_000_000, 0, 0],
            Registered = [1, 1, 1, B - 50],
            Weights = [[[(2, 65535), (3, 65535)], [(2, 100), (3, 65535)]]],
            CommitReveal = true,
            Commits = commits,
            LegacyCommits = queues,
            DynamicTempoRules = at423,
            SubnetEpochIndex = 41,
        };
        var (epoch423, observed423) = await ObserveAsync(Build(at423: true));
        var (epoch393, observed393) = await ObserveAsync(Build(at423: false));
        var as423 = AsSpec(observed423, 423, ("ActivityCutoffFactorMilli", 13_889), ("SubnetEpochIndex", 41));

        EpochInputs.Build(as423, EpochRules.For(423)).Inputs![0].CommitBlocks.ShouldBe([old, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue]);
        EpochInputs.Build(observed393, EpochRules.For(393)).Inputs![0].CommitBlocks.ShouldBe([ulong.MaxValue, recent, ulong.MaxValue, ulong.MaxValue]);
        EpochAudit.Audit(as423, epoch423.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        EpochAudit.Audit(observed393, epoch393.RaoEmission).Outcome.ShouldBe(EpochOutcome.Match);
        EpochAudit.Audit(AsSpec(observed393, 423, ("ActivityCutoffFactorMilli", 13_889), ("SubnetEpochIndex", 41)), epoch393.RaoEmission).Outcome.ShouldBe(EpochOutcome.Differs);
    }

    [Fact]
    public async Task A_two_mechanism_epoch_without_its_rao_emission_is_audited_with_the_sum_of_its_shares()
    {
        var (_, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [300_000_000_000, 200_000_000_000, 0, 0],
            Weights = [[[(2, 65535), (3, 100)], [(2, 65535)]], [[(3, 65535)], [(2, 20000), (3, 65535)]]],
            EmissionSplit = [40_000, 25_535],
            RaoEmission = 987_654_321_123,
        });

        var verdict = EpochAudit.Audit(observed);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.NotCompared.ShouldBeEmpty();
        verdict.RaoEmission.ShouldBe(987_654_321_123UL);
        verdict.RaoEmissionInferred.ShouldBe("rao_emission 987654321123: of the sums of the shares the miner emissions allow (602825556495..602825556496 + 384828764626..384828764627), the one with the fewest differences");
    }

    [Fact]
    public async Task A_tampered_second_mechanism_output_is_named_with_its_mechanism()
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [300_000_000_000, 200_000_000_000, 0, 0],
            Weights = [[[(2, 65535), (3, 100)], [(2, 65535)]], [[(3, 65535)], [(2, 20000), (3, 65535)]]],
            EmissionSplit = [40_000, 25_535],
        }.Tamper("Incentive", 2, mechanism: 1));
        var incentive = epoch.Expected.PerMechanism[1].Incentive[2];

        var verdict = EpochAudit.Audit(observed);

        verdict.Differences.ShouldBe([new EpochDifference("Incentive", 1, 2, $"{incentive + 1}", $"{incentive}")]);
    }

    /// <summary>An even split of an odd amount gives mechanism 0 one rao more, which moves the aggregates' weights off ½.</summary>
    [Theory]
    [InlineData(1_000_000_000_001UL)]
    [InlineData(1_000_000_000_000UL)]
    public async Task An_even_split_is_audited_with_the_parity_of_its_amount(ulong rao)
    {
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = [300_000_000_000, 300_000_000_000, 0, 0],
            Weights = [[[(2, 65535), (3, 65535)], [(2, 65535), (3, 65535)]], [[(3, 65535)], [(3, 65535)]]],
            RaoEmission = rao,
        });

        var verdict = EpochAudit.Audit(observed);

        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.RaoEmission.ShouldBe(rao);
        epoch.Expected.Aggregate.StakeWeight.ShouldNotBeEmpty();
    }

    /// <summary>A spec-343 chain (the real 343 metadata) also holds Rank, Trust and PruningScores, compared too.</summary>
    [Fact]
    public async Task Before_365_rank_trust_and_pruning_scores_are_compared()
    {
        var classic = TestEpochTests.Classic();
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Spec = 343, Alpha = classic.Alpha, Root = classic.Root, Others = classic.Others, Children = classic.Children, Weights = classic.Weights, Bonds = classic.Bonds,
        });

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        verdict.SpecVersion.ShouldBe(343u);
        verdict.Outcome.ShouldBe(EpochOutcome.Match);
        verdict.NotCompared.ShouldBeEmpty();
        observed.Outputs.Value("Trust")!.AsArray().Count.ShouldBe(4);
    }

    [Fact]
    public async Task Trust_is_the_share_of_rank_that_survives_clipping()
    {
        // Two equal validators agree on uid 2: nothing is clipped, so its trust is 1; validators receive no weight.
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Spec = 343,
            Alpha = [100_000_000_000, 100_000_000_000, 0],
            Weights = [[[(2, 65535)], [(2, 65535)]]],
        }.Tamper("PruningScores", 1));

        var verdict = EpochAudit.Audit(observed, epoch.RaoEmission);

        observed.Outputs.Value("Trust")!.AsArray().Select(v => v!.GetValue<long>()).ShouldBe([0L, 0L, 65535L]);
        observed.Outputs.Value("Rank")!.AsArray().Select(v => v!.GetValue<long>()).ShouldBe([0L, 0L, 65535L]);
        // Combined emission (¼, ¼, ½) max-upscaled: ¼·65535/½ = 32767.5 rounds to 32768 (written as 32769).
        verdict.Differences.ShouldHaveSingleItem().ShouldBe(new EpochDifference("PruningScores", 0, 1, "32769", "32768"));
    }

    [Fact]
    public async Task Inputs_the_state_before_the_block_may_not_show_are_flagged()
    {
        var lower = new JsonObject
        {
            ["phase"] = "Initialization",
            ["event"] = new JsonObject { ["SubtensorModule"] = new JsonObject { ["IncentiveAlphaEmittedToMiners"] = new JsonObject { ["netuid"] = 3, ["emissions"] = new JsonArray(1, 2) } } },
        };
        var classic = TestEpochTests.Classic();
        var (epoch, observed) = await ObserveAsync(new TestEpoch
        {
            Alpha = classic.Alpha, Root = classic.Root, Others = classic.Others, Children = classic.Children, Weights = classic.Weights, Bonds = classic.Bonds,
            ExtraEvents = [lower],
        });

        EpochAudit.Audit(observed, epoch.RaoEmission).Caveats.ShouldBeEmpty("from 334 a lower subnet's distribution leaves root stake alone");
        EpochAudit.Audit(AsSpec(observed, 333), epoch.RaoEmission).Caveats.ShouldBe(
            ["subnet 3 ran its epoch earlier in block 8000000 and, before spec 334, paid root dividends as root stake this epoch then read"]);
        var upgrade = EpochAudit.Audit(observed with { RuntimeUpgrade = true }, epoch.RaoEmission);
        upgrade.RuntimeUpgrade.ShouldBeTrue();
        upgrade.Caveats.ShouldBe(["block 8000000 is the first of spec 393: its migrations ran before the epoch, after the state read at block 7999999"]);
        upgrade.Outcome.ShouldBe(EpochOutcome.Match);
    }

    /// <summary>
    /// The epoch as a runtime of <paramref name="spec"/> would have served it: the spec-393 fixtures' metadata has no
    /// items added later, so those are added here with their values, as the node would answer them.
    /// </summary>
    internal static ObservedEpoch AsSpec(ObservedEpoch epoch, uint spec, params (string Item, long Value)[] added)
    {
        var state = epoch.Inputs;
        var entry = state.Reads[0].Read.Entry;
        var reads = state.Reads.Concat(added.Select(a => new EpochRead(
            EpochItems.All.First(i => i.Name == a.Item), 0, new StorageRead(entry, [], [], [0], JsonValue.Create(a.Value)))));
        var missing = spec >= 423 ? [.. state.Missing.Except(added.Select(a => a.Item)), "ActivityCutoffFactorMilli", "SubnetEpochIndex"] : state.Missing;
        var inputs = new SubnetEpochState(state.Block with { SpecVersion = spec }, state.Netuid, state.Mechanisms, [.. reads], [.. missing.Except(added.Select(a => a.Item)).Distinct()]);
        return epoch with { Block = epoch.Block with { SpecVersion = spec }, Inputs = inputs };
    }
}
