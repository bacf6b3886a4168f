using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Scale;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Decoding;

public sealed class RuntimeMetadataTests
{
    [Theory]
    [InlineData("metadata-spec343-v14.hex", 14)]
    [InlineData("metadata-spec343-v15-at-version.hex", 15)]
    [InlineData("metadata-spec393-v15-at-version.hex", 15)]
    public void Parses_each_recorded_runtime(string file, int version)
    {
        var metadata = RuntimeMetadata.Parse(Fixtures.HexFile(file));

        metadata.Version.ShouldBe(version);
        metadata.Types.Count.ShouldBeGreaterThan(500);
        var subtensor = metadata.FindPallet("SubtensorModule").ShouldNotBeNull();
        subtensor.Index.ShouldBe((byte)7);
        subtensor.StoragePrefix.ShouldBe("SubtensorModule");
        subtensor.FindStorage("Weights").ShouldNotBeNull();
        metadata.RuntimeEventType.ShouldNotBeNull();
        (metadata.Apis.Count > 0).ShouldBe(version == 15);
    }

    [Fact]
    public void V14_and_V15_of_the_same_runtime_describe_the_same_storage()
    {
        var v14 = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v14.hex"));
        var v15 = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v15-at-version.hex"));

        v15.Pallets.Select(p => p.Name).ShouldBe(v14.Pallets.Select(p => p.Name));
        foreach (var pallet in v14.Pallets)
        {
            var other = v15.FindPallet(pallet.Name)!;
            other.Storage.Select(e => (e.Name, e.IsOptional, string.Join(",", e.Hashers), Convert.ToHexString(e.Default)))
                .ShouldBe(pallet.Storage.Select(e => (e.Name, e.IsOptional, string.Join(",", e.Hashers), Convert.ToHexString(e.Default))));
        }
    }

    [Fact]
    public void An_unknown_item_is_named_in_the_error()
    {
        var metadata = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec343-v14.hex"));

        Should.Throw<UnknownStorageException>(() => metadata.Storage("SubtensorModule", "NoSuchItem"))
            .Message.ShouldContain("'SubtensorModule.NoSuchItem' is not in this runtime's metadata");
        Should.Throw<UnknownStorageException>(() => metadata.Storage("NoSuchPallet", "Weights"))
            .Message.ShouldContain("pallet 'NoSuchPallet'");
    }

    [Theory]
    [InlineData("6d657461", "does not start with the 'meta' magic")]
    [InlineData("00112233445566", "does not start with the 'meta' magic")]
    [InlineData("6d6574610d00", "metadata version 13 is not supported")]
    [InlineData("00", "no metadata at the requested version")]
    public void Refuses_what_is_not_V14_or_V15_metadata(string hex, string message)
    {
        Should.Throw<ChainMetadataException>(() => RuntimeMetadata.Parse(Convert.FromHexString(hex)))
            .Message.ShouldContain(message);
    }

    [Fact]
    public void Truncated_metadata_names_the_offset()
    {
        var bytes = Fixtures.HexFile("metadata-spec343-v14.hex");

        var error = Should.Throw<ScaleDecodeException>(() => RuntimeMetadata.Parse(bytes[..(bytes.Length / 2)]));

        error.Offset.ShouldBeGreaterThan(0);
        error.Message.ShouldContain("failed at byte offset");
    }

    [Theory]
    [InlineData("metadata-spec343-v14.hex", 343u)]
    [InlineData("metadata-spec343-v15-at-version.hex", 343u)]
    [InlineData("metadata-spec393-v15-at-version.hex", 393u)]
    public void Metadata_declares_its_own_spec_version(string file, uint spec)
    {
        RuntimeMetadata.Parse(Fixtures.HexFile(file)).DeclaredSpecVersion().ShouldBe(spec);
    }
}
