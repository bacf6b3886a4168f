using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Tests.Ledger;
using static Bittensor.Ledger.Domain.Tests.Ledger.Chain;

namespace Bittensor.Ledger.Domain.Tests.Emissions;

public class BooksTests
{
    private static readonly Asset Alpha = Asset.Alpha(Net);

    [Fact]
    public void EveryAsset_StartsWithItsSupplyUnissued_AndPostingsKeepTheSum()
    {
        var books = new Books();
        books.Balance(Account.Of(Alpha, AccountKind.Unissued)).ShouldBe((Int128)Books.Supply.Value);
        books.Post(new Posting(Account.Of(Alpha, AccountKind.Unissued), Account.Of(Alpha, AccountKind.PendingServer), new Rao(700), PostingReason.ServerPot));
        books.Post(new Posting(Account.Of(Alpha, AccountKind.PendingServer), Account.Of(Alpha, AccountKind.Recycled), new Rao(200), PostingReason.AlphaRecycled));

        books.Total(Alpha).ShouldBe((Int128)Books.Supply.Value);
        books.Minted(Alpha).ShouldBe((Int128)700);
        books.Issuance(Alpha).ShouldBe((Int128)500); // minted − recycled
        books.Balance(Account.Of(Alpha, AccountKind.PendingServer)).ShouldBe((Int128)500);
    }

    [Fact]
    public void AnOverdraft_OfANonContraAccount_IsRejected_AContraAccountMayGoNegative()
    {
        var books = new Books();
        var pot = Account.Of(Alpha, AccountKind.PendingValidator);
        var stake = Account.Stake(Net, Hot(1), Cold(1));
        books.Check(new Posting(pot, stake, new Rao(1), PostingReason.NominatorDividend))!.Reason.ShouldContain("less than the 1");
        Should.Throw<InvalidOperationException>(() => books.Post(new Posting(pot, stake, new Rao(1), PostingReason.NominatorDividend)));

        books.Post(new Posting(Account.Of(Alpha, AccountKind.Pool), stake, new Rao(5), PostingReason.StakeAdded));
        books.Balance(Account.Of(Alpha, AccountKind.Pool)).ShouldBe((Int128)(-5));
        books.Total(Alpha).ShouldBe((Int128)Books.Supply.Value);
    }

    [Fact]
    public void Issue12_TheKeptTotals_EqualARecountOverEveryAccount_AndOnlyNonContraOverdraftsCount()
    {
        var books = new Books();
        var pool = Account.Of(Alpha, AccountKind.Pool);
        var stake = Account.Stake(Net, Hot(1), Cold(1));
        books.Post(new Posting(Account.Of(Asset.Tao, AccountKind.Unissued), Account.Of(Asset.Tao, AccountKind.External), new Rao(9_000), PostingReason.TaoBurned));
        books.Post(new Posting(pool, stake, new Rao(5), PostingReason.StakeAdded));
        books.Post(new Posting(Account.Of(Alpha, AccountKind.Unissued), Account.Of(Alpha, AccountKind.PendingServer), new Rao(700), PostingReason.ServerPot));
        books.Post(new Posting(stake, Account.Of(Alpha, AccountKind.Burned), new Rao(5), PostingReason.AlphaBurned));

        foreach (var asset in new[] { Asset.Tao, Alpha, Asset.Alpha(new NetUid(99)) })
        {
            books.Total(asset).ShouldBe(books.Recount(asset));
            books.Total(asset).ShouldBe((Int128)Books.Supply.Value);
        }

        books.Balance(pool).ShouldBe((Int128)(-5));
        books.AnyNegative.ShouldBeFalse(); // the pool is a contra account
    }

    [Fact]
    public void APosting_AcrossAssets_IsRejected() =>
        new Books().Check(new Posting(Account.Of(Asset.Tao, AccountKind.External), Account.Of(Alpha, AccountKind.Burned), new Rao(1), PostingReason.TaoBurned))!
            .Reason.ShouldContain("different assets");

    [Fact]
    public void StakeFacts_MoveAlphaBetweenThePoolStakeBurnedAndRecycled()
    {
        var state = Scenario.Given([.. SubnetWith(2),
            new StakeAdded(B(10), Cold(1), Hot(1), Net, new Rao(1_000), null),
            new StakeMoved(B(11), Cold(1), Hot(1), Hot(0), Net, new Rao(300)),
            new AlphaBurned(B(12), Cold(1), Hot(1), Net, new Rao(100)),
            new AlphaRecycled(B(13), Cold(1), Hot(0), Net, new Rao(50)),
            new StakeRemoved(B(14), Cold(1), Hot(1), Net, new Rao(600), null)]).State;

        var books = state.Books;
        books.Balance(Account.Stake(Net, Hot(1), Cold(1))).ShouldBe((Int128)0);
        books.Balance(Account.Stake(Net, Hot(0), Cold(1))).ShouldBe((Int128)250);
        books.Balance(Account.Of(Alpha, AccountKind.Burned)).ShouldBe((Int128)100);
        books.Balance(Account.Of(Alpha, AccountKind.Recycled)).ShouldBe((Int128)50);
        books.Balance(Account.Of(Alpha, AccountKind.Pool)).ShouldBe((Int128)(-400));
        books.Total(Alpha).ShouldBe((Int128)Books.Supply.Value);
        state.TotalStake(Hot(0), Net).ShouldBe(new Rao(250));
    }

    [Fact]
    public void Genesis_IssuesTaoToTheExternalAccount()
    {
        var state = Scenario.Given(Genesis()).State;
        state.Books.Balance(Account.Of(Asset.Tao, AccountKind.External)).ShouldBe((Int128)Rao.FromTao(1_000_000).Value);
        state.Issuance.ShouldBe(Rao.FromTao(1_000_000));
    }
}
