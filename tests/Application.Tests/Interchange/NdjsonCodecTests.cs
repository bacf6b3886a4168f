using System.Text;
using Bittensor.Ledger.Application.Import;
using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Application.Tests.Interchange;

public class NdjsonCodecTests
{
    private const string Alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    private const string Charlie = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

    public static TheoryData<int> ExampleIndexes() => [.. Enumerable.Range(0, Examples.All().Count)];

    private static ParsedLine Parse(string line)
    {
        NdjsonCodec.TryParse(line, out var parsed, out var error).ShouldBeTrue(error?.ToString());
        return parsed!;
    }

    private static FieldError Fail(string line)
    {
        NdjsonCodec.TryParse(line, out _, out var error).ShouldBeFalse();
        return error.ShouldNotBeNull();
    }

    [Theory]
    [MemberData(nameof(ExampleIndexes))]
    public void EveryType_RoundTripsThroughItsLine(int index)
    {
        var e = Examples.All()[index];
        var line = NdjsonCodec.Write(e);
        var parsed = Parse(line);
        parsed.Event.GetType().ShouldBe(e.GetType());
        NdjsonCodec.Write(parsed.Event).ShouldBe(line);
        if (e is not WeightsSet)
        {
            parsed.Event.ShouldBe(e);
        }
    }

    [Fact]
    public void TypeAndFieldNames_AreSnakeCase()
    {
        var line = NdjsonCodec.Write(new StakeMoved(new Block(7), Examples.Charlie, Examples.Alice, Examples.Bob, new NetUid(3), new Rao(5)));
        line.ShouldBe(
            $$"""{"type":"stake_moved","block":7,"coldkey":"{{Charlie}}","from_hotkey":"{{Alice}}","to_hotkey":"{{Examples.Bob}}","netuid":3,"alpha":5}""");
        Parse(line).Type.ShouldBe("stake_moved");
    }

    [Fact]
    public void WeightsSet_ParsesArrays()
    {
        var w = (WeightsSet)Parse($$"""{"type":"weights_set","block":9,"netuid":2,"mechanism":1,"hotkey":"{{Alice}}","uid":4,"uids":[0,3,7],"values":[0,65535,12],"version_key":"18446744073709551615"}""").Event;
        w.Uids.ShouldBe(new ushort[] { 0, 3, 7 });
        w.Values.ShouldBe(new ushort[] { 0, 65535, 12 });
        w.VersionKey.ShouldBe(ulong.MaxValue);
        w.Mechanism.ShouldBe((ushort)1);
        w.Uid.ShouldBe(new Uid(4));
    }

    [Theory]
    [InlineData("123", 123UL)]
    [InlineData("\"123\"", 123UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("\"18446744073709551615\"", ulong.MaxValue)]
    public void Amounts_AcceptIntegersAndDecimalStrings(string json, ulong expected) =>
        ((BlockEmissionMinted)Parse($$"""{"type":"block_emission_minted","block":1,"amount":{{json}}}""").Event).Amount.Value.ShouldBe(expected);

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("18446744073709551616")]
    [InlineData("\"18446744073709551616\"")]
    [InlineData("\"12a\"")]
    [InlineData("\"\"")]
    [InlineData("\" 1\"")]
    [InlineData("true")]
    public void BadAmounts_NameTheField(string json)
    {
        var error = Fail($$"""{"type":"block_emission_minted","block":1,"amount":{{json}}}""");
        error.Field.ShouldBe("amount");
        error.Reason.ShouldBe("expected an unsigned 64-bit integer (a JSON integer or a decimal string)");
    }

    [Fact]
    public void BadChecksum_IsReportedOnTheKeyField()
    {
        var error = Fail($$"""{"type":"delegate_take_set","block":1,"hotkey":"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ","take":1}""");
        error.ShouldBe(new FieldError("hotkey", "not a valid SS58 address: checksum mismatch"));
    }

    [Fact]
    public void BadKeyAfterAGoodOne_IsStillRejected()
    {
        // The key cache must never turn a bad address into a good one.
        Parse($$"""{"type":"tao_burned","block":1,"coldkey":"{{Charlie}}","amount":1}""");
        Fail($$"""{"type":"tao_burned","block":1,"coldkey":"{{Charlie[..^1]}}Z","amount":1}""").Field.ShouldBe("coldkey");
    }

    [Fact]
    public void BadArrayItem_NamesItsIndex()
    {
        var error = Fail($$"""{"type":"weights_set","block":9,"netuid":2,"mechanism":0,"hotkey":"{{Alice}}","uid":4,"uids":[0,1,2,70000],"values":[1,1,1,1],"version_key":0}""");
        error.ShouldBe(new FieldError("uids[3]", "expected an integer 0..65535"));
    }

    [Fact]
    public void UnknownType_IsAnError() =>
        Fail("""{"type":"foo","block":1}""").ShouldBe(new FieldError("type", "unknown event type 'foo'"));

    [Fact]
    public void MissingType_IsAnError() => Fail("""{"block":1}""").ShouldBe(new FieldError("type", "missing"));

    [Fact]
    public void UnknownField_IsAnError() =>
        Fail("""{"type":"epoch_triggered","block":1,"netuid":1,"bar":2}""").ShouldBe(new FieldError("bar", "unknown field 'bar' for type 'epoch_triggered'"));

    [Fact]
    public void MissingField_IsAnError() => Fail("""{"type":"epoch_triggered","block":1}""").ShouldBe(new FieldError("netuid", "missing"));

    [Fact]
    public void DuplicateField_IsAnError() =>
        Fail("""{"type":"epoch_triggered","block":1,"netuid":1,"netuid":2}""").ShouldBe(new FieldError("netuid", "appears more than once"));

    [Fact]
    public void NullRequiredField_IsAnError() =>
        Fail("""{"type":"epoch_triggered","block":1,"netuid":null}""").ShouldBe(new FieldError("netuid", "must not be null"));

    [Fact]
    public void NullOptionalField_MeansAbsent() =>
        ((NeuronRegistered)Parse($$"""{"type":"neuron_registered","block":1,"netuid":1,"uid":0,"hotkey":"{{Alice}}","coldkey":"{{Charlie}}","burn_paid":0,"pruned_hotkey":null}""").Event)
            .PrunedHotkey.ShouldBeNull();

    [Fact]
    public void TypeNeedNotComeFirst() =>
        Parse("""{"netuid":4,"block":8,"type":"epoch_triggered"}""").Event.ShouldBe(new EpochTriggered(new Block(8), new NetUid(4)));

    // Bytes that are not UTF-8 inside a JSON string: a lone continuation byte, a truncated sequence, an overlong '/'.
    [Theory]
    [InlineData("{\"type\":\"delegate_take_set\",\"block\":1,\"hotkey\":\"5Grw\x80\",\"take\":1}", "hotkey")]
    [InlineData("{\"type\":\"epoch_\xC3\",\"block\":1,\"netuid\":1}", "type")]
    [InlineData("{\"type\":\"epoch_triggered\",\"block\":1,\"netuid\":1,\"note\":\"caf\xFF\"}", "note")]
    [InlineData("{\"id\":\"a\xC0\xAF.b\",\"type\":\"epoch_triggered\",\"block\":1,\"netuid\":1}", "id")]
    [InlineData("{\"x\xFE\":1,\"type\":\"epoch_triggered\",\"block\":1,\"netuid\":1}", "line")]
    public void InvalidUtf8InAString_NamesTheField(string escaped, string field)
    {
        var bytes = escaped.Select(c => checked((byte)c)).ToArray();

        NdjsonCodec.TryParse(bytes, out _, out var error).ShouldBeFalse();

        error.ShouldNotBeNull().Field.ShouldBe(field);
        error.Reason.ShouldBe("not valid UTF-8");
    }

    [Theory]
    [InlineData("[1,2]", "line", "expected a JSON object")]
    [InlineData("{\"type\":\"epoch_triggered\",\"block\":1,\"netuid\":1} {}", "line", "not valid JSON")]
    [InlineData("{\"type\":\"epoch_triggered\",\"block\":1,", "line", "not valid JSON")]
    [InlineData("{\"type\":7}", "type", "expected a string")]
    [InlineData("{\"type\":\"epoch_triggered\",\"block\":1,\"netuid\":70000}", "netuid", "expected an integer 0..65535")]
    public void Malformed_Lines_AreErrors(string line, string field, string reason)
    {
        var error = Fail(line);
        error.Field.ShouldBe(field);
        error.Reason.ShouldContain(reason);
    }

    [Fact]
    public void Hyperparameters_MissingOnesTakeDefaults()
    {
        var s = (SubnetRegistered)Parse($$$"""{"type":"subnet_registered","block":1,"netuid":1,"owner":"{{{Charlie}}}","owner_hotkey":"{{{Alice}}}","lock_cost":"5","hyperparameters":{"tempo":99,"yuma3":false,"alpha_sigmoid_steepness":-20}}""").Event;
        s.Hyperparameters.ShouldBe(new SubnetHyperparameters { Tempo = 99, Yuma3 = false, AlphaSigmoidSteepness = -20 });
        s.LockCost.ShouldBe(new Rao(5));
    }

    [Fact]
    public void Hyperparameters_OmittedEntirelyAreDefaults() =>
        ((SubnetRegistered)Parse($$"""{"type":"subnet_registered","block":1,"netuid":1,"owner":"{{Charlie}}","owner_hotkey":"{{Alice}}","lock_cost":0}""").Event)
            .Hyperparameters.ShouldBe(new SubnetHyperparameters());

    [Theory]
    [InlineData("{\"tempos\":1}", "hyperparameters.tempos", "unknown field 'tempos'")]
    [InlineData("{\"yuma3\":1}", "hyperparameters.yuma3", "expected true or false")]
    [InlineData("{\"tempo\":-1}", "hyperparameters.tempo", "expected an integer 0..65535")]
    [InlineData("{\"burn\":\"x\"}", "hyperparameters.burn", "expected an unsigned 64-bit integer")]
    [InlineData("{\"tempo\":1,\"tempo\":2}", "hyperparameters.tempo", "appears more than once")]
    [InlineData("5", "hyperparameters", "expected an object")]
    public void BadHyperparameters_NameTheNestedField(string hyper, string field, string reason)
    {
        var error = Fail($$"""{"type":"hyperparameters_changed","block":1,"netuid":1,"hyperparameters":{{hyper}}}""");
        error.Field.ShouldBe(field);
        error.Reason.ShouldContain(reason);
    }

    [Fact]
    public void ExplicitId_IsTheNaturalKey()
    {
        var parsed = Parse("""{"type":"epoch_triggered","id":"99-3-1","block":99,"netuid":1}""");
        parsed.NaturalKey.ShouldBe("99-3-1");
        parsed.HasExplicitId.ShouldBeTrue();
        NdjsonCodec.Write(parsed.Event, "99-3-1").ShouldBe("""{"type":"epoch_triggered","id":"99-3-1","block":99,"netuid":1}""");
    }

    [Theory]
    [InlineData("\"\"", "must be 1..128 characters")]
    [InlineData("\"a:b\"", "not ':'")]
    [InlineData("7", "expected a string")]
    public void BadId_IsAnError(string id, string reason)
    {
        var error = Fail($$"""{"type":"epoch_triggered","id":{{id}},"block":99,"netuid":1}""");
        error.Field.ShouldBe("id");
        error.Reason.ShouldContain(reason);
    }

    [Fact]
    public void ContentKey_IgnoresFormattingButNotContent()
    {
        var canonical = Parse("""{"type":"block_emission_minted","block":5,"amount":1000}""").NaturalKey;
        var reformatted = Parse("""{ "amount" : "1000",  "block": 5, "type": "block_emission_minted" }""").NaturalKey;
        var other = Parse("""{"type":"block_emission_minted","block":5,"amount":1001}""").NaturalKey;
        reformatted.ShouldBe(canonical);
        other.ShouldNotBe(canonical);
        canonical.ShouldStartWith("5:");
        canonical.Length.ShouldBe(2 + 32);
    }

    [Fact]
    public void ContentKey_OfDefaultedHyperparametersEqualsExplicitDefaults()
    {
        var implicitDefaults = Parse("""{"type":"hyperparameters_changed","block":1,"netuid":1,"hyperparameters":{}}""").NaturalKey;
        var explicitDefaults = Parse(NdjsonCodec.Write(new HyperparametersChanged(new Block(1), new NetUid(1), new SubnetHyperparameters()))).NaturalKey;
        implicitDefaults.ShouldBe(explicitDefaults);
    }

    [Fact]
    public async Task ReadRecords_NumbersRepeatedLinesAndKeepsLineNumbers()
    {
        const string text = "{\"type\":\"block_emission_minted\",\"block\":5,\"amount\":1}\r\n" +
                            "\n" +
                            "{\"type\":\"block_emission_minted\",\"block\":5,\"amount\":1}\n" +
                            "{\"type\":\"nope\",\"block\":5}\n" +
                            "{\"type\":\"block_emission_minted\",\"block\":6,\"amount\":1}";
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]);
        var records = await NdjsonRecords.ReadAsync(stream, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        records.Select(r => r.LineNumber).ShouldBe([1L, 3L, 4L, 5L]);
        var first = records[0].Line!.NaturalKey;
        records[1].Line!.NaturalKey.ShouldBe(first + "#2");
        records[2].Error.ShouldBe(new FieldError("type", "unknown event type 'nope'"));
        records[3].Line!.NaturalKey.ShouldStartWith("6:");
        records[3].Line!.NaturalKey.ShouldNotContain("#");
    }

    [Fact]
    public async Task ReadRecords_HandlesLinesLongerThanItsBuffer()
    {
        var uids = Enumerable.Range(0, 20_000).Select(i => (ushort)i).ToArray();
        var big = new WeightsSet(new Block(1), new NetUid(1), 0, Examples.Alice, new Uid(0), uids, uids, 0);
        using var stream = new MemoryStream();
        NdjsonCodec.WriteAll(stream, [big, new EpochTriggered(new Block(2), new NetUid(1))]).ShouldBe(2);
        stream.Position = 0;
        var records = await NdjsonRecords.ReadAsync(stream, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        records.Count.ShouldBe(2);
        ((WeightsSet)records[0].Line!.Event).Uids.Length.ShouldBe(20_000);
    }

    [Fact]
    public void FieldError_FormatsAsFieldColonReason() =>
        new FieldError("uids[3]", "uid 9 is not below n = 4").ToString().ShouldBe("uids[3]: uid 9 is not below n = 4");
}
