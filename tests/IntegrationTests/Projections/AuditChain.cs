using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Application.Wiring;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using static Bittensor.Ledger.IntegrationTests.Import.TestChain;

namespace Bittensor.Ledger.IntegrationTests.Projections;

/// <summary>A small history whose read-model numbers are worked out by hand below. Subnet 1: uid 0 is validator A
/// (coldkey a), uid 1 miner B (coldkey b); coldkey c nominates A. Facts go in by the bulk import's writer (binary
/// COPY, bypassing Marten), the epoch's derived events by a Marten session, in block order.
///
/// Stake: a 1000 on A (block 10), c 500 on A (10), b 300 on B (12). Epoch 1 at block 30 (accrual (0, 30]):
/// 50 rao TAO into the subnet; 200 alpha to the server pot, 100 to the validator pot; incentive 200 → (B, b);
/// take floor(100·11796/65535) = 17 → (A, a); the remaining 83 to A's nominators pro rata 1000:500:
/// a floor(55.33) = 55, c floor(27.67) = 27, dust 1. Then c unstakes 200 (block 40), b recycles 5 TAO (41) and burns
/// 100 alpha (42).
/// As of block 35: a 1072, c 527, b 500; A's total 1599. Now: a 1072, c 327, b 400; subnet stake 1799.</summary>
internal static class AuditChain
{
    public static readonly NetUid Net = new(1);
    public static readonly Hotkey A = Hot(1);
    public static readonly Hotkey B = Hot(2);
    public static readonly Coldkey ColdA = Cold(1);
    public static readonly Coldkey ColdB = Cold(2);
    public static readonly Coldkey ColdC = Cold(3);
    public const ulong Genesis = 1_000_000_000_000;
    public const ulong Recycled = 5_000_000_000;

    public static ILedgerEvent[] Before() =>
    [
        new NetworkStarted(new Block(0), new Rao(Genesis), new NetworkParameters()),
        new SubnetRegistered(new Block(1), Net, Cold(0), Hot(0), new Rao(100), new SubnetHyperparameters()),
        new NeuronRegistered(new Block(2), Net, new Uid(0), A, ColdA, new Rao(10), null),
        new NeuronRegistered(new Block(2), Net, new Uid(1), B, ColdB, new Rao(10), null),
        new StakeAdded(new Block(10), ColdA, A, Net, new Rao(1_000), null),
        new StakeAdded(new Block(10), ColdC, A, Net, new Rao(500), null),
        new StakeAdded(new Block(12), ColdB, B, Net, new Rao(300), null),
        new WeightsSet(new Block(20), Net, 0, A, new Uid(0), [0, 1], [65_535, 30_000], 0),
    ];

    public static ILedgerEvent[] Epoch()
    {
        var rules = new EpochRuleSet(EpochSchedule.Classic, 360, 5000, 0, 64, 32_767, 65_535, 900_000, true, false, 45_875, 58_982, 1_000);
        var alpha = Asset.Alpha(Net);
        Account Of(AccountKind k) => Account.Of(alpha, k);
        return
        [
            new EpochCompleted(new Block(30), Net, 1, rules, "d1", new Rao(300),
            [
                new UidEpochTerms(new Uid(0), A, ColdA, 65_535, 0, 0, 65_535, 65_535, Rao.Zero, new Rao(100), new Rao(100), true, true),
                new UidEpochTerms(new Uid(1), B, ColdB, 0, 65_535, 65_535, 0, 0, new Rao(200), Rao.Zero, new Rao(200), true, false),
            ],
            [new EpochBondsRow(0, new Uid(0), [new SparseEntry(1, 40_000)])]),
            new SubnetEmissionPosted(new Block(30), Net, 1, new Block(0), "d1",
            [
                new Posting(Account.Of(Asset.Tao, AccountKind.Unissued), Account.SubnetTao(Net), new Rao(50), PostingReason.BlockEmission),
                new Posting(Of(AccountKind.Unissued), Of(AccountKind.PendingServer), new Rao(200), PostingReason.ServerPot),
                new Posting(Of(AccountKind.Unissued), Of(AccountKind.PendingValidator), new Rao(100), PostingReason.ValidatorPot),
                new Posting(Of(AccountKind.PendingServer), Account.Stake(Net, B, ColdB), new Rao(200), PostingReason.Incentive, new Uid(1)),
                new Posting(Of(AccountKind.PendingValidator), Account.Stake(Net, A, ColdA), new Rao(17), PostingReason.ValidatorTake, new Uid(0)),
                new Posting(Of(AccountKind.PendingValidator), Account.Stake(Net, A, ColdA), new Rao(55), PostingReason.NominatorDividend, new Uid(0)),
                new Posting(Of(AccountKind.PendingValidator), Account.Stake(Net, A, ColdC), new Rao(27), PostingReason.NominatorDividend, new Uid(0)),
                new Posting(Of(AccountKind.PendingValidator), Of(AccountKind.Dust), new Rao(1), PostingReason.Rounding),
            ]),
        ];
    }

    public static ILedgerEvent[] After() =>
    [
        new StakeRemoved(new Block(40), ColdC, A, Net, new Rao(200), null),
        new TaoRecycled(new Block(41), ColdB, new Rao(Recycled)),
        new AlphaBurned(new Block(42), ColdB, B, Net, new Rao(100)),
    ];

    public static ServiceProvider Services(string connectionString) =>
        new ServiceCollection().AddLedgerApplication(connectionString).BuildServiceProvider();

    /// <summary>Facts by the import's writer, the epoch by a Marten session, the rest by the import's writer again.</summary>
    public static async Task SeedAsync(ServiceProvider services)
    {
        var ct = TestContext.Current.CancellationToken;
        await services.GetRequiredService<SchemaReady>().EnsureAsync(ct);
        var writer = services.GetRequiredService<EventBatchWriter>();
        await writer.AppendAsync([.. Before().Select((e, i) => new KeyedEvent(e, $"before:{i}"))], ct);
        await AppendThroughMartenAsync(services, Epoch());
        await writer.AppendAsync([.. After().Select((e, i) => new KeyedEvent(e, $"after:{i}"))], ct);
    }

    public static async Task AppendThroughMartenAsync(ServiceProvider services, IEnumerable<ILedgerEvent> events)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession();
        foreach (var e in events)
        {
            session.Events.Append(StreamIds.For(e), e);
        }

        await session.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
