using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;

namespace Bittensor.Ledger.Domain.Epochs;

/// <summary>How an epoch's drained pots are paid out (spec §4.8): the postings, in order, that empty them.</summary>
internal static class Distribution
{
    /// <summary>
    /// Spec §4.8 without childkeys, root stakers or auto-stake: miners' server emission is staked to (hotkey, owner
    /// coldkey), except the subnet owner's own hotkeys, whose incentive is burned; the validator pot (the validator pot,
    /// or both pots when no incentive was earned) pays dividends in proportion to Yuma's validator emission, each payout's
    /// delegate take to the hotkey's owner coldkey and the rest to its stakers pro rata; the owner cut is staked to the
    /// owner's hotkey; whatever the floors leave in the pots is dust. Incentives draw on the server pot first, dividends
    /// on the validator pot first, so the pots always drain to exactly zero.
    /// </summary>
    public static void Distribute(LedgerState state, SubnetState subnet, YumaOutput y, ulong pendingServer, ulong pendingValidator, List<Posting> postings)
    {
        var netUid = subnet.NetUid;
        var alpha = Asset.Alpha(netUid);
        var server = new Pot(Account.Of(alpha, AccountKind.PendingServer), pendingServer);
        var validator = new Pot(Account.Of(alpha, AccountKind.PendingValidator), pendingValidator);
        var root = Account.Of(alpha, AccountKind.PendingRoot);
        if (state.Books.Balance(root) > 0)
        {
            // Root dividends are not modelled (no root subnet): the root pot joins the validator pot.
            postings.Add(new Posting(root, validator.Account, new Rao((ulong)state.Books.Balance(root)), PostingReason.ValidatorPot));
        }

        ulong incentiveSum = 0;
        for (var i = 0; i < y.ServerEmission.Length; i++)
        {
            var amount = y.ServerEmission[i];
            if (amount == 0)
            {
                continue;
            }

            incentiveSum += amount;
            var uid = new Uid((ushort)i);
            var hotkey = subnet.HotkeyAt(uid);
            var coldkey = state.OwnerOf(hotkey)!.Value;
            var ownersOwn = hotkey == subnet.OwnerHotkey || coldkey == subnet.Owner;
            var to = ownersOwn ? Account.Of(alpha, AccountKind.Burned) : Account.Stake(netUid, hotkey, coldkey);
            Draw(postings, amount, to, ownersOwn ? PostingReason.OwnerIncentiveBurned : PostingReason.Incentive, uid, server, validator);
        }

        var validatorPot = incentiveSum == 0 ? pendingValidator + pendingServer : pendingValidator;
        validatorPot = Math.Min(validatorPot, server.Left + validator.Left);
        var payouts = new ulong[y.ValidatorEmission.Length];
        Coinbase.ValidatorPayouts(validatorPot, y.ValidatorEmission, payouts);
        for (var i = 0; i < payouts.Length; i++)
        {
            if (payouts[i] == 0)
            {
                continue;
            }

            var uid = new Uid((ushort)i);
            var hotkey = subnet.HotkeyAt(uid);
            var owner = state.OwnerOf(hotkey)!.Value;
            var take = Coinbase.Take(payouts[i], state.DelegateTake(hotkey));
            Draw(postings, take, Account.Stake(netUid, hotkey, owner), PostingReason.ValidatorTake, uid, validator, server);
            var rest = payouts[i] - take;
            var total = state.TotalStake(hotkey, netUid).Value;
            if (total == 0)
            {
                Draw(postings, rest, Account.Stake(netUid, hotkey, owner), PostingReason.NominatorDividend, uid, validator, server);
                continue;
            }

            ulong paid = 0;
            foreach (var (coldkey, stake) in state.Stakers(hotkey, netUid).OrderBy(s => s.Key.Address, StringComparer.Ordinal))
            {
                var share = Coinbase.ProRata(rest, stake.Value, total);
                paid += share;
                Draw(postings, share, Account.Stake(netUid, hotkey, coldkey), PostingReason.NominatorDividend, uid, validator, server);
            }

            Draw(postings, rest - paid, Account.Of(alpha, AccountKind.Dust), PostingReason.Rounding, uid, validator, server);
        }

        Draw(postings, server.Left, Account.Of(alpha, AccountKind.Dust), PostingReason.Rounding, null, server);
        Draw(postings, validator.Left, Account.Of(alpha, AccountKind.Dust), PostingReason.Rounding, null, validator);

        var ownerCut = (ulong)state.Books.Balance(Account.Of(alpha, AccountKind.PendingOwner));
        if (ownerCut > 0)
        {
            postings.Add(new Posting(Account.Of(alpha, AccountKind.PendingOwner), Account.Stake(netUid, subnet.OwnerHotkey, subnet.Owner),
                new Rao(ownerCut), PostingReason.OwnerCutStaked));
        }
    }

    private static void Draw(List<Posting> postings, ulong amount, Account to, PostingReason reason, Uid? uid, params Pot[] pots)
    {
        foreach (var pot in pots)
        {
            if (amount == 0)
            {
                return;
            }

            var part = Math.Min(amount, pot.Left);
            if (part > 0)
            {
                postings.Add(new Posting(pot.Account, to, new Rao(part), reason, uid));
                pot.Left -= part;
                amount -= part;
            }
        }

        if (amount > 0)
        {
            throw new InvalidOperationException($"{reason} of {amount} rao to {to} exceeds what the pots hold");
        }
    }

    private sealed class Pot(Account account, ulong left)
    {
        public Account Account { get; } = account;

        public ulong Left { get; set; } = left;
    }
}
