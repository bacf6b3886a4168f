using System.Text.Json;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.Tailing;
using Marten;

namespace Bittensor.Ledger.Application.Tests.Store;

/// <summary>The store writes a bonds entry as <c>[uid, value]</c> and both of its readers (Marten's serializer and the
/// projector's <see cref="EventReader"/>) still read the <c>{"Uid", "Value"}</c> form that earlier versions stored.</summary>
public sealed class StoredEventFormatTests
{
    private static readonly EpochCompleted Epoch = new(
        new Block(846), new NetUid(3), 5, new EpochRuleSet(EpochSchedule.Triggered, 360, 5000, 0, 64, 32767, 0, 900000, false, false, 0, 0, 0),
        "00", new Rao(12345), [],
        [new EpochBondsRow(0, new Uid(0), [new SparseEntry(1, 216), new SparseEntry(2, 995)]), new EpochBondsRow(1, new Uid(7), [])]);

    private const string EarlierForm =
        """{"Block": 846, "Bonds": [{"Row": [{"Uid": 1, "Value": 216}, {"Value": 995, "Uid": 2}], "Uid": 0, "Mechanism": 0}, {"Row": [], "Uid": 7, "Mechanism": 1}], "Epoch": 5, "Rules": {"Kappa": 32767, "Tempo": 360, "Yuma3": false, "AlphaLow": 0, "Schedule": "Triggered", "AlphaHigh": 0, "LiquidAlpha": false, "BondsPenalty": 0, "ActivityCutoff": 5000, "StakeThreshold": 0, "BondsMovingAverage": 900000, "MaxAllowedValidators": 64, "AlphaSigmoidSteepness": 0}, "Terms": [], "NetUid": 3, "Emission": 12345, "InputDigest": "00"}""";

    private static readonly ISerializer Marten = LedgerStore.Create("Host=unused").Options.Serializer();

    [Fact]
    public void BondsEntries_AreStoredAsPairs()
    {
        var json = Marten.ToJson(Epoch);

        json.ShouldContain("\"Row\":[[1,216],[2,995]]");
        json.ShouldNotContain("\"Value\"");
    }

    [Fact]
    public void BothReaders_ReadTheEarlierObjectForm_AsTheSameEvent()
    {
        var byMarten = Marten.FromJson<EpochCompleted>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(EarlierForm)));
        var byProjector = (EpochCompleted)new EventReader().Read(typeof(EpochCompleted), System.Text.Encoding.UTF8.GetBytes(EarlierForm));

        Marten.ToJson(byMarten).ShouldBe(Marten.ToJson(Epoch));
        Marten.ToJson(byProjector).ShouldBe(Marten.ToJson(Epoch));
        byProjector.Bonds[0].Row.ShouldBe([new SparseEntry(1, 216), new SparseEntry(2, 995)]);
    }

    [Fact]
    public void BothReaders_ReadWhatTheStoreWrites()
    {
        var json = Marten.ToJson(Epoch);

        var byMarten = Marten.FromJson<EpochCompleted>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        var byProjector = (EpochCompleted)new EventReader().Read(typeof(EpochCompleted), System.Text.Encoding.UTF8.GetBytes(json));

        byMarten.Bonds.SelectMany(b => b.Row).ShouldBe(Epoch.Bonds.SelectMany(b => b.Row));
        Marten.ToJson(byProjector).ShouldBe(json);
    }

    [Theory]
    [InlineData("[1, 2, 3]")]
    [InlineData("[1]")]
    [InlineData("\"1:2\"")]
    [InlineData("[70000, 1]")]
    public void AMalformedEntry_IsRefused(string entry)
    {
        var json = EarlierForm.Replace("{\"Uid\": 1, \"Value\": 216}", entry, StringComparison.Ordinal);

        Should.Throw<JsonException>(() => new EventReader().Read(typeof(EpochCompleted), System.Text.Encoding.UTF8.GetBytes(json)));
    }
}
