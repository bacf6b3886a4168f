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

/// <summary>
/// The ledger's write model in memory (docs/adr/0006-epochs.md): the facts' <see cref="LedgerState"/> plus the block
/// clock that runs the coinbase (spec §4.2–§4.4) as the facts' blocks advance, and the epoch computation (Yuma via
/// src/Consensus, then the distribution of the drained pots, spec §4.8). Pure: no IO, no clock; every writer — the
/// import, the consensus handler, the simulator, verify and replay — drives one of these in the store's order, so each
/// of them computes the same thing from the same events.
/// <para>Block order within a block: the coinbase of block b runs when the clock first reaches b (before b's facts, as
/// on chain in <c>on_initialize</c>); an epoch at b drains the pots including b's accrual.</para>
/// </summary>
public sealed class LedgerEngine
{
    private readonly Dictionary<NetUid, Accrual> _accrual = [];

    public LedgerState State { get; } = new();

    /// <summary>The last block whose coinbase has run (the genesis block before any).</summary>
    public Block Clock { get; private set; }

    /// <summary>Seq id of the last stored event applied (for stores that track it); 0 when none.</summary>
    public long LastSequence { get; set; }

    /// <summary>First block of the subnet's accrual not yet recorded by a <see cref="SubnetEmissionPosted"/> (exclusive lower bound).</summary>
    public Block AccruedSince(NetUid netUid) => _accrual.TryGetValue(netUid, out var a) ? a.From : Clock;

    /// <summary>Checks <paramref name="e"/> against the state and, for recorded postings, against the accrual this
    /// engine computed for the same blocks. Pure.</summary>
    public FieldError? Check(ILedgerEvent e) => State.Check(e) ?? (e is SubnetEmissionPosted p ? CheckAccrual(p) : null);

    public bool TryApply(ILedgerEvent e, out FieldError? violation)
    {
        ArgumentNullException.ThrowIfNull(e);
        // Facts observed on a real chain describe a coinbase this engine did not run: the chain read model keeps
        // them, the books do not (docs/adr/0012-observed-chain-facts.md).
        if (e is Domain.Chain.IObservedChainFact)
        {
            violation = null;
            return true;
        }

        // The coinbase of blocks up to a new event's block runs before an event that changes what the coinbase reads
        // (issuance, shares, subnets) or that drains the pots; other events leave it lagging, which changes no amount
        // (the inputs between are the same) and saves a coinbase step per block on imports. An event the rules reject
        // does not move the clock (a bad line far in the future must not run millions of blocks).
        if (State.Started && e.Block > Clock && ChangesCoinbase(e))
        {
            violation = State.Check(e);
            if (violation is not null)
            {
                return false;
            }

            AdvanceTo(e.Block);
        }

        if (e is SubnetEmissionPosted posted && CheckAccrual(posted) is { } mismatch)
        {
            violation = mismatch;
            return false;
        }

        if (!State.TryApply(e, out violation))
        {
            return false;
        }

        switch (e)
        {
            case NetworkStarted started:
                Clock = started.Block;
                break;
            case SubnetEmissionPosted p:
                _accrual[p.NetUid] = new Accrual(p.Block);
                break;
        }

        return true;
    }

    /// <summary>
    /// Applies a recorded fact as an ingest does (import, sample): an <see cref="EpochTriggered"/> — the chain ran the
    /// subnet's epoch at that block — is followed at once by that epoch, computed here, so the facts after it are checked
    /// against its results. <paramref name="derived"/> holds the events to store right after the fact (empty otherwise).
    /// </summary>
    public bool TryApplyFact(ILedgerEvent e, out FieldError? violation, out IReadOnlyList<ILedgerEvent> derived)
    {
        derived = [];
        if (e is IDerivedEvent)
        {
            violation = new FieldError("type", $"{e.GetType().Name} is computed by the ledger, not recorded");
            return false;
        }

        if (!TryApply(e, out violation))
        {
            return false;
        }

        if (e is EpochTriggered triggered)
        {
            derived = ComputeEpoch(triggered.NetUid, EpochSchedule.Triggered).Events;
            foreach (var d in derived)
            {
                Apply(d);
            }
        }

        return true;
    }

    /// <summary>Events whose effect the coinbase must see from their block on, or that need the pots up to their block.</summary>
    private static bool ChangesCoinbase(ILedgerEvent e) => e is SubnetRegistered or SubnetEmissionShareSet or EpochTriggered
        or TaoRecycled or BlockEmissionMinted or AlphaRecycled or EpochCompleted or SubnetEmissionPosted;

    public void Apply(ILedgerEvent e)
    {
        if (!TryApply(e, out var violation))
        {
            throw new InvalidOperationException($"{e.GetType().Name} at block {e.Block} rejected: {violation}");
        }
    }

    /// <summary>Runs the coinbase of every block after <see cref="Clock"/> up to <paramref name="block"/>. Blocks whose
    /// emission and shares are the same are posted together (the amounts are the per-block ones times the count), so
    /// the cost is per halving step and per event, not per block.</summary>
    public void AdvanceTo(Block block)
    {
        if (!State.Started)
        {
            return;
        }

        while (Clock < block)
        {
            var first = Clock.Value + 1;
            var remaining = block.Value - Clock.Value;
            var step = CoinbaseStep(new Block(first), remaining);
            Clock = new Block(Clock.Value + step);
        }
    }

    /// <summary>Posts the coinbase of <c>count</c> ≤ <paramref name="remaining"/> blocks from <paramref name="first"/>
    /// on, as many as have the same per-block amounts, and returns the count.</summary>
    private ulong CoinbaseStep(Block first, ulong remaining)
    {
        var books = State.Books;
        var taoIssuance = (ulong)books.Issuance(Asset.Tao);
        var blockEmission = BlockEmission.ForIssuance(taoIssuance);
        var taoLeft = Math.Min(blockEmission, Rao.TotalSupply.Value - taoIssuance);
        var plans = new List<(SubnetState Subnet, ulong Tao, ulong AlphaOut, ulong AlphaIssuance, AlphaSplit Split)>();
        ulong taoPerBlock = 0;
        foreach (var subnet in State.Subnets.OrderBy(s => s.NetUid))
        {
            if (subnet.RegisteredAt >= first)
            {
                continue;
            }

            var tao = subnet.EmissionShare is var (num, den, _) ? Coinbase.SubnetTao(blockEmission, num, den) : 0;
            tao = Math.Min(tao, taoLeft);
            taoLeft -= tao;
            taoPerBlock += tao;
            var asset = Asset.Alpha(subnet.NetUid);
            var alphaIssuance = (ulong)books.Issuance(asset);
            var alphaOut = BlockEmission.ForIssuance(alphaIssuance);
            alphaOut = Math.Min(alphaOut, Rao.TotalSupply.Value - alphaIssuance);
            plans.Add((subnet, tao, alphaOut, alphaIssuance, Coinbase.SplitAlpha(alphaOut, State.Parameters.SubnetOwnerCut, U96F32.Zero)));
        }

        // How many blocks keep these amounts: until an issuance crosses into another halving step (or the cap).
        var count = SameEmissionBlocks(taoIssuance, taoPerBlock, blockEmission, remaining);
        foreach (var plan in plans)
        {
            count = SameEmissionBlocks(plan.AlphaIssuance, plan.AlphaOut, plan.AlphaOut, count);
        }

        foreach (var (subnet, tao, _, _, split) in plans)
        {
            var accrual = AccrualOf(subnet.NetUid);
            var alpha = Asset.Alpha(subnet.NetUid);
            Accrue(accrual, Account.Of(Asset.Tao, AccountKind.Unissued), Account.SubnetTao(subnet.NetUid), tao * count, PostingReason.BlockEmission);
            var unissued = Account.Of(alpha, AccountKind.Unissued);
            Accrue(accrual, unissued, Account.Of(alpha, AccountKind.PendingOwner), split.Owner * count, PostingReason.OwnerCut);
            Accrue(accrual, unissued, Account.Of(alpha, AccountKind.PendingServer), split.Server * count, PostingReason.ServerPot);
            Accrue(accrual, unissued, Account.Of(alpha, AccountKind.PendingValidator), split.Validator * count, PostingReason.ValidatorPot);
            Accrue(accrual, unissued, Account.Of(alpha, AccountKind.PendingRoot), split.Root * count, PostingReason.RootPot);
            Accrue(accrual, unissued, Account.Of(alpha, AccountKind.Dust), split.Dust * count, PostingReason.Rounding);
        }

        return count;
    }

    /// <summary>The largest k ≤ <paramref name="limit"/> such that the emission stays <paramref name="emission"/> for
    /// k blocks minting <paramref name="perBlock"/> each (emission is non-increasing in issuance: binary search).</summary>
    private static ulong SameEmissionBlocks(ulong issuance, ulong perBlock, ulong emission, ulong limit)
    {
        if (perBlock == 0 || limit <= 1)
        {
            return limit;
        }

        // Never mint past the supply.
        var room = (Rao.TotalSupply.Value - issuance) / perBlock;
        limit = Math.Max(1, Math.Min(limit, room));
        ulong lo = 1, hi = limit;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (BlockEmission.ForIssuance(issuance + ((mid - 1) * perBlock)) == emission)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private Accrual AccrualOf(NetUid netUid)
    {
        if (!_accrual.TryGetValue(netUid, out var accrual))
        {
            accrual = new Accrual(Clock);
            _accrual.Add(netUid, accrual);
        }

        return accrual;
    }

    private void Accrue(Accrual accrual, Account from, Account to, ulong amount, PostingReason reason)
    {
        if (amount == 0)
        {
            return;
        }

        var posting = new Posting(from, to, new Rao(amount), reason);
        State.PostAccrual(posting);
        accrual.Add(to, reason, amount);
    }

    private FieldError? CheckAccrual(SubnetEmissionPosted p)
    {
        var expected = _accrual.TryGetValue(p.NetUid, out var accrual) ? accrual.Postings(p.NetUid) : [];
        var recorded = p.Postings.Where(x => x.IsAccrual).ToArray();
        if (p.FromBlock != AccruedSince(p.NetUid))
        {
            return new FieldError("from_block", $"accrual recorded from block {p.FromBlock}, but the subnet's unrecorded accrual starts after block {AccruedSince(p.NetUid)}");
        }

        if (!expected.SequenceEqual(recorded))
        {
            return new FieldError("postings", $"recorded accrual of subnet {p.NetUid} for blocks ({p.FromBlock}, {p.Block}] differs from the coinbase the ledger computes for them");
        }

        return null;
    }

    /// <summary>Whether the subnet's epoch is due at <paramref name="block"/> by <paramref name="schedule"/> (spec §4.6,
    /// §3.6). A <see cref="EpochSchedule.Triggered"/> epoch is due where an imported <c>EpochTriggered</c> says the chain
    /// ran it and it has not been computed yet.</summary>
    public bool IsDue(NetUid netUid, Block block, EpochSchedule schedule)
    {
        var subnet = State.Subnet(netUid);
        if (subnet is null)
        {
            return false;
        }

        if (schedule == EpochSchedule.Triggered)
        {
            return subnet.LastEpochBlock == block && subnet.LastMechanismStepBlock != block;
        }

        if (block <= subnet.RegisteredAt || subnet.Hyperparameters.Tempo == 0 || subnet.LastMechanismStepBlock >= block)
        {
            return false;
        }

        var tempo = (ulong)subnet.Hyperparameters.Tempo;
        return schedule switch
        {
            EpochSchedule.Classic => (block.Value + netUid.Value + 1) % (tempo + 1) == 0,
            // New subnets: LastEpochBlock = registration block − (netuid mod tempo).
            EpochSchedule.Dynamic => block.Value - (subnet.LastEpochBlock?.Value ?? subnet.RegisteredAt.Value - Math.Min(subnet.RegisteredAt.Value, netUid.Value % tempo)) >= tempo,
            _ => false,
        };
    }

    /// <summary>
    /// Computes the subnet's next epoch at the current <see cref="Clock"/> without applying it: Yuma over the state as
    /// of this block with the pots drained so far (server + validator + root; the owner cut is excluded), then the
    /// distribution postings. Apply the two events (in order) once they are stored.
    /// </summary>
    public EpochResult ComputeEpoch(NetUid netUid, EpochSchedule schedule)
    {
        var subnet = State.Subnet(netUid) ?? throw new InvalidOperationException($"subnet {netUid} does not exist");
        var block = Clock;
        var hyperparameters = subnet.Hyperparameters;
        var books = State.Books;
        var alpha = Asset.Alpha(netUid);
        var pendingServer = (ulong)books.Balance(Account.Of(alpha, AccountKind.PendingServer));
        var pendingValidator = (ulong)books.Balance(Account.Of(alpha, AccountKind.PendingValidator));
        var pendingRoot = (ulong)books.Balance(Account.Of(alpha, AccountKind.PendingRoot));
        var drained = checked(pendingServer + pendingValidator + pendingRoot);

        var inputs = EpochInputs.Build(State, netUid, block, hyperparameters);
        var (aggregate, perMechanism) = YumaMechanisms.Run(inputs, drained);
        var digest = EpochDigest.Compute(inputs, drained);
        var epoch = subnet.EpochsCompleted;

        var n = subnet.N;
        var terms = new UidEpochTerms[n];
        for (var i = 0; i < n; i++)
        {
            var uid = new Uid((ushort)i);
            var hotkey = subnet.HotkeyAt(uid);
            terms[i] = EpochOutcome.Term(uid, hotkey, State.OwnerOf(hotkey)!.Value, aggregate, i);
        }

        var completed = new EpochCompleted(block, netUid, epoch, EpochInputs.Rules(schedule, hyperparameters, State.Parameters.StakeThreshold),
            digest, new Rao(drained), terms, EpochOutcome.Bonds(perMechanism));

        var postings = new List<Posting>(AccrualOf(netUid).Postings(netUid));
        Distribution.Distribute(State, subnet, aggregate, pendingServer, pendingValidator + pendingRoot, postings);
        var posted = new SubnetEmissionPosted(block, netUid, epoch, AccruedSince(netUid), digest, [.. postings]);
        return new EpochResult(completed, posted, inputs, aggregate);
    }

}

/// <summary>One computed epoch: the two events to store (in this order) and, for explanations, what Yuma read and returned.</summary>
public sealed record EpochResult(EpochCompleted Completed, SubnetEmissionPosted Posted, IReadOnlyList<YumaInput> Inputs, YumaOutput Output)
{
    public IReadOnlyList<ILedgerEvent> Events => [Completed, Posted];
}
