using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Cli.Yuma;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>
/// The streaming `ledger yuma` reader against the document reader it stands in for: the same input for every valid
/// document, and null (so the document reader words the error) for every invalid one.
/// </summary>
public sealed class YumaJsonReaderTests
{
    public static TheoryData<string> EpochVectors() => VectorFiles.OfKind("epoch_sequence");

    private static JsonObject InputFromVector(string file)
    {
        using var doc = VectorFiles.Load(file);
        var root = JsonNode.Parse(doc.RootElement.GetRawText())!.AsObject();
        var s = root["steps"]![0]!;
        return new JsonObject
        {
            ["current_block"] = s["epoch_block"]!.DeepClone(),
            ["rao_emission"] = s["rao_emission"]!.DeepClone(),
            ["hyperparameters"] = root["hyperparameters"]!.DeepClone(),
            ["state"] = root["initial_state"]!.DeepClone(),
        };
    }

    private static YumaInput ByDocument(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        return YumaJson.ParseInput(document.RootElement);
    }

    private static void ShouldBeSame(YumaInput actual, YumaInput expected)
    {
        actual.CurrentBlock.ShouldBe(expected.CurrentBlock);
        actual.RaoEmission.ShouldBe(expected.RaoEmission);
        actual.Hyperparameters.ShouldBe(expected.Hyperparameters);
        actual.N.ShouldBe(expected.N);
        actual.StakeAlphaRao.ShouldBe(expected.StakeAlphaRao);
        actual.BlockAtRegistration.ShouldBe(expected.BlockAtRegistration);
        actual.LastUpdate.ShouldBe(expected.LastUpdate);
        actual.ValidatorPermit.ShouldBe(expected.ValidatorPermit);
        actual.CommitBlocks.ShouldBe(expected.CommitBlocks);
        actual.Weights.Length.ShouldBe(expected.Weights.Length);
        actual.Bonds.Length.ShouldBe(expected.Bonds.Length);
        for (int i = 0; i < expected.Weights.Length; i++)
        {
            actual.Weights[i].ShouldBe(expected.Weights[i]);
            actual.Bonds[i].ShouldBe(expected.Bonds[i]);
        }
    }

    [Theory]
    [MemberData(nameof(EpochVectors))]
    public void VectorInputs_ReadAsTheDocumentReaderReadsThem(string file)
    {
        string json = InputFromVector(file).ToJsonString();
        var fast = YumaJsonReader.TryRead(Encoding.UTF8.GetBytes(json)).ShouldNotBeNull();
        ShouldBeSame(fast, ByDocument(json));
    }

    [Theory]
    [InlineData("""{"x": {"deep": [[1], {"a": null}]}, "rao_emission": 7, "current_block": 5, "state": {"bonds": [[[9, 1]]], "weights": [[[1, 2], [70, 3]]], "n": 3, "validator_permit": [true, false], "last_update": [], "block_at_registration": [0, 1, 18446744073709551615], "stake_alpha_rao": [1, 2, 3], "commit_blocks": null, "extra": 1}, "hyperparameters": HP}""")]
    [InlineData("""{"current_block": 5, "rao_emission": 7, "hyperparameters": HP, "state": {"n": 2, "stake_alpha_rao": [1, 2], "block_at_registration": [0, 0], "last_update": [1, 2, 3], "validator_permit": [], "weights": [], "bonds": [[], []], "commit_blocks": [4, 18446744073709551615]}}""")]
    [InlineData("""{"\u0063urrent_block": 5, "rao_emission": 7, "hyperparameters": HP, "state": {"n": 0, "stake_alpha_rao": [], "block_at_registration": [], "last_update": [], "validator_permit": [], "weights": [], "bonds": []}}""")]
    public void ValidDocuments_ReadAsTheDocumentReaderReadsThem(string template)
    {
        const string hp = """{"tempo": 360, "activity_cutoff": 5000, "stake_threshold": 0, "owner_uid": null, "max_allowed_validators": 64, "kappa": 32767, "bonds_penalty": 65535, "yuma3": true, "liquid_alpha": false, "alpha_low": 45875, "alpha_high": 58982, "alpha_sigmoid_steepness": -1000, "bonds_moving_average": 900000, "last_mechanism_step_block": 0}""";
        string json = template.Replace("HP", hp, StringComparison.Ordinal);
        var fast = YumaJsonReader.TryRead(Encoding.UTF8.GetBytes(json)).ShouldNotBeNull();
        ShouldBeSame(fast, ByDocument(json));
    }

    [Theory]
    [MemberData(nameof(YumaCommandTests.BadFields), MemberType = typeof(YumaCommandTests))]
    public void BadFields_AreLeftToTheDocumentReader(string path, string? valueJson, string message)
    {
        var input = InputFromVector("test_simple.json");
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate((JsonNode)input, (node, key) => node[key]!).AsObject();
        if (valueJson is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(valueJson);
        }

        YumaJsonReader.TryRead(Encoding.UTF8.GetBytes(input.ToJsonString())).ShouldBeNull(message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("null")]
    [InlineData("{} x")]
    [InlineData("{\"current_block\": 1, \"current_block\": 2}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]")]
    public void BrokenDocuments_AreLeftToTheDocumentReader(string text) =>
        YumaJsonReader.TryRead(Encoding.UTF8.GetBytes(text)).ShouldBeNull();

    [Fact]
    public void DuplicateKeys_AreLeftToTheDocumentReader()
    {
        var input = InputFromVector("test_simple.json").ToJsonString();
        string duplicated = input.Replace("\"current_block\":", "\"current_block\": 1, \"current_block\":", StringComparison.Ordinal);
        YumaJsonReader.TryRead(Encoding.UTF8.GetBytes(duplicated)).ShouldBeNull();
    }
}
