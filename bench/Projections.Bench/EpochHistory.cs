using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;

/// <summary>A subnet with 256 uids and <c>epochs</c> completed epochs, each with its emission postings: 256 incentive
/// postings, a take and two nominator dividends for each of 16 validators, and the dust. Made by hand (no consensus
/// run): the benchmark measures the read models, not the epoch.</summary>
internal static class EpochHistory
{
    public const ushort NetUid = 200;
    public const int Uids = 256;

    public static Hotkey Hot(int uid) => Hotkey.FromPublicKey(Key(0xE1, uid));

    public static Coldkey Cold(int uid) => Coldkey.FromPublicKey(Key(0xE2, uid));

    public static IEnumerable<ILedgerEvent> Generate(int epochs, ulong firstBlock)
    {
        var net = new NetUid(NetUid);
        var rules = new EpochRuleSet(EpochSchedule.Classic, 360, 5000, 0, 64, 32_767, 65_535, 900_000, true, false, 45_875, 58_982, 1_000);
        var hot = Enumerable.Range(0, Uids).Select(Hot).ToArray();
        var cold = Enumerable.Range(0, Uids).Select(Cold).ToArray();
        var pending = Account.Of(Asset.Alpha(net), AccountKind.PendingServer);
        var pendingV = Account.Of(Asset.Alpha(net), AccountKind.PendingValidator);
        var dust = Account.Of(Asset.Alpha(net), AccountKind.Dust);
        for (var e = 0; e < epochs; e++)
        {
            var block = new Block(firstBlock + (ulong)e * 361);
            var terms = new UidEpochTerms[Uids];
            var postings = new List<Posting>();
            ulong total = 0;
            for (var u = 0; u < Uids; u++)
            {
                var validator = u < 16;
                var server = (ulong)(1_000_000 + (u * 997) + e);
                var val = validator ? (ulong)(5_000_000 + (u * 31) + e) : 0;
                terms[u] = new UidEpochTerms(new Uid((ushort)u), hot[u], cold[u], (ushort)(u * 3), (ushort)(u * 5), (ushort)(u * 7), (ushort)(validator ? 4096 : 0),
                    (ushort)(validator ? 60_000 : 0), new Rao(server), new Rao(val), new Rao(server + val), true, validator);
                postings.Add(new Posting(pending, Account.Stake(net, hot[u], cold[u]), new Rao(server), PostingReason.Incentive, new Uid((ushort)u)));
                if (validator)
                {
                    var take = val * 11_796 / 65_535;
                    var rest = val - take;
                    postings.Add(new Posting(pendingV, Account.Stake(net, hot[u], cold[u]), new Rao(take), PostingReason.ValidatorTake, new Uid((ushort)u)));
                    postings.Add(new Posting(pendingV, Account.Stake(net, hot[u], cold[(u + 100) % Uids]), new Rao(rest / 2), PostingReason.NominatorDividend, new Uid((ushort)u)));
                    postings.Add(new Posting(pendingV, Account.Stake(net, hot[u], cold[(u + 200) % Uids]), new Rao(rest / 2), PostingReason.NominatorDividend, new Uid((ushort)u)));
                    if (rest % 2 == 1)
                    {
                        postings.Add(new Posting(pendingV, dust, new Rao(1), PostingReason.Rounding));
                    }
                }

                total += server + val;
            }

            var bonds = Enumerable.Range(0, 16).Select(v => new EpochBondsRow(0, new Uid((ushort)v),
                [.. Enumerable.Range(16, 32).Select(j => new SparseEntry((ushort)j, (ushort)(j * 100 + e % 50)))])).ToArray();
            var digest = e.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);
            yield return new EpochCompleted(block, net, (ulong)e, rules, digest, new Rao(total), terms, bonds);
            yield return new SubnetEmissionPosted(block, net, (ulong)e, new Block(block.Value - 361), digest, [.. postings]);
        }
    }

    private static byte[] Key(byte tag, int u)
    {
        var key = new byte[32];
        key[0] = tag;
        key[1] = (byte)(u >> 8);
        key[2] = (byte)u;
        return key;
    }
}
