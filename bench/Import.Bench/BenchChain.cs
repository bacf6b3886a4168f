using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

/// <summary>A deterministic history shaped like mainnet's bulk: 32 subnets of 64 neurons, then per block about 20
/// weight submissions (8 uids each, every uid on the 100-block rate limit) and 16 stake additions or removals —
/// ~55% weights_set, ~45% stake, ~200 bytes a line. It obeys the ledger's rules by construction (the import checks).</summary>
internal static class BenchChain
{
    private const int Subnets = 32;
    private const int Neurons = 64;
    private const int StakePerBlock = 16;

    public static IEnumerable<ILedgerEvent> Generate(ulong seed)
    {
        var rng = new XorShift(seed);
        var hot = new Hotkey[Subnets, Neurons];
        var cold = new Coldkey[Subnets, Neurons];
        var stake = new ulong[Subnets, Neurons];
        yield return new NetworkStarted(new Block(0), new Rao(1_000_000_000_000_000), new NetworkParameters());
        for (var s = 0; s < Subnets; s++)
        {
            var hp = new SubnetHyperparameters { WeightsSetRateLimit = 100, MaxAllowedUids = 256 };
            yield return new SubnetRegistered(new Block(1), Net(s), Coldkey.FromPublicKey(Key(0xC0, s, 255)), Hotkey.FromPublicKey(Key(0xA0, s, 255)), new Rao(1_000), hp);
        }

        for (var s = 0; s < Subnets; s++)
        {
            for (var u = 0; u < Neurons; u++)
            {
                hot[s, u] = Hotkey.FromPublicKey(Key(0xA1, s, u));
                cold[s, u] = Coldkey.FromPublicKey(Key(0xC1, s, u));
                yield return new NeuronRegistered(new Block(2), Net(s), new Uid((ushort)u), hot[s, u], cold[s, u], new Rao(1_000_000), null);
            }
        }

        for (ulong b = 200; ; b++)
        {
            var block = new Block(b);
            for (var s = 0; s < Subnets; s++)
            {
                // uid u submits at blocks b ≡ u − s (mod 100): exactly on the rate limit.
                var u = (int)((b + (ulong)s) % 100);
                if (u < Neurons)
                {
                    var uids = new ushort[8];
                    var values = new ushort[8];
                    var start = (int)(rng.Next() % Neurons);
                    for (var i = 0; i < 8; i++)
                    {
                        uids[i] = (ushort)((start + (i * 7)) % Neurons);
                        values[i] = (ushort)(rng.Next() % 65_536);
                    }

                    values[0] = 65_535;
                    yield return new WeightsSet(block, Net(s), 0, hot[s, u], new Uid((ushort)u), uids, values, 0);
                }
            }

            for (var i = 0; i < StakePerBlock; i++)
            {
                var s = (int)(rng.Next() % Subnets);
                var u = (int)(rng.Next() % Neurons);
                var have = stake[s, u];
                if (have > 0 && rng.Next() % 4 == 0)
                {
                    var amount = 1 + (rng.Next() % have);
                    stake[s, u] -= amount;
                    yield return new StakeRemoved(block, cold[s, u], hot[s, u], Net(s), new Rao(amount), null);
                }
                else
                {
                    var amount = 1_000_000 + (rng.Next() % 1_000_000_000_000);
                    stake[s, u] += amount;
                    yield return new StakeAdded(block, cold[s, u], hot[s, u], Net(s), new Rao(amount), null);
                }
            }
        }
    }

    private static NetUid Net(int s) => new((ushort)(s + 1));

    private static byte[] Key(byte tag, int s, int u)
    {
        var key = new byte[32];
        key[0] = tag;
        key[1] = (byte)s;
        key[2] = (byte)u;
        return key;
    }

    private struct XorShift(ulong seed)
    {
        private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15 : seed;

        public ulong Next()
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            return _state;
        }
    }
}
