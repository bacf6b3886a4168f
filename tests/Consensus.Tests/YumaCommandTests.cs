using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Cli;
using Bittensor.Ledger.Cli.Yuma;

namespace Bittensor.Ledger.Consensus.Tests;

/// <summary>`ledger yuma` end to end, in process: JSON in, JSON out, exit code 2 on malformed input.</summary>
public sealed class YumaCommandTests
{
    private static JsonObject InputFromVector(string file, int step = 0)
    {
        using var doc = VectorFiles.Load(file);
        var root = JsonNode.Parse(doc.RootElement.GetRawText())!.AsObject();
        var s = root["steps"]![step]!;
        return new JsonObject
        {
            ["current_block"] = s["epoch_block"]!.DeepClone(),
            ["rao_emission"] = s["rao_emission"]!.DeepClone(),
            ["hyperparameters"] = root["hyperparameters"]!.DeepClone(),
            ["state"] = root["initial_state"]!.DeepClone(),
        };
    }

    private static (int Exit, string Stdout, string Stderr) Run(string input, string? inputPath = null, string? outputPath = null) =>
        RunBytes(Encoding.UTF8.GetBytes(input), inputPath, outputPath);

    private static (int Exit, string Stdout, string Stderr) RunBytes(byte[] input, string? inputPath = null, string? outputPath = null)
    {
        using var stdin = new MemoryStream(input);
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        int exit = YumaCommand.Execute(inputPath, outputPath, stdin, stdout, stderr);
        return (exit, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    [Fact]
    public void VectorInitialState_ProducesModelOutputsAndExitZero()
    {
        var input = InputFromVector("epoch_mechanism_reads_weights_per_mechanism__mech0.json");
        var (exit, stdout, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(0, stderr);
        using var outputDoc = JsonDocument.Parse(stdout);
        using var vector = VectorFiles.Load("epoch_mechanism_reads_weights_per_mechanism__mech0.json");
        var model = vector.RootElement.GetProperty("steps")[0].GetProperty("model_outputs_informative");
        foreach (var name in new[] { "stake_weight", "consensus", "incentive", "dividends", "validator_trust", "server_emission", "validator_emission", "emission", "active", "new_validator_permit" })
        {
            outputDoc.RootElement.GetProperty(name).GetRawText().ShouldBe(JsonSerializer.Serialize(model.GetProperty(name)), name);
        }

        outputDoc.RootElement.GetProperty("bonds").GetRawText().ShouldBe(JsonSerializer.Serialize(model.GetProperty("bonds_u16")));
    }

    [Fact]
    public void Utf8ByteOrderMark_IsAccepted_AsTheImportAcceptsOne()
    {
        var input = InputFromVector("test_simple.json").ToJsonString();
        var plain = Run(input);

        var withBom = RunBytes([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(input)]);

        withBom.Exit.ShouldBe(0, withBom.Stderr);
        withBom.Stdout.ShouldBe(plain.Stdout);
    }

    [Fact]
    public void InvalidUtf8InAKey_IsNamedByLine_NotAStackTrace()
    {
        var input = Encoding.UTF8.GetBytes("{\n  \"hyper\uFFFDparameters\": {}\n}");
        var bad = input.AsSpan().IndexOf("\uFFFD"u8);
        byte[] broken = [.. input[..bad], 0xC3, 0x28, .. input[(bad + 3)..]];

        var (exit, _, stderr) = RunBytes(broken);

        exit.ShouldBe(ExitCodes.BadInput);
        stderr.ShouldBe($"<stdin>:2: not valid UTF-8 (byte {bad + 1} of the input){Environment.NewLine}");
    }

    [Fact]
    public void InputAndOutputFiles_AreReadAndWritten()
    {
        var input = InputFromVector("test_simple.json");
        string dir = Directory.CreateTempSubdirectory("yuma-cli").FullName;
        try
        {
            string inPath = Path.Combine(dir, "in.json"), outPath = Path.Combine(dir, "out.json");
            File.WriteAllText(inPath, input.ToJsonString());
            var (exit, stdout, _) = Run("", inPath, outPath);
            exit.ShouldBe(0);
            stdout.ShouldBeEmpty();
            using var doc = JsonDocument.Parse(File.ReadAllText(outPath));
            doc.RootElement.GetProperty("validator_emission").GetRawText().ShouldBe("[500000000,500000000]");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NegativeKappa_ExitsTwoNamingFileLineAndField()
    {
        var input = InputFromVector("test_simple.json");
        input["hyperparameters"]!["kappa"] = -1;
        string text = input.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        string dir = Directory.CreateTempSubdirectory("yuma-cli").FullName;
        try
        {
            string inPath = Path.Combine(dir, "input.json");
            File.WriteAllText(inPath, text);
            var (exit, stdout, stderr) = Run("", inPath);
            exit.ShouldBe(2);
            stdout.ShouldBeEmpty();
            int line = 1 + text[..text.IndexOf("\"kappa\"", StringComparison.Ordinal)].Count(c => c == '\n');
            stderr.Trim().ShouldBe($"{inPath}:{line}: hyperparameters.kappa: expected an integer 0..65535, got -1");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"current_block\": 1", "invalid JSON")]
    [InlineData("[]", "input: expected an object")]
    public void BrokenDocuments_ExitTwo(string text, string message)
    {
        var (exit, _, stderr) = Run(text);
        exit.ShouldBe(2);
        stderr.ShouldContain(message);
    }

    [Theory]
    [InlineData("rao_emission", "\"lots\"", "rao_emission: expected an integer")]
    [InlineData("current_block", "1.5", "current_block: expected an integer")]
    public void WrongTypes_ExitTwo(string field, string rawValue, string message)
    {
        var input = InputFromVector("test_simple.json");
        input[field] = JsonNode.Parse(rawValue);
        var (exit, _, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(2);
        stderr.ShouldContain(message);
    }

    /// <summary>The `ledger yuma` bad-input corpus: one field of a valid input removed (value null) or replaced.</summary>
    public static TheoryData<string, string?, string> BadFields() => new()
    {
        { "current_block", null, "current_block: missing required field" },
        { "hyperparameters", null, "hyperparameters: missing required field" },
        { "state.n", null, "state.n: missing required field" },
        { "hyperparameters.kappa", null, "hyperparameters.kappa: missing required field" },
        { "state.stake_alpha_rao", "[1]", "state.stake_alpha_rao: expected 2 entries (state.n), got 1" },
        { "state.bonds", "[[], [], []]", "state.bonds: expected at most 2 rows (state.n), got 3" },
        { "state.n", "100000000", "state.n: expected an integer 0..65535, got 100000000" },
        { "state.n", "-1", "state.n: expected an integer 0..65535, got -1" },
        { "state.weights", "[[[70000, 1]], []]", "state.weights[0][0][0]: expected an integer 0..65535, got 70000" },
        { "state.weights", "[[[1, 70000]], []]", "state.weights[0][0][1]: expected an integer 0..65535, got 70000" },
        { "state.weights", "[[[1, 2, 3]], []]", "state.weights[0][0]: expected a [column, value] pair, got an array" },
        { "hyperparameters.kappa", "70000", "hyperparameters.kappa: expected an integer 0..65535, got 70000" },
        { "hyperparameters.kappa", "\"x\"", "hyperparameters.kappa: expected an integer 0..65535, got the string \"x\"" },
        { "rao_emission", "-5", "rao_emission: expected an integer 0..18446744073709551615, got -5" },
        { "rao_emission", "18446744073709551616", "rao_emission: expected an integer 0..18446744073709551615, got 18446744073709551616" },
        { "hyperparameters.yuma3", "1", "hyperparameters.yuma3: expected true or false, got 1" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void BadField_ExitsTwoNamingItAndWritesNothing(string path, string? valueJson, string message)
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

        var (exit, stdout, stderr) = Run(input.ToJsonString());

        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldBe($"<stdin>:1: {message}");
    }

    [Theory]
    [InlineData("hello", "invalid JSON")]
    [InlineData("", "invalid JSON")]
    [InlineData("null", "input: expected an object, got null")]
    [InlineData("{} x", "invalid JSON")]
    public void NotAnInputDocument_ExitsTwo(string text, string message)
    {
        var (exit, stdout, stderr) = Run(text);

        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.ShouldStartWith("<stdin>:1: " + message);
        stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public void MissingField_ExitsTwoNamingIt()
    {
        var input = InputFromVector("test_simple.json");
        input["state"]!.AsObject().Remove("bonds");
        var (exit, _, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(2);
        stderr.ShouldContain("state.bonds: missing required field");
    }

    [Fact]
    public void StakeLengthMismatch_ExitsTwo()
    {
        var input = InputFromVector("test_simple.json");
        input["state"]!["stake_alpha_rao"] = new JsonArray(1);
        var (exit, _, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(2);
        stderr.ShouldContain("state.stake_alpha_rao: expected 2 entries (state.n), got 1");
    }

    [Fact]
    public void OutOfRangeColumnsAndShortMasks_AreAcceptedAsTheReferenceDoes()
    {
        var input = InputFromVector("test_simple.json");
        input["state"]!["weights"] = JsonNode.Parse("[[[1, 65535], [7, 65535]], [[0, 0], [1, 5]]]");
        input["state"]!["last_update"] = JsonNode.Parse("[1]");
        input["state"]!["validator_permit"] = JsonNode.Parse("[true]");
        var (exit, stdout, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        doc.RootElement.GetProperty("active").GetRawText().ShouldBe("[true,false]");
    }

    [Fact]
    public void LargeU64Values_StayExact()
    {
        var input = InputFromVector("test_simple.json");
        input["rao_emission"] = ulong.MaxValue;
        var (exit, stdout, stderr) = Run(input.ToJsonString());
        exit.ShouldBe(0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        // 0.5 (normalized stake) × (2^64 − 1), floored, in I96F32.
        doc.RootElement.GetProperty("validator_emission")[0].GetUInt64().ShouldBe(9_223_372_036_854_775_807UL);
        stdout.ShouldContain("9223372036854775807");
    }

    [Fact]
    public void CommandLine_ParsesOptionsAndInvokes()
    {
        var input = InputFromVector("test_simple.json");
        string dir = Directory.CreateTempSubdirectory("yuma-cli").FullName;
        try
        {
            string inPath = Path.Combine(dir, "in.json"), outPath = Path.Combine(dir, "out.json");
            File.WriteAllText(inPath, input.ToJsonString());
            var command = YumaCommand.Create();
            command.Parse(["--input", inPath, "--output", outPath]).Invoke().ShouldBe(0);
            File.ReadAllText(outPath).ShouldContain("\"new_validator_permit\":[true,true]");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
