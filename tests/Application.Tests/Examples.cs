using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Application.Tests;

/// <summary>One event of every interchange type, with fixed keys; docs/import-format.md shows these lines.</summary>
internal static class Examples
{
    // Substrate's well-known development accounts //Alice and //Bob (prefix 42).
    public static readonly Hotkey Alice = Hotkey.Parse("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
    public static readonly Hotkey Bob = Hotkey.Parse("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty");
    public static readonly Coldkey Charlie = Coldkey.Parse("5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y");
    public static readonly Coldkey Dave = Coldkey.Parse("5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy");

    public static readonly NetUid Net = new(1);

    public static IReadOnlyList<ILedgerEvent> All() =>
    [
        new NetworkStarted(new Block(0), Rao.FromTao(7_500_000), new NetworkParameters()),
        new BlockEmissionMinted(new Block(1), new Rao(1_000_000_000)),
        new SubnetRegistered(new Block(1), Net, Charlie, Alice, Rao.FromTao(1_000), new SubnetHyperparameters { Tempo = 99, MaxAllowedUids = 64, WeightsSetRateLimit = 50 }),
        new HyperparametersChanged(new Block(2), Net, new SubnetHyperparameters { Tempo = 99, MaxAllowedUids = 64, WeightsSetRateLimit = 50, Kappa = 39_321 }),
        new SubnetEmissionShareSet(new Block(2), Net, 1, 3, new Rao(50_000_000)),
        new NeuronRegistered(new Block(3), Net, new Uid(0), Alice, Charlie, Rao.Zero, null),
        new NeuronRegistered(new Block(4), Net, new Uid(1), Bob, Dave, new Rao(1_000_000_000), null),
        new TaoRecycled(new Block(4), Dave, new Rao(1_000_000_000)),
        new StakeAdded(new Block(5), Charlie, Alice, Net, Rao.FromTao(5_000), Rao.FromTao(250)),
        new StakeAdded(new Block(5), Dave, Bob, Net, Rao.FromTao(10), null),
        new DelegateTakeSet(new Block(6), Alice, 9_000),
        new WeightsSet(new Block(60), Net, 0, Alice, new Uid(0), [0, 1], [1_200, 65_535], 1),
        new StakeMoved(new Block(61), Charlie, Alice, Bob, Net, Rao.FromTao(100)),
        new StakeRemoved(new Block(62), Dave, Bob, Net, Rao.FromTao(1), new Rao(50_000_000)),
        new AlphaBurned(new Block(63), Charlie, Alice, Net, new Rao(1_000)),
        new AlphaRecycled(new Block(63), Charlie, Alice, Net, new Rao(2_000)),
        new TaoBurned(new Block(64), Dave, new Rao(5_000_000)),
        new BondsReset(new Block(65), Net, Bob),
        new EpochTriggered(new Block(99), Net),
    ];
}

internal static class Repo
{
    public static string Root { get; } = Find();

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Bittensor.Ledger.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Bittensor.Ledger.sln) not found above " + AppContext.BaseDirectory);
    }
}
