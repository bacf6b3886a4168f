using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Decoding;

public sealed class EventDecoderTests
{
    private static IReadOnlyList<ChainEvent> DecodeBlock7959635()
    {
        var metadata = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec393-v15-at-version.hex"));
        return new EventDecoder(metadata).Decode(Fixtures.SystemEvents7959635());
    }

    [Fact]
    public void Every_record_of_block_7959635_equals_the_independent_decoding()
    {
        var decoded = DecodeBlock7959635();
        var expected = Fixtures.Json("block-7959635-events.expected.json").AsArray();

        decoded.Count.ShouldBe(182);
        decoded.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var actual = decoded[i].ToJson();
            JsonNode.DeepEquals(actual, expected[i]).ShouldBeTrue(
                $"record {i}:\n  decoded  {actual.ToJsonString()}\n  expected {expected[i]!.ToJsonString()}");
        }
    }

    [Fact]
    public void Record_1_is_the_timelocked_reveal_the_sdk_asserts()
    {
        var record = DecodeBlock7959635()[1];

        record.Phase.ShouldBe(EventPhase.Initialization);
        record.Pallet.ShouldBe("SubtensorModule");
        record.Name.ShouldBe("TimelockedWeightsRevealed");
        record.Field("netuid", 0)!.GetValue<long>().ShouldBe(53);
        record.Field("who", 1)!.GetValue<string>().ShouldBe("5CsvRJXuR955WojnGMdok1hbhffZyB4N5ocrv82f3p5A2zVp");
    }

    [Fact]
    public void The_block_holds_the_epoch_of_subnet_52_and_the_stake_removal_of_extrinsic_10()
    {
        var records = DecodeBlock7959635();

        var epoch = records.Single(r => r.Name == "IncentiveAlphaEmittedToMiners");
        epoch.Field("netuid", 0)!.GetValue<long>().ShouldBe(52);
        epoch.Field("emissions", 1).ShouldBeOfType<JsonArray>().Count.ShouldBeGreaterThan(0);

        var removal = records.Single(r => r.Name == "StakeRemoved" && r.Phase.Extrinsic == 10);
        JsonNode.DeepEquals(
            removal.Fields,
            JsonNode.Parse("""["5CSEXGiF31Q4cL6nyWaEjnEoiCNEmMeTUmF64XRmw4TnYPuA", "5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN", 4155042619, 181749566626, 9, 91519580]""")).ShouldBeTrue(removal.Fields.ToJsonString());
    }

    [Fact]
    public void Each_record_keeps_the_raw_bytes_it_was_decoded_from()
    {
        var records = DecodeBlock7959635();
        var metadata = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec393-v15-at-version.hex"));
        var values = new Bittensor.Ledger.Chain.Scale.ValueDecoder(metadata.Types);

        foreach (var record in records)
        {
            record.Raw.Length.ShouldBeGreaterThanOrEqualTo(2);
            var again = values.DecodeAll(metadata.RuntimeEventType!.Value, record.Raw, "event");
            JsonNode.DeepEquals(again, new JsonObject { [record.Pallet] = new JsonObject { [record.Name] = Unwrap(record.Fields) } })
                .ShouldBeTrue($"record {record.Index}: {again?.ToJsonString()}");
        }

        // A variant with one unnamed field decodes to that field's value, not to an array of one.
        static JsonNode? Unwrap(JsonNode fields) =>
            fields is JsonArray { Count: 1 } single ? single[0]?.DeepClone() : fields.DeepClone();
    }
}
