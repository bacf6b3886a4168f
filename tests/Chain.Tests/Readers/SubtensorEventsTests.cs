using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Events;
using Bittensor.Ledger.Chain.Metadata;
using Bittensor.Ledger.Chain.Readers;
using Shouldly;
using Xunit;

namespace Bittensor.Ledger.Chain.Tests.Readers;

public sealed class SubtensorEventsTests
{
    private static readonly Lazy<IReadOnlyList<ChainEvent>> Block7959635 = new(() =>
    {
        var metadata = RuntimeMetadata.Parse(Fixtures.HexFile("metadata-spec393-v15-at-version.hex"));
        return new EventDecoder(metadata).Decode(Fixtures.SystemEvents7959635());
    });

    private static List<SubtensorEvent> Typed() =>
        [.. Block7959635.Value.Select(e => SubtensorEvents.Read(e, 393)).OfType<SubtensorEvent>()];

    [Fact]
    public void The_epoch_block_holds_the_subnet_52_epoch_and_the_reveals_before_it()
    {
        var typed = Typed();

        var epoch = typed.OfType<IncentiveAlphaEmittedToMiners>().Single();
        epoch.Subnet.ShouldBe(new SubnetMechanism(52, 0));
        epoch.Source.Phase.ShouldBe(EventPhase.Initialization);
        epoch.Emissions.Count.ShouldBe(((JsonArray)epoch.Source.Field("emissions", 1)!).Count);

        var reveals = typed.OfType<WeightsRevealed>().Where(r => r.Source.Phase == EventPhase.Initialization).ToList();
        reveals.Count.ShouldBe(22);
        reveals[0].Subnet.Netuid.ShouldBe((ushort)53);
        reveals[0].Hotkey.ShouldBe("5CsvRJXuR955WojnGMdok1hbhffZyB4N5ocrv82f3p5A2zVp");
        typed.OfType<WeightsSet>().Count(w => w.Source.Phase == EventPhase.Initialization).ShouldBe(22);
    }

    [Fact]
    public void StakeRemoved_of_extrinsic_10_reads_as_coldkey_hotkey_tao_alpha_netuid_fee()
    {
        var removal = Typed().OfType<StakeRemoved>().Single(r => r.Source.Phase.Extrinsic == 10);

        removal.ShouldBe(new StakeRemoved(
            removal.Source,
            "5CSEXGiF31Q4cL6nyWaEjnEoiCNEmMeTUmF64XRmw4TnYPuA",
            "5HK5tp6t2S59DywmHRWPBVJeJ86T61KjurYqeooqj8sREpeN",
            4_155_042_619,
            181_749_566_626,
            9,
            91_519_580));
    }

    [Fact]
    public void Other_pallets_and_unused_events_are_not_typed()
    {
        var records = Block7959635.Value;

        records.Where(r => r.Pallet != SubtensorEvents.Pallet).ShouldAllBe(r => SubtensorEvents.Read(r, 393) == null);
        var claims = records.Where(r => r.Name == "RootClaimed").ToList();
        claims.ShouldNotBeEmpty();
        claims.ShouldAllBe(r => SubtensorEvents.Read(r, 393) == null);
    }

    [Theory]
    [InlineData(393, "SubtensorModule.StakeAdded at spec 393 has 2 fields where the reader expects 6; the runtime changed the event's layout")]
    [InlineData(208, "SubtensorModule.StakeAdded at spec 208 has 2 fields where the reader expects 6; the typed readers support spec 315 and later")]
    public void A_layout_the_reader_does_not_know_is_refused_with_the_spec(int spec, string message)
    {
        var old = new ChainEvent(0, EventPhase.Initialization, "SubtensorModule", "StakeAdded",
            JsonNode.Parse("""["5CSEXGiF31Q4cL6nyWaEjnEoiCNEmMeTUmF64XRmw4TnYPuA", 100]""")!, [], []);

        Should.Throw<ChainLayoutException>(() => SubtensorEvents.Read(old, spec)).Message.ShouldBe(message);
    }

    [Fact]
    public void A_field_of_the_wrong_kind_is_named()
    {
        var bad = new ChainEvent(0, EventPhase.Initialization, "SubtensorModule", "WeightsSet",
            JsonNode.Parse("""["not a number", 3]""")!, [], []);

        Should.Throw<ChainLayoutException>(() => SubtensorEvents.Read(bad, 393)).Message
            .ShouldBe("SubtensorModule.WeightsSet at spec 393: field netuid is not a u16");
    }

    [Fact]
    public void Storage_index_splits_into_netuid_and_mechanism()
    {
        SubnetMechanism.FromStorageIndex(4096 + 1).ShouldBe(new SubnetMechanism(1, 1));
        new SubnetMechanism(1, 1).StorageIndex.ShouldBe((ushort)4097);
        SubnetMechanism.FromStorageIndex(52).ShouldBe(new SubnetMechanism(52, 0));
    }
}
