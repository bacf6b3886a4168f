using Bittensor.Ledger.Application.Interchange;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.IntegrationTests.Import;

/// <summary>Small hand-made histories whose read-model numbers can be checked by hand.</summary>
internal static class TestChain
{
    public static Hotkey Hot(byte i) => Hotkey.FromPublicKey(Key(i, 0x40));

    public static Coldkey Cold(byte i) => Coldkey.FromPublicKey(Key(i, 0x80));

    /// <summary>Five lines: network, subnet 1, two neurons on it, one stake of 1000 rao.</summary>
    public static ILedgerEvent[] Genesis() =>
    [
        new NetworkStarted(new Block(0), new Rao(1_000_000), new NetworkParameters()),
        new SubnetRegistered(new Block(1), new NetUid(1), Cold(0), Hot(0), new Rao(100), new SubnetHyperparameters()),
        new NeuronRegistered(new Block(2), new NetUid(1), new Uid(0), Hot(1), Cold(1), new Rao(10), null),
        new NeuronRegistered(new Block(2), new NetUid(1), new Uid(1), Hot(2), Cold(2), new Rao(10), null),
        new StakeAdded(new Block(3), Cold(1), Hot(1), new NetUid(1), new Rao(1_000), null),
    ];

    public static WeightsSet Weights(ulong block, byte hotkey, ushort uid) =>
        new(new Block(block), new NetUid(1), 0, Hot(hotkey), new Uid(uid), [0, 1], [65_535, 100], 0);

    public static string Line(ILedgerEvent e) => NdjsonCodec.Write(e);

    public static async Task<string> WriteAsync(string directory, string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllTextAsync(path, string.Join('\n', lines) + "\n", TestContext.Current.CancellationToken);
        return path;
    }

    private static byte[] Key(byte i, byte tag)
    {
        var key = new byte[32];
        key[0] = tag;
        key[31] = i;
        return key;
    }
}
