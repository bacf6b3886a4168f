using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Domain;

/// <summary>
/// The ledger's write model: one mutable, in-memory fold over every fact, holding the rules that need state.
/// Import, commands and simulation all go through it (docs/adr/0004-domain-rules.md):
/// <see cref="Check"/> decides whether an event may follow the events already applied, <see cref="Apply"/> evolves.
/// Not thread-safe; one instance per event sequence (per shard).
/// </summary>
public sealed class LedgerState
{
    private readonly Dictionary<NetUid, SubnetState> _subnets = [];
    private readonly Dictionary<Hotkey, Coldkey> _hotkeyOwners = [];
    private readonly Dictionary<Hotkey, ushort> _takes = [];
    private readonly Dictionary<HotkeyOnSubnet, StakePool> _stakes = [];
    private ulong _lastBlock;

    public bool Started { get; private set; }

    /// <summary>Block of the last applied event, or null before any.</summary>
    public Block? LastBlock => Started ? new Block(_lastBlock) : null;

    public NetworkParameters Parameters { get; private set; } = new();

    /// <summary>The double-entry books every fact and every recorded posting moves (docs/adr/0005-emission-accounting.md).</summary>
    public Books Books { get; } = new();

    /// <summary>TAO in existence: genesis issuance + minted − recycled (burns leave issuance unchanged).</summary>
    public Rao Issuance => new((ulong)Books.Issuance(Asset.Tao));

    public Rao TaoRecycledTotal => new((ulong)Books.Balance(Account.Of(Asset.Tao, AccountKind.Recycled)));

    public Rao TaoBurnedTotal => new((ulong)Books.Balance(Account.Of(Asset.Tao, AccountKind.Burned)));

    public long EventsApplied { get; private set; }

    public IEnumerable<SubnetState> Subnets => _subnets.Values;

    public bool SubnetExists(NetUid netUid) => _subnets.ContainsKey(netUid);

    public SubnetState? Subnet(NetUid netUid) => _subnets.GetValueOrDefault(netUid);

    /// <summary>The coldkey that owns a hotkey (set by its first registration, or by registering a subnet with it).</summary>
    public Coldkey? OwnerOf(Hotkey hotkey) => _hotkeyOwners.TryGetValue(hotkey, out var owner) ? owner : null;

    /// <summary>The delegate take in force for a hotkey, u16/65535 (the network default until a <c>DelegateTakeSet</c>).</summary>
    public ushort DelegateTake(Hotkey hotkey) => _takes.TryGetValue(hotkey, out var take) ? take : Parameters.DefaultTake;

    /// <summary>Alpha staked by <paramref name="coldkey"/> on <paramref name="hotkey"/> on a subnet.</summary>
    public Rao Stake(Coldkey coldkey, Hotkey hotkey, NetUid netUid) =>
        _stakes.TryGetValue(new HotkeyOnSubnet(hotkey, netUid), out var pool) && pool.ByColdkey.TryGetValue(coldkey, out var amount)
            ? amount
            : Rao.Zero;

    /// <summary>All alpha staked on <paramref name="hotkey"/> on a subnet, over every coldkey.</summary>
    public Rao TotalStake(Hotkey hotkey, NetUid netUid) =>
        _stakes.TryGetValue(new HotkeyOnSubnet(hotkey, netUid), out var pool) ? pool.Total : Rao.Zero;

    /// <summary>Every (coldkey, amount) staked on <paramref name="hotkey"/> on a subnet, non-zero only.</summary>
    public IEnumerable<KeyValuePair<Coldkey, Rao>> Stakers(Hotkey hotkey, NetUid netUid) =>
        _stakes.TryGetValue(new HotkeyOnSubnet(hotkey, netUid), out var pool)
            ? pool.ByColdkey
            : [];

    /// <summary>Decides whether <paramref name="e"/> may follow the events applied so far. Pure: state is not touched.</summary>
    /// <returns>null when accepted, else the first rule it breaks.</returns>
    public FieldError? Check(ILedgerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is NetworkStarted started)
        {
            return CheckNetworkStarted(started);
        }

        if (!Started)
        {
            return new FieldError("type", "the network has not started: the first event must be network_started");
        }

        if (e.Block.Value < _lastBlock)
        {
            return new FieldError("block", $"block {e.Block} is earlier than the last applied block {_lastBlock}");
        }

        SubnetState? subnet = null;
        if (e is ISubnetEvent se && e is not SubnetRegistered)
        {
            if (!_subnets.TryGetValue(se.NetUid, out subnet))
            {
                return new FieldError("netuid", $"subnet {se.NetUid} does not exist");
            }
        }

        return e switch
        {
            WeightsSet w => CheckWeights(w, subnet!),
            StakeAdded a => CheckStakeAdded(a),
            StakeRemoved r => CheckDebit(r.Coldkey, r.Hotkey, r.NetUid, r.Alpha, "alpha", "remove"),
            StakeMoved m => CheckStakeMoved(m),
            AlphaBurned b => CheckDebit(b.Coldkey, b.Hotkey, b.NetUid, b.Alpha, "alpha", "burn"),
            AlphaRecycled r => CheckDebit(r.Coldkey, r.Hotkey, r.NetUid, r.Alpha, "alpha", "recycle"),
            NeuronRegistered n => CheckNeuronRegistered(n, subnet!),
            EpochTriggered t => subnet!.LastEpochBlock == t.Block
                ? new FieldError("block", $"subnet {t.NetUid}'s epoch already ran at block {t.Block}")
                : null,
            SubnetEmissionShareSet s => s.ShareDenominator == 0
                ? new FieldError("share_denominator", "must be greater than 0")
                : s.ShareNumerator > s.ShareDenominator ? new FieldError("share_numerator", "a share cannot exceed 1 (numerator > denominator)") : null,
            BondsReset b => subnet!.IsRegistered(b.Hotkey) ? null : new FieldError("hotkey", $"hotkey {b.Hotkey} is not registered on subnet {b.NetUid}"),
            DelegateTakeSet t => _hotkeyOwners.ContainsKey(t.Hotkey) ? null : new FieldError("hotkey", $"hotkey {t.Hotkey} is not known: it was never registered"),
            BlockEmissionMinted m => m.Amount.Value > Rao.TotalSupply.Value - Issuance.Value
                ? new FieldError("amount", $"minting {m.Amount} rao would take issuance {Issuance} past the 21M TAO supply")
                : null,
            TaoRecycled r => r.Amount > Issuance ? new FieldError("amount", $"recycling {r.Amount} rao exceeds issuance {Issuance}") : null,
            TaoBurned => null,
            SubnetRegistered s => CheckSubnetRegistered(s),
            HyperparametersChanged h => CheckHyperparameters(h.Hyperparameters, subnet!),
            EpochCompleted c => CheckEpochCompleted(c, subnet!),
            SubnetEmissionPosted p => CheckEmissionPosted(p, subnet!),
            _ => new FieldError("type", $"unknown event type {e.GetType().Name}"),
        };
    }

    /// <summary>Evolves the state by <paramref name="e"/>.</summary>
    /// <exception cref="InvalidOperationException">when <see cref="Check"/> rejects the event.</exception>
    public void Apply(ILedgerEvent e)
    {
        if (!TryApply(e, out var violation))
        {
            throw new InvalidOperationException($"{e.GetType().Name} at block {e.Block} rejected: {violation}");
        }
    }

    /// <summary><see cref="Check"/> then, when accepted, apply; one call for pipelines that do both.</summary>
    public bool TryApply(ILedgerEvent e, out FieldError? violation)
    {
        violation = Check(e);
        if (violation is not null)
        {
            return false;
        }

        Evolve(e);
        EventsApplied++;
        return true;
    }

    /// <summary>Which uid a new registration gets on <paramref name="netUid"/> at <paramref name="block"/>: the next uid
    /// (n) while the subnet is not full, else the uid pruning picks (spec §4.7) and the hotkey it replaces.</summary>
    /// <exception cref="InvalidOperationException">when the subnet does not exist or no uid can be pruned.</exception>
    public (Uid Uid, Hotkey? Pruned) ChooseRegistrationUid(NetUid netUid, Block block)
    {
        if (!_subnets.TryGetValue(netUid, out var subnet))
        {
            throw new InvalidOperationException($"subnet {netUid} does not exist");
        }

        return TryChooseRegistrationUid(subnet, block, out var uid, out var pruned)
            ? (uid, pruned)
            : throw new InvalidOperationException($"subnet {netUid} is full and has no uid that can be pruned");
    }

    /// <summary>Posts one block-range accrual of the coinbase (a posting out of <see cref="AccountKind.Unissued"/>): the
    /// pots fill block by block as the clock advances, while the <see cref="SubnetEmissionPosted"/> that records them is
    /// appended only with the subnet's next epoch, so applying that event skips its accrual postings.</summary>
    internal void PostAccrual(Posting posting)
    {
        ArgumentNullException.ThrowIfNull(posting);
        if (!posting.IsAccrual)
        {
            throw new InvalidOperationException($"{posting.Reason} from {posting.From} is not an accrual");
        }

        Books.Post(posting);
    }

    private static FieldError? CheckEpochCompleted(EpochCompleted e, SubnetState subnet)
    {
        if (e.Epoch != subnet.EpochsCompleted)
        {
            return new FieldError("epoch", $"subnet {e.NetUid} has completed {subnet.EpochsCompleted} epoch(s): the next is {subnet.EpochsCompleted}, not {e.Epoch}");
        }

        if (e.Terms.Length != subnet.N)
        {
            return new FieldError("terms", $"{e.Terms.Length} terms for n = {subnet.N}");
        }

        for (var i = 0; i < e.Terms.Length; i++)
        {
            var t = e.Terms[i];
            if (t.Uid.Value != i || t.Hotkey != subnet.HotkeyAt(t.Uid))
            {
                return new FieldError($"terms[{i}]", $"uid {t.Uid} ({t.Hotkey}) is not uid {i} ({subnet.HotkeyAt(new Uid((ushort)i))})");
            }
        }

        foreach (var row in e.Bonds)
        {
            if (row.Mechanism >= subnet.Hyperparameters.MechanismCount || row.Uid.Value >= subnet.N)
            {
                return new FieldError("bonds", $"row (mechanism {row.Mechanism}, uid {row.Uid}) is outside the subnet");
            }
        }

        return null;
    }

    private FieldError? CheckEmissionPosted(SubnetEmissionPosted e, SubnetState subnet)
    {
        if (subnet.EpochsCompleted == 0 || e.Epoch != subnet.EpochsCompleted - 1 || subnet.LastMechanismStepBlock != e.Block)
        {
            return new FieldError("epoch", $"postings for epoch {e.Epoch} at block {e.Block} do not follow that epoch's epoch_completed");
        }

        // Distribution postings only debit the pots (never an account another posting of the event credits), so
        // each debit is checked against the balance less what earlier postings of the event already took from it.
        var taken = new Dictionary<Account, Int128>();
        for (var i = 0; i < e.Postings.Length; i++)
        {
            var p = e.Postings[i];
            if (p.IsAccrual)
            {
                continue;
            }

            var alpha = Asset.Alpha(e.NetUid);
            if (p.From.Asset != alpha || p.To.Asset != alpha)
            {
                return new FieldError($"postings[{i}]", $"moves {p.From} to {p.To}: an epoch distributes only alpha:{e.NetUid}");
            }

            var already = taken.GetValueOrDefault(p.From);
            if (Books.Check(p with { Amount = new Rao(0) }) is { } shape)
            {
                return shape with { Field = $"postings[{i}]" };
            }

            if (!p.From.IsContra && Books.Balance(p.From) - already < p.Amount.Value)
            {
                return new FieldError($"postings[{i}]", $"{p.From} holds {Books.Balance(p.From) - already} rao, less than the {p.Amount} it would pay ({p.Reason})");
            }

            taken[p.From] = already + p.Amount.Value;
        }

        return null;
    }

    private FieldError? CheckNetworkStarted(NetworkStarted e)
    {
        if (Started)
        {
            return new FieldError("type", "the network has already started");
        }

        return e.Issuance > Rao.TotalSupply ? new FieldError("issuance", $"exceeds the 21M TAO supply ({Rao.TotalSupply} rao)") : null;
    }

    private FieldError? CheckSubnetRegistered(SubnetRegistered e)
    {
        if (_subnets.ContainsKey(e.NetUid))
        {
            return new FieldError("netuid", $"subnet {e.NetUid} is already registered");
        }

        if (_hotkeyOwners.TryGetValue(e.OwnerHotkey, out var owner) && owner != e.Owner)
        {
            return new FieldError("owner_hotkey", $"hotkey {e.OwnerHotkey} belongs to coldkey {owner}, not {e.Owner}");
        }

        return CheckHyperparameters(e.Hyperparameters, null);
    }

    private static FieldError? CheckHyperparameters(SubnetHyperparameters h, SubnetState? subnet)
    {
        if (h.MechanismCount is 0 or > SubnetState.MaxMechanisms)
        {
            return new FieldError("hyperparameters.mechanism_count", $"must be 1..{SubnetState.MaxMechanisms}");
        }

        if (subnet is not null && h.MaxAllowedUids < subnet.N)
        {
            return new FieldError("hyperparameters.max_allowed_uids", $"{h.MaxAllowedUids} is below the {subnet.N} uids already registered");
        }

        return null;
    }

    private FieldError? CheckNeuronRegistered(NeuronRegistered e, SubnetState subnet)
    {
        if (subnet.IsRegistered(e.Hotkey))
        {
            return new FieldError("hotkey", $"hotkey {e.Hotkey} is already registered on subnet {e.NetUid}");
        }

        if (_hotkeyOwners.TryGetValue(e.Hotkey, out var owner) && owner != e.Coldkey)
        {
            return new FieldError("coldkey", $"hotkey {e.Hotkey} belongs to coldkey {owner}, not {e.Coldkey}");
        }

        if (!subnet.IsFull)
        {
            if (e.Uid.Value != subnet.N)
            {
                return new FieldError("uid", $"subnet {e.NetUid} is not full: a registration takes the next uid {subnet.N}, not {e.Uid}");
            }

            return e.PrunedHotkey is { } p ? new FieldError("pruned_hotkey", $"subnet {e.NetUid} is not full: nothing is pruned, but {p} was given") : null;
        }

        if (!TryChooseRegistrationUid(subnet, e.Block, out var uid, out var pruned))
        {
            return new FieldError("uid", $"subnet {e.NetUid} is full and has no uid that can be pruned");
        }

        if (uid != e.Uid)
        {
            return new FieldError("uid", $"subnet {e.NetUid} is full: pruning picks uid {uid} ({pruned}), not {e.Uid}");
        }

        return e.PrunedHotkey != pruned
            ? new FieldError("pruned_hotkey", $"uid {uid} holds {pruned}, not {(e.PrunedHotkey is { } g ? g.ToString() : "nothing")}")
            : null;
    }

    private FieldError? CheckWeights(WeightsSet e, SubnetState subnet)
    {
        if (e.Mechanism >= subnet.Hyperparameters.MechanismCount)
        {
            return new FieldError("mechanism", $"subnet {e.NetUid} has {subnet.Hyperparameters.MechanismCount} mechanism(s); {e.Mechanism} does not exist");
        }

        if (!subnet.TryGetUid(e.Hotkey, out var uid))
        {
            return new FieldError("hotkey", $"hotkey {e.Hotkey} is not registered on subnet {e.NetUid}");
        }

        if (uid != e.Uid)
        {
            return new FieldError("uid", $"hotkey {e.Hotkey} is at uid {uid}, not {e.Uid}");
        }

        var uids = e.Uids;
        if (uids.Length != e.Values.Length)
        {
            return new FieldError("values", $"{e.Values.Length} values for {uids.Length} uids");
        }

        var n = subnet.N;
        Span<ulong> seen = stackalloc ulong[(n + 63) / 64];
        seen.Clear();
        for (var i = 0; i < uids.Length; i++)
        {
            var u = uids[i];
            if (u >= n)
            {
                return new FieldError($"uids[{i}]", $"uid {u} is not below n = {n}");
            }

            ref var word = ref seen[u >> 6];
            var bit = 1UL << (u & 63);
            if ((word & bit) != 0)
            {
                return new FieldError($"uids[{i}]", $"uid {u} appears more than once");
            }

            word |= bit;
        }

        // subtensor check_rate_limit: allowed when LastUpdate is 0 (never set), else block − LastUpdate ≥ WeightsSetRateLimit.
        var last = subnet.LastUpdate(e.Mechanism, uid).Value;
        var limit = subnet.Hyperparameters.WeightsSetRateLimit;
        if (last != 0 && (e.Block.Value < last || e.Block.Value - last < limit))
        {
            return new FieldError("block", $"weights rate limit: uid {uid} last updated at block {last}, next allowed at {last + limit}");
        }

        return null;
    }

    private FieldError? CheckStakeAdded(StakeAdded e)
    {
        if (!_hotkeyOwners.ContainsKey(e.Hotkey))
        {
            return new FieldError("hotkey", $"hotkey {e.Hotkey} is not known: it was never registered");
        }

        return CheckCredit(e.Hotkey, e.NetUid, e.Alpha, "alpha");
    }

    private FieldError? CheckStakeMoved(StakeMoved e)
    {
        if (e.FromHotkey == e.ToHotkey)
        {
            return new FieldError("to_hotkey", "is the same hotkey as from_hotkey");
        }

        if (!_hotkeyOwners.ContainsKey(e.ToHotkey))
        {
            return new FieldError("to_hotkey", $"hotkey {e.ToHotkey} is not known: it was never registered");
        }

        return CheckDebit(e.Coldkey, e.FromHotkey, e.NetUid, e.Alpha, "alpha", "move") ?? CheckCredit(e.ToHotkey, e.NetUid, e.Alpha, "alpha");
    }

    private FieldError? CheckDebit(Coldkey coldkey, Hotkey hotkey, NetUid netUid, Rao amount, string field, string verb)
    {
        var stake = Stake(coldkey, hotkey, netUid);
        return amount > stake
            ? new FieldError(field, $"cannot {verb} {amount} rao: coldkey {coldkey} has {stake} staked on {hotkey} on subnet {netUid}")
            : null;
    }

    private FieldError? CheckCredit(Hotkey hotkey, NetUid netUid, Rao amount, string field)
    {
        // The hotkey total bounds every per-coldkey position on it, so checking it covers both.
        var total = TotalStake(hotkey, netUid);
        return amount.Value > ulong.MaxValue - total.Value
            ? new FieldError(field, $"overflows: {total} + {amount} rao exceeds the u64 range of the stake on {hotkey} on subnet {netUid}")
            : null;
    }

    private static bool TryChooseRegistrationUid(SubnetState subnet, Block block, out Uid uid, out Hotkey? pruned)
    {
        if (!subnet.IsFull)
        {
            uid = new Uid((ushort)subnet.N);
            pruned = null;
            return true;
        }

        // get_neuron_to_prune (spec §4.7): the owner's hotkey is immortal; immune ⇔ block − reg_block < ImmunityPeriod.
        // Among non-immune uids pick the lowest emission, then the earliest registration, then the lowest uid — but only
        // when more than MinNonImmuneUids are non-immune; otherwise the same order among immune uids. When no immune uid
        // exists either, fall back to the non-immune pick rather than refuse (ADR 0004).
        var hp = subnet.Hyperparameters;
        int bestMortal = -1, bestImmune = -1, mortalCount = 0;
        for (var i = 0; i < subnet.N; i++)
        {
            var u = new Uid((ushort)i);
            if (subnet.HotkeyAt(u) == subnet.OwnerHotkey)
            {
                continue;
            }

            var reg = subnet.RegistrationBlock(u).Value;
            var age = block.Value > reg ? block.Value - reg : 0;
            if (age < hp.ImmunityPeriod)
            {
                if (bestImmune < 0 || PrunesBefore(subnet, i, bestImmune))
                {
                    bestImmune = i;
                }
            }
            else
            {
                mortalCount++;
                if (bestMortal < 0 || PrunesBefore(subnet, i, bestMortal))
                {
                    bestMortal = i;
                }
            }
        }

        var pick = mortalCount > hp.MinNonImmuneUids ? bestMortal : bestImmune >= 0 ? bestImmune : bestMortal;
        if (pick < 0)
        {
            uid = default;
            pruned = null;
            return false;
        }

        uid = new Uid((ushort)pick);
        pruned = subnet.HotkeyAt(uid);
        return true;
    }

    private static bool PrunesBefore(SubnetState subnet, int a, int b)
    {
        var ua = new Uid((ushort)a);
        var ub = new Uid((ushort)b);
        var ea = subnet.Emission(ua);
        var eb = subnet.Emission(ub);
        if (ea != eb)
        {
            return ea < eb;
        }

        var ra = subnet.RegistrationBlock(ua).Value;
        var rb = subnet.RegistrationBlock(ub).Value;
        return ra != rb ? ra < rb : a < b;
    }

    private void Evolve(ILedgerEvent e)
    {
        _lastBlock = e.Block.Value;
        if (e is SubnetEmissionPosted recorded)
        {
            foreach (var posting in recorded.Postings)
            {
                // Its accrual was posted block by block as the coinbase clock ran (PostAccrual).
                if (!posting.IsAccrual)
                {
                    Transfer(posting);
                }
            }
        }
        else if (Postings.OfFact(e) is { } posting)
        {
            Transfer(posting);
        }

        switch (e)
        {
            case WeightsSet w:
                var subnet = _subnets[w.NetUid];
                subnet.SetWeights(w.Mechanism, w.Uid.Value, w.Uids, w.Values, w.Block);
                break;
            case EpochCompleted c:
                _subnets[c.NetUid].CompleteEpoch(c);
                break;
            case NeuronRegistered n:
                var target = _subnets[n.NetUid];
                if (n.PrunedHotkey is null)
                {
                    target.Append(n.Hotkey, n.Block);
                }
                else
                {
                    target.Replace(n.Uid.Value, n.Hotkey, n.Block);
                }

                _hotkeyOwners.TryAdd(n.Hotkey, n.Coldkey);
                break;
            case EpochTriggered t:
                _subnets[t.NetUid].LastEpochBlock = t.Block;
                break;
            case SubnetEmissionShareSet s:
                _subnets[s.NetUid].EmissionShare = (s.ShareNumerator, s.ShareDenominator, s.AlphaPrice);
                break;
            case BondsReset b:
                var bonded = _subnets[b.NetUid];
                bonded.TryGetUid(b.Hotkey, out var column);
                bonded.RemoveBondsColumn(column.Value);
                break;
            case DelegateTakeSet t:
                _takes[t.Hotkey] = t.Take;
                break;
            case SubnetRegistered s:
                _subnets.Add(s.NetUid, new SubnetState(s.NetUid, s.Block, s.Owner, s.OwnerHotkey, s.Hyperparameters));
                _hotkeyOwners.TryAdd(s.OwnerHotkey, s.Owner);
                break;
            case HyperparametersChanged h:
                _subnets[h.NetUid].Hyperparameters = h.Hyperparameters;
                break;
            case NetworkStarted n:
                Started = true;
                Parameters = n.Parameters;
                break;
            case var _ when Postings.EventTypes.Contains(e.GetType()):
                break; // its postings, above, are all it does
            default:
                throw new InvalidOperationException($"no evolution for {e.GetType().Name}");
        }
    }

    /// <summary>Moves alpha or TAO in the books and keeps the per-hotkey stake pools (the stake vector's index) in step
    /// with every posting that touches a stake account.</summary>
    private void Transfer(Posting posting)
    {
        Books.Post(posting);
        if (posting.From.Kind == AccountKind.Stake)
        {
            Debit(posting.From.Coldkey!.Value, posting.From.Hotkey!.Value, posting.From.Asset.Subnet!.Value, posting.Amount);
        }

        if (posting.To.Kind == AccountKind.Stake)
        {
            Credit(posting.To.Coldkey!.Value, posting.To.Hotkey!.Value, posting.To.Asset.Subnet!.Value, posting.Amount);
        }
    }

    private void Credit(Coldkey coldkey, Hotkey hotkey, NetUid netUid, Rao amount)
    {
        var key = new HotkeyOnSubnet(hotkey, netUid);
        if (!_stakes.TryGetValue(key, out var pool))
        {
            pool = new StakePool();
            _stakes.Add(key, pool);
        }

        pool.Total += amount;
        pool.ByColdkey[coldkey] = pool.ByColdkey.GetValueOrDefault(coldkey) + amount;
    }

    private void Debit(Coldkey coldkey, Hotkey hotkey, NetUid netUid, Rao amount)
    {
        if (amount == Rao.Zero)
        {
            return;
        }

        var pool = _stakes[new HotkeyOnSubnet(hotkey, netUid)];
        var left = pool.ByColdkey[coldkey] - amount;
        if (left == Rao.Zero)
        {
            pool.ByColdkey.Remove(coldkey);
        }
        else
        {
            pool.ByColdkey[coldkey] = left;
        }

        pool.Total -= amount;
    }

    private readonly record struct HotkeyOnSubnet(Hotkey Hotkey, NetUid NetUid);

    private sealed class StakePool
    {
        public Rao Total { get; set; }

        public Dictionary<Coldkey, Rao> ByColdkey { get; } = [];
    }
}
