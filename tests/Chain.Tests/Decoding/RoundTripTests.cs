using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Bittensor.Ledger.Chain.Storage;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Decoding;

/// <summary>The encoder is the decoder's inverse on real bytes, so test chains built with it are real chains.</summary>
public sealed class RoundTripTests
{
    private static readonly Lazy<RuntimeMetadata> Spec393 = new(() => RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec393-v15-at-version.hex")));

    [Fact]
    public void System_Events_of_block_7959635_re_encode_to_the_recorded_bytes()
    {
        var metadata = Spec393.Value;
        var entry = metadata.Storage("System", "Events");
        var bytes = Fixtures.SystemEvents7959635();

        var decoded = new StorageKeys(metadata).DecodeValue(entry, bytes);
        var encoded = new ValueEncoder(metadata.Types).Encode(entry.ValueType, decoded);

        decoded.ShouldBeOfType<JsonArray>().Count.ShouldBe(182);
        Convert.ToHexStringLower(encoded).ShouldBe(Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Every_storage_default_of_spec_393_round_trips()
    {
        var metadata = Spec393.Value;
        var values = new ValueDecoder(metadata.Types);
        var encoder = new ValueEncoder(metadata.Types);
        var count = 0;

        foreach (var entry in metadata.Pallets.SelectMany(p => p.Storage).Where(e => !e.IsOptional))
        {
            var decoded = values.DecodeAll(entry.ValueType, entry.Default, entry.Name);
            Convert.ToHexStringLower(encoder.Encode(entry.ValueType, decoded)).ShouldBe(Convert.ToHexStringLower(entry.Default), $"{entry.Pallet}.{entry.Name}");
            count++;
        }

        count.ShouldBeGreaterThan(200);
    }

    [Fact]
    public void Encoding_names_the_path_of_a_value_of_the_wrong_kind()
    {
        var metadata = Spec393.Value;
        var weights = metadata.Storage("SubtensorModule", "Weights");

        Should.Throw<FormatException>(() => new ValueEncoder(metadata.Types).Encode(weights.ValueType, JsonNode.Parse("[[1, \"x\"]]")))
            .Message.ShouldBe("value[0][1]: a whole number is needed, not \"x\"");
    }

    [Fact]
    public void Encoding_refuses_a_number_out_of_its_type_s_range_as_key_text_does()
    {
        var metadata = Spec393.Value;
        var tempo = metadata.Storage("SubtensorModule", "Tempo");

        Should.Throw<FormatException>(() => new ValueEncoder(metadata.Types).Encode(tempo.ValueType, JsonValue.Create(70000)))
            .Message.ShouldBe("value: 70000 is out of range for u16 (0..65535)");
        Should.Throw<FormatException>(() => KeyEncoder.Encode(metadata.Types, tempo.ValueType, "70000"))
            .Message.ShouldBe("70000 is out of range for u16 (0..65535)");
    }
}
