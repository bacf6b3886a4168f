using System.Globalization;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Application.Store;

/// <summary>Which stream an event belongs to (docs/adr/0001-streams.md). Every stream of a subnet's facts starts
/// with its netuid, so a shard per group of subnets holds whole streams; only network and delegate streams are
/// cross-subnet. High-rate facts are cut into block windows so no stream grows without bound.</summary>
public static class StreamIds
{
    /// <summary>One window is 7200 blocks: about a day at 12 s blocks.</summary>
    public const ulong WindowBlocks = 7_200;

    public static ulong Window(Block block) => block.Value / WindowBlocks;

    public static string For(ILedgerEvent e) => e switch
    {
        SubnetRegistered s => Subnet(s.NetUid),
        HyperparametersChanged h => Subnet(h.NetUid),
        NeuronRegistered n => Windowed("neurons", n.NetUid, n.Block),
        BondsReset b => Windowed("neurons", b.NetUid, b.Block),
        WeightsSet w => Windowed("weights", w.NetUid, w.Block),
        SubnetEmissionShareSet s => Windowed("epochs", s.NetUid, s.Block),
        EpochTriggered t => Windowed("epochs", t.NetUid, t.Block),
        EpochCompleted c => Windowed("epochs", c.NetUid, c.Block),
        SubnetEmissionPosted p => Windowed("epochs", p.NetUid, p.Block),
        StakeAdded s => Windowed("stake", s.NetUid, s.Block),
        StakeRemoved s => Windowed("stake", s.NetUid, s.Block),
        StakeMoved s => Windowed("stake", s.NetUid, s.Block),
        AlphaBurned s => Windowed("stake", s.NetUid, s.Block),
        AlphaRecycled s => Windowed("stake", s.NetUid, s.Block),
        DelegateTakeSet t => "delegate:" + t.Hotkey.Address,
        NetworkStarted or BlockEmissionMinted or TaoRecycled or TaoBurned =>
            "network:" + Window(e.Block).ToString(CultureInfo.InvariantCulture),
        ISubnetEvent s => Windowed("subnet-facts", s.NetUid, s.Block),
        Domain.Chain.IObservedChainFact f => Windowed("chain", f.NetUid, f.Block),
        _ => "network:" + Window(e.Block).ToString(CultureInfo.InvariantCulture),
    };

    public static string Subnet(NetUid netUid) => "subnet:" + netUid.ToString();


    private static string Windowed(string kind, NetUid netUid, Block block) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}:{netUid.Value}:{Window(block)}");
}
