using System.Runtime.CompilerServices;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using static Bittensor.Ledger.IntegrationTests.Projections.AuditChain;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>The audit queries over <see cref="AuditChain"/>, against the numbers worked out by hand there. Every
/// query catches the projections up first, so nothing here runs a rebuild or waits.</summary>
public sealed class AuditQueryTests
{
    [Fact]
    public async Task EmissionsByHotkey_ShowTheValidatorsTermsTakeAndNominatorShares()
    {
        await using var services = await SeededAsync();

        var report = await Send(services, new GetEmissions(Hotkey: A));

        var row = report.Rows.ShouldHaveSingleItem();
        (row.NetUid, row.Epoch, row.Uid, row.Block, row.Coldkey).ShouldBe(((ushort)1, 1UL, (ushort)0, 30UL, ColdA.Address));
        (row.StakeWeight, row.Dividends, row.ValidatorTrust, row.Incentive).ShouldBe(((ushort)65_535, (ushort)65_535, (ushort)65_535, (ushort)0));
        (row.ServerEmission, row.ValidatorEmission, row.Emission).ShouldBe((0UL, 100UL, 100UL));
        (row.Take, row.NominatorDividends).ShouldBe((17UL, 82UL));
        row.Nominators.ShouldBe([new NominatorShare(ColdA.Address, 55), new NominatorShare(ColdC.Address, 27)]);
        (report.ValidatorEmission, report.Take, report.NominatorDividends).ShouldBe((100UL, 17UL, 82UL));
    }

    [Fact]
    public async Task EmissionsBySubnetAndRange_TotalBothUids_AndARangeWithoutEpochsIsEmpty()
    {
        await using var services = await SeededAsync();

        var all = await Send(services, new GetEmissions(NetUid: Net));
        var before = await Send(services, new GetEmissions(NetUid: Net, FromBlock: 0, ToBlock: 29));
        var byColdkey = await Send(services, new GetEmissions(Coldkey: ColdB, FromEpoch: 1, ToEpoch: 1));

        all.Rows.Select(r => r.Uid).ShouldBe([(ushort)0, (ushort)1]);
        (all.ServerEmission, all.ValidatorEmission, all.Emission).ShouldBe((200UL, 100UL, 300UL));
        before.Rows.ShouldBeEmpty();
        byColdkey.Rows.ShouldHaveSingleItem().ServerEmission.ShouldBe(200UL);
    }

    [Fact]
    public async Task StakeAsOfBlock_MatchesTheHandComputedBalances()
    {
        await using var services = await SeededAsync();

        var atEleven = await Send(services, new GetStake(Coldkey: ColdA, AtBlock: 11));
        var atThirtyFive = await Send(services, new GetStake(Coldkey: ColdC, AtBlock: 35));
        var now = await Send(services, new GetStake(Coldkey: ColdC));
        var onA = await Send(services, new GetStake(Hotkey: A, AtBlock: 35));

        atEleven.Positions.ShouldHaveSingleItem().ShouldBe(new StakePosition(1, A.Address, ColdA.Address, 1_000, 1_500, 10));
        atThirtyFive.Positions.ShouldHaveSingleItem().ShouldBe(new StakePosition(1, A.Address, ColdC.Address, 527, 1_599, 30));
        now.Positions.ShouldHaveSingleItem().ShouldBe(new StakePosition(1, A.Address, ColdC.Address, 327, 1_399, 40));
        onA.Positions.Select(p => (p.Coldkey, p.Stake)).ShouldBe([(ColdA.Address, 1_072UL), (ColdC.Address, 527UL)], ignoreOrder: true);
        onA.TotalBySubnet[1].ShouldBe(1_599UL);
    }

    [Fact]
    public async Task MetagraphAsOfBlock_ShowsStakeTermsAndLastUpdateOfThatBlock()
    {
        await using var services = await SeededAsync();

        var early = await Send(services, new GetMetagraph(Net, 15));
        var afterEpoch = await Send(services, new GetMetagraph(Net, 35));
        var now = await Send(services, new GetMetagraph(Net));

        early.Epoch.ShouldBeNull();
        early.Neurons.Select(n => (n.Uid, n.Hotkey, n.Stake, n.LastUpdate)).ShouldBe([((ushort)0, A.Address, 1_500UL, (ulong?)null), ((ushort)1, B.Address, 300UL, (ulong?)null)]);
        (afterEpoch.Epoch, afterEpoch.EpochBlock).ShouldBe((1UL, 30UL));
        var validator = afterEpoch.Neurons[0];
        (validator.Stake, validator.Dividends, validator.Emission, validator.ValidatorPermit, validator.LastUpdate, validator.RegisteredAt)
            .ShouldBe((1_599UL, (ushort)65_535, 100UL, true, (ulong?)20, 2UL));
        var miner = afterEpoch.Neurons[1];
        (miner.Stake, miner.Incentive, miner.Consensus, miner.Emission, miner.ValidatorPermit, miner.LastUpdate).ShouldBe((500UL, (ushort)65_535, (ushort)65_535, 200UL, false, (ulong?)null));
        now.Neurons.Select(n => n.Stake).ShouldBe([1_399UL, 400UL]);
    }

    [Fact]
    public async Task SupplyOverARange_CountsMintRecycleBurnAndStake_PerAsset()
    {
        await using var services = await SeededAsync();

        var range = await Send(services, new GetSupply(0, 100));
        var fromGenesis = await Send(services, new GetSupply());

        var tao = range.Assets.Single(a => a.Asset == "tao");
        ((ulong)tao.IssuanceStart, (ulong)tao.IssuanceEnd).ShouldBe((Genesis, Genesis + 50 - Recycled));
        ((ulong)tao.Minted, (ulong)tao.Recycled, (ulong)tao.Burned, (ulong)tao.StakedEnd).ShouldBe((50UL, Recycled, 0UL, 50UL));
        tao.AnnualizedInflationPercent.ShouldNotBeNull().ShouldBeLessThan(0); // the recycle outweighs the mint
        var alpha = range.Assets.Single(a => a.Asset == "alpha:1");
        ((ulong)alpha.IssuanceStart, (ulong)alpha.IssuanceEnd, (ulong)alpha.Minted, (ulong)alpha.Recycled, (ulong)alpha.Burned, (ulong)alpha.StakedEnd).ShouldBe((0UL, 300UL, 300UL, 0UL, 100UL, 1_799UL));
        ((ulong)fromGenesis.Assets.Single(a => a.Asset == "tao").Minted).ShouldBe(Genesis + 50);
        fromGenesis.ToBlock.ShouldBe(42);
        // From before the first event the rate is measured from block 0, the network's start: here the same as (0, 42].
        var sinceStart = await Send(services, new GetSupply(0, 42));
        fromGenesis.Assets.Single(a => a.Asset == "tao").AnnualizedInflationPercent.ShouldNotBeNull()
            .ShouldBe(sinceStart.Assets.Single(a => a.Asset == "tao").AnnualizedInflationPercent.ShouldNotBeNull());
    }

    [Fact]
    public async Task SupplyByEpoch_UsesEachEpochsAccrualRange()
    {
        await using var services = await SeededAsync();

        var report = await Send(services, new GetSupply(ByEpochNetUid: Net));

        var epoch = report.Epochs.ShouldHaveSingleItem();
        (epoch.Epoch, epoch.FromBlock, epoch.Block).ShouldBe((1UL, 0UL, 30UL));
        ((ulong)epoch.Tao.Minted, (ulong)epoch.Alpha.Minted, (ulong)epoch.Alpha.IssuanceEnd).ShouldBe((50UL, 300UL, 300UL));
    }

    [Fact]
    public async Task DilutionOfAColdkey_SharesReceivedAndRealYield()
    {
        await using var services = await SeededAsync();

        var report = await Send(services, new GetDilution(ColdA, 10, 35));

        var s = report.Subnets.ShouldHaveSingleItem();
        (s.StakeStart, s.StakeEnd, (ulong)s.SupplyStart, (ulong)s.SupplyEnd, s.EmissionReceived).ShouldBe((1_000UL, 1_072UL, 1_500UL, 2_099UL, 72UL));
        s.ShareStartPercent.ShouldNotBeNull().ShouldBe(100.0 * 1_000 / 1_500, 1e-9);
        s.ShareEndPercent.ShouldNotBeNull().ShouldBe(100.0 * 1_072 / 2_099, 1e-9);
        var years = 25 / BlockTime.BlocksPerYear;
        s.YieldPercent.ShouldNotBeNull().ShouldBe(72.0 / 1_000 / years * 100, 1e-6);
        s.RealYieldPercent.ShouldNotBeNull().ShouldBe((72.0 / 1_000 - 599.0 / 1_500) / years * 100, 1e-6);
    }

    private static async Task<ServiceProvider> SeededAsync([CallerMemberName] string test = "")
    {
        var services = Services(await PostgresServer.CreateDatabaseAsync($"audit_{test}"));
        await SeedAsync(services);
        return services;
    }

    private static async Task<T> Send<T>(ServiceProvider services, IQuery<T> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query, TestContext.Current.CancellationToken);
    }
}
