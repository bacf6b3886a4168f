using System.Text.Json;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>The parameterised vector families: test_512_graph (compact description) and test_validator_permits.</summary>
public sealed class FamilyVectorTests
{
    private const ulong ValidatorStake = 328_125_000_000_000;

    public static TheoryData<int> Graph512Cases() => [0, 1, 2, 3];

    public static TheoryData<int> PermitCases()
    {
        using var doc = VectorFiles.Load("test_validator_permits.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Graph512Cases))]
    public void Graph512_AfterThreeEpochs_MatchesAssertedTerms(int caseIndex)
    {
        using var doc = VectorFiles.Load("test_512_graph.json");
        var root = doc.RootElement;
        var testCase = root.GetProperty("cases")[caseIndex];
        var validators = testCase.GetProperty("validators").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
        bool serverSelf = testCase.GetProperty("server_self").GetBoolean();
        const int n = 512;
        var servers = Enumerable.Range(0, n).Where(u => !validators.Contains(u)).ToArray();
        var harness = new EpochHarness(EpochHarness.ParseHyperparameters(root.GetProperty("hyperparameters")), n);
        foreach (int v in validators)
        {
            harness.Stake[v] = ValidatorStake;
        }

        // epoch@block1 with no weights only assigns permits.
        harness.RunEpoch(1, 1_000_000_000);
        foreach (int v in validators)
        {
            harness.Apply(SetWeights(v, servers, [.. Enumerable.Repeat((ushort)(65535 / n), servers.Length)], 1));
        }

        if (serverSelf)
        {
            foreach (int s in servers)
            {
                harness.Apply(SetWeights(s, [s], [65535], 1));
            }
        }

        harness.RunEpoch(1, 1_000_000_000);
        harness.RunEpoch(1, 1_000_000_000);
        var output = harness.RunEpoch(1, 1_000_000_000);

        var asserted = testCase.GetProperty("assert_after_last_epoch");
        int validator0 = validators.Min();
        int server0 = servers[0];
        var failures = new List<string>();
        foreach (var (group, uids) in new[] { ("validators", validators.ToArray()), ("servers", servers) })
        {
            var expected = asserted.GetProperty(group);
            foreach (int uid in uids)
            {
                Expect(failures, group, uid, "consensus", expected, output.Consensus[uid]);
                Expect(failures, group, uid, "incentive", expected, output.Incentive[uid]);
                Expect(failures, group, uid, "dividends", expected, output.Dividends[uid]);
                Expect(failures, group, uid, "emission", expected, output.Emission[uid]);
                Expect(failures, group, uid, "bonds_u16[uid][validators[0]]", expected, EpochHarness.BondU16(output, uid, validator0));
                Expect(failures, group, uid, "bonds_u16[uid][servers[0]]", expected, EpochHarness.BondU16(output, uid, server0));
            }
        }

        failures.ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(PermitCases))]
    public void ValidatorPermits_FollowTopKOfThresholdedStake(int caseIndex)
    {
        using var doc = VectorFiles.Load("test_validator_permits.json");
        var root = doc.RootElement;
        var testCase = root.GetProperty("cases")[caseIndex];
        var stake = testCase.GetProperty("initial_stake").EnumerateArray().Select(e => e.GetUInt64()).ToArray();
        var hp = EpochHarness.ParseHyperparameters(root.GetProperty("hyperparameters")) with
        {
            StakeThreshold = testCase.GetProperty("stake_threshold").GetUInt64(),
            MaxAllowedValidators = testCase.GetProperty("validators_n").GetUInt16(),
        };
        var harness = new EpochHarness(hp, testCase.GetProperty("network_n").GetInt32());
        stake.CopyTo(harness.Stake, 0);
        var failures = new List<string>();
        int asserted = 0;
        int stepIndex = 0;
        foreach (var step in testCase.GetProperty("steps").EnumerateArray())
        {
            foreach (var action in step.GetProperty("actions_before_epoch").EnumerateArray())
            {
                harness.Apply(action);
            }

            var output = harness.RunEpoch(step.GetProperty("epoch_block").GetUInt64(), step.GetProperty("rao_emission").GetUInt64());
            foreach (var assertion in step.GetProperty("assertions").EnumerateArray())
            {
                var failure = EpochHarness.Check(assertion, output, $"case {caseIndex} step {stepIndex}");
                if (failure is not null)
                {
                    failures.Add(failure);
                }

                asserted++;
            }

            stepIndex++;
        }

        asserted.ShouldBeGreaterThan(0);
        failures.ShouldBeEmpty();
    }

    private static void Expect(List<string> failures, string group, int uid, string key, JsonElement expected, ulong actual)
    {
        ulong e = expected.GetProperty(key).GetUInt64();
        if (e != actual)
        {
            failures.Add($"{group} uid {uid} {key}: expected {e}, got {actual}");
        }
    }

    private static JsonElement SetWeights(int uid, int[] uids, ushort[] values, ulong block)
    {
        string json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["action"] = "set_weights",
            ["uid"] = uid,
            ["uids"] = uids,
            ["values"] = values,
            ["at_block"] = block,
        });
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
