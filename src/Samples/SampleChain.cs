using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Consensus.Emission;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Network;
using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Domain.Stake;
using Bittensor.Ledger.Domain.Subnets;
using Bittensor.Ledger.Domain.Weights;

namespace Bittensor.Ledger.Samples;

/// <summary>What to generate. The defaults produce the committed <c>samples/sample-chain.ndjson</c>.</summary>
public sealed record SampleOptions
{
    public int Seed { get; init; } = 42;

    public int Blocks { get; init; } = 3_000;

    public int Subnets { get; init; } = 3;

    /// <summary>Tempo of every subnet; null: <see cref="TempoBase"/> + <see cref="TempoStep"/> × (subnet index, modulo
    /// <see cref="TempoCycle"/> if set), i.e. 99, 119, 139, … by default.</summary>
    public ushort? Tempo { get; init; }

    public ushort TempoBase { get; init; } = 99;

    public ushort TempoStep { get; init; } = 20;

    /// <summary>Null: the tempo keeps growing with the subnet index; otherwise it repeats every this many subnets.</summary>
    public int? TempoCycle { get; init; }

    /// <summary>WeightsSetRateLimit of every subnet at registration.</summary>
    public ushort WeightsSetRateLimit { get; init; } = 50;

    /// <summary>Chance per block that a validator past its rate limit sets a weight row (mean interval ≈ limit + 1/chance).</summary>
    public double WeightsChance { get; init; } = 1.0 / 30;

    /// <summary>Null: liquid alpha on the third subnet only; otherwise on every subnet whose index modulo this is 2.</summary>
    public int? LiquidAlphaEvery { get; init; }

    /// <summary>Null: one mechanism on every subnet; otherwise two on every subnet whose index modulo this is 3, where
    /// validators set a weight row per mechanism, each on its own rate limit.</summary>
    public int? TwoMechanismsEvery { get; init; }

    /// <summary>Stake moves and removals per block drawn from every stake position of the network (a heavy-tailed share
    /// of the position: most about 2%, one in fifty all of it). 0: none beyond each subnet's own flows.</summary>
    public int StakeMovesPerBlock { get; init; }

    /// <summary>
    /// A day of mainnet's shape: 128 subnets × 256 uids (64 validators), 7,200 blocks, tempos 330..370 (≈ 20 epochs a
    /// day), Yuma3 on even subnets, liquid alpha on every eighth, two mechanisms on every sixteenth, weight rows every
    /// ≈ 100–360 blocks, and three heavy-tailed stake moves or removals a block across the network.
    /// </summary>
    public static SampleOptions MainnetDay(int seed = 42, int subnets = 128, int blocks = 7_200) => new()
    {
        Seed = seed,
        Subnets = subnets,
        Blocks = blocks,
        Neurons = 256,
        Validators = 64,
        TempoBase = 330,
        TempoStep = 10,
        TempoCycle = 5,
        WeightsSetRateLimit = 100,
        WeightsChance = 1.0 / 130,
        LiquidAlphaEvery = 8,
        TwoMechanismsEvery = 16,
        StakeMovesPerBlock = 3,
    };

    /// <summary>MaxBurn of every subnet (rao); null: the default 100 TAO. The burn price starts at min(1 TAO, this).</summary>
    public ulong? MaxBurn { get; init; }

    /// <summary>MaxAllowedUids of every subnet; null: 64, 96, 128, 64, … by subnet.</summary>
    public ushort? Neurons { get; init; }

    /// <summary>MaxAllowedValidators of every subnet (how many of the top stake holders set weights).</summary>
    public ushort Validators { get; init; } = 16;

    /// <summary>Yuma3 on every subnet; null: on for even subnet indexes.</summary>
    public bool? Yuma3 { get; init; }

    /// <summary>Liquid alpha on every subnet; null: on for the third subnet only.</summary>
    public bool? LiquidAlpha { get; init; }

    /// <summary>
    /// Null (a chain export): the generator writes an <see cref="EpochTriggered"/> when a subnet's epoch is due
    /// (dynamic tempo) and computes that epoch in its own engine, exactly as the import will, so that pruning reads the
    /// same emissions. Otherwise (a simulation) no epoch facts are written: before each block's facts the driver runs the
    /// epochs this schedule makes due, on <see cref="Engine"/>.
    /// </summary>
    public EpochSchedule? Schedule { get; init; }

    /// <summary>TAO issued at genesis; the first halving comes at 10.5M TAO.</summary>
    public Rao GenesisIssuance { get; init; } = Rao.FromTao(7_500_000);

    /// <summary>The engine the generator applies its facts to; pass the one the epochs run on when driving a simulation.</summary>
    public LedgerEngine? Engine { get; init; }
}

/// <summary>
/// A deterministic, seeded, realistic chain for demos, tests and benchmarks: genesis, a few subnets with owners,
/// neurons registering until subnets fill and then replacing pruned uids (<see cref="LedgerState.ChooseRegistrationUid"/>),
/// registration burns recycled, validators (top stake holders) setting noisy weights around a hidden miner quality on a
/// rate limit (some copying the top validator), heavy-tailed stake flows, delegate takes, alpha burns and recycles,
/// emission shares and epochs on each subnet's tempo. Every event is applied to a <see cref="LedgerEngine"/> as it is
/// generated, so the output passes the ledger's rules by construction (a bug here throws), and registrations pay the
/// exact burn price (spec §4.7) and replace the uid the recorded emissions make pruning pick.
/// Only integer arithmetic and IEEE +,−,×,÷ on doubles are used, so the bytes are the same on every platform.
/// </summary>
public static class SampleChain
{
    private const ulong Tao = Rao.RaoPerTao;

    public const int MaxSubnets = 128;

    public static IEnumerable<ILedgerEvent> Generate(SampleOptions options) => GenerateBlocks(options).SelectMany(b => b);

    /// <summary>The facts block by block: first the genesis block's, then one list per block 1..Blocks (possibly empty).
    /// Each block is generated when it is enumerated, so a driver can run that block's epochs first.</summary>
    public static IEnumerable<IReadOnlyList<ILedgerEvent>> GenerateBlocks(SampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Subnets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Subnets, MaxSubnets);
        return new Generator(options).Run();
    }

    private sealed class SubnetPlan
    {
        public required NetUid NetUid { get; init; }
        public required ulong StartBlock { get; init; }
        public required Coldkey Owner { get; init; }
        public required Hotkey OwnerHotkey { get; init; }
        public required SubnetHyperparameters Hyperparameters { get; set; }
        public bool Registered { get; set; }
        public ulong LastEpochBlock { get; set; }
        public ulong Burn { get; set; }
        public List<ushort> Validators { get; } = [];
        public (ushort[] Uids, ushort[] Values)? LeaderWeights { get; set; }
    }

    private sealed class Generator(SampleOptions options)
    {
        private readonly Random _rng = new(options.Seed);
        private readonly LedgerEngine _engine = options.Engine ?? new LedgerEngine();
        private readonly List<ILedgerEvent> _block = [];
        private readonly List<SubnetPlan> _subnets = [];
        private readonly List<Coldkey> _coldkeys = [];
        private readonly List<Hotkey> _hotkeys = [];
        private readonly Dictionary<Hotkey, double> _quality = [];
        private readonly HashSet<Hotkey> _copiers = [];
        private readonly List<(Coldkey Coldkey, Hotkey Hotkey, NetUid NetUid)> _positions = [];

        private LedgerState State => _engine.State;

        public IEnumerable<IReadOnlyList<ILedgerEvent>> Run()
        {
            Emit(new NetworkStarted(new Block(0), options.GenesisIssuance, new NetworkParameters()));
            for (var i = 0; i < options.Subnets; i++)
            {
                _subnets.Add(PlanSubnet(i));
            }

            yield return Flush();
            for (ulong block = 1; block <= (ulong)options.Blocks; block++)
            {
                Step(block);
                yield return Flush();
            }
        }

        private List<ILedgerEvent> Flush()
        {
            var events = new List<ILedgerEvent>(_block);
            _block.Clear();
            return events;
        }

        private void Emit(ILedgerEvent e)
        {
            if (!_engine.TryApplyFact(e, out var violation, out _))
            {
                throw new InvalidOperationException($"the sample generator made an event the ledger rejects: {e.GetType().Name} at block {e.Block}: {violation}");
            }

            _block.Add(e);
        }

        private SubnetPlan PlanSubnet(int i)
        {
            var netuid = new NetUid((ushort)(i + 1));
            var hp = new SubnetHyperparameters
            {
                Tempo = options.Tempo ?? (ushort)(options.TempoBase + (options.TempoStep * (options.TempoCycle is { } cycle ? i % cycle : i))),
                MaxAllowedUids = options.Neurons ?? (ushort)(64 + (32 * (i % 3))),
                MaxAllowedValidators = options.Validators,
                ImmunityPeriod = 300,
                MinNonImmuneUids = 10,
                WeightsSetRateLimit = options.WeightsSetRateLimit,
                Yuma3 = options.Yuma3 ?? i % 2 == 0,
                LiquidAlpha = options.LiquidAlpha ?? (options.LiquidAlphaEvery is { } every ? i % every == 2 : i == 2),
                MechanismCount = options.TwoMechanismsEvery is { } two && i % two == 3 ? (ushort)2 : (ushort)1,
            };
            if (options.MaxBurn is { } maxBurn)
            {
                hp = hp with { MaxBurn = maxBurn, MinBurn = Math.Min(hp.MinBurn, maxBurn), Burn = Math.Min(hp.Burn, maxBurn) };
            }

            return new SubnetPlan
            {
                NetUid = netuid,
                StartBlock = 1 + ((ulong)i * 7),
                Owner = NewColdkey(),
                OwnerHotkey = NewHotkey(),
                Hyperparameters = hp,
                Burn = hp.Burn,
            };
        }

        private void Step(ulong blockNumber)
        {
            var block = new Block(blockNumber);
            foreach (var subnet in _subnets)
            {
                if (!subnet.Registered)
                {
                    if (blockNumber >= subnet.StartBlock)
                    {
                        RegisterSubnet(subnet, block);
                    }

                    continue;
                }

                var hp = subnet.Hyperparameters;
                subnet.Burn = BurnPrice.DecayForBlock(subnet.Burn, hp.BurnHalfLife, blockNumber, hp.MinBurn, hp.MaxBurn);
                StepSubnet(subnet, block);
            }

            for (var i = 0; i < options.StakeMovesPerBlock; i++)
            {
                NetworkStakeMove(block);
            }

            if (blockNumber % 360 == 0)
            {
                SetShares(block);
            }

            if (_rng.NextDouble() < 0.004 && _coldkeys.Count > 0)
            {
                Emit(new TaoBurned(block, Pick(_coldkeys), new Rao((ulong)(1 + _rng.Next(1_000)) * (Tao / 1_000))));
            }
        }

        private void RegisterSubnet(SubnetPlan subnet, Block block)
        {
            Emit(new SubnetRegistered(block, subnet.NetUid, subnet.Owner, subnet.OwnerHotkey, Rao.FromTao(1_000), subnet.Hyperparameters));
            // The owner's hotkey takes uid 0 for free in the same block (subtensor appends it at subnet registration).
            Emit(new NeuronRegistered(block, subnet.NetUid, new Uid(0), subnet.OwnerHotkey, subnet.Owner, Rao.Zero, null));
            AddStake(subnet.Owner, subnet.OwnerHotkey, subnet.NetUid, block, 5_000 * Tao);
            subnet.Registered = true;
            subnet.LastEpochBlock = block.Value - (ulong)(subnet.NetUid.Value % subnet.Hyperparameters.Tempo);
            Emit(new SubnetEmissionShareSet(block, subnet.NetUid, 1, (ulong)options.Subnets, new Rao(Tao / 20)));
        }

        private void StepSubnet(SubnetPlan subnet, Block block)
        {
            var state = State.Subnet(subnet.NetUid)!;
            var registerChance = state.IsFull ? 0.04 : 0.3;
            if (_rng.NextDouble() < registerChance)
            {
                RegisterNeuron(subnet, block);
            }

            if (subnet.Validators.Count == 0 || block.Value % 100 == 0)
            {
                ChooseValidators(subnet, block);
            }

            foreach (var validator in subnet.Validators)
            {
                var uid = new Uid(validator);
                for (ushort mechanism = 0; mechanism < state.Hyperparameters.MechanismCount; mechanism++)
                {
                    var last = state.LastUpdate(mechanism, uid).Value;
                    if ((last == 0 || block.Value - last >= state.Hyperparameters.WeightsSetRateLimit) && _rng.NextDouble() < options.WeightsChance)
                    {
                        SetWeights(subnet, state, uid, block, mechanism);
                    }
                }
            }

            StakeFlows(subnet, block);

            if (block.Value == 1_500 && subnet.NetUid.Value == 1)
            {
                subnet.Hyperparameters = subnet.Hyperparameters with { Kappa = 39_321, WeightsSetRateLimit = 40 };
                Emit(new HyperparametersChanged(block, subnet.NetUid, subnet.Hyperparameters));
            }

            if (block.Value == 2_000 && subnet.NetUid.Value == 2)
            {
                subnet.Hyperparameters = subnet.Hyperparameters with { MaxAllowedUids = (ushort)(subnet.Hyperparameters.MaxAllowedUids + 16) };
                Emit(new HyperparametersChanged(block, subnet.NetUid, subnet.Hyperparameters));
            }

            if (_rng.NextDouble() < 0.0005 && state.N > 1)
            {
                Emit(new BondsReset(block, subnet.NetUid, state.HotkeyAt(new Uid((ushort)(1 + _rng.Next(state.N - 1))))));
            }

            if (options.Schedule is null && block.Value - subnet.LastEpochBlock >= subnet.Hyperparameters.Tempo)
            {
                // The chain's epoch runs here; its emissions decide later prunings, so the engine computes it as the import will.
                Emit(new EpochTriggered(block, subnet.NetUid));
                subnet.LastEpochBlock = block.Value;

                ChooseValidators(subnet, block);
            }
        }

        private void RegisterNeuron(SubnetPlan subnet, Block block)
        {
            var state = State.Subnet(subnet.NetUid)!;
            Hotkey hotkey;
            Coldkey coldkey;
            var roll = _rng.NextDouble();
            Hotkey? reuse = null;
            if (roll < 0.1 && _hotkeys.Count > 0)
            {
                var candidate = Pick(_hotkeys);
                if (!state.IsRegistered(candidate) && State.OwnerOf(candidate) is not null)
                {
                    reuse = candidate;
                }
            }

            if (reuse is { } existing)
            {
                // A hotkey already active elsewhere joins this subnet too, under its owning coldkey.
                hotkey = existing;
                coldkey = State.OwnerOf(existing)!.Value;
            }
            else
            {
                hotkey = NewHotkey();
                coldkey = roll < 0.4 && _coldkeys.Count > 0 ? Pick(_coldkeys) : NewColdkey();
                _quality[hotkey] = _rng.NextDouble();
                if (_rng.NextDouble() < 0.15)
                {
                    _copiers.Add(hotkey);
                }
            }

            var (uid, pruned) = State.ChooseRegistrationUid(subnet.NetUid, block);
            var burn = new Rao(subnet.Burn);
            Emit(new NeuronRegistered(block, subnet.NetUid, uid, hotkey, coldkey, burn, pruned));
            Emit(new TaoRecycled(block, coldkey, burn));
            var hp = subnet.Hyperparameters;
            var mult = U64F64.FromNum(hp.BurnIncreaseMultMillionths).SafeDiv(U64F64.FromNum(1_000_000));
            subnet.Burn = BurnPrice.AfterRegistration(subnet.Burn, mult, hp.MinBurn, hp.MaxBurn);
            subnet.Validators.Remove(uid.Value);

            if (_rng.NextDouble() < 0.5)
            {
                AddStake(coldkey, hotkey, subnet.NetUid, block, HeavyTail(50 * Tao));
            }
        }

        private void ChooseValidators(SubnetPlan subnet, Block block)
        {
            var state = State.Subnet(subnet.NetUid)!;
            var ranked = new List<(ulong Stake, ushort Uid)>(state.N);
            for (var i = 0; i < state.N; i++)
            {
                var uid = new Uid((ushort)i);
                ranked.Add((State.TotalStake(state.HotkeyAt(uid), subnet.NetUid).Value, (ushort)i));
            }

            // Highest stake first; ties to the higher uid (the chain's stable ascending top-k keeps the later uid).
            ranked.Sort((a, b) => a.Stake != b.Stake ? b.Stake.CompareTo(a.Stake) : b.Uid.CompareTo(a.Uid));
            var previous = new HashSet<ushort>(subnet.Validators);
            subnet.Validators.Clear();
            for (var i = 0; i < ranked.Count && i < state.Hyperparameters.MaxAllowedValidators; i++)
            {
                if (ranked[i].Stake == 0)
                {
                    break;
                }

                var uid = ranked[i].Uid;
                subnet.Validators.Add(uid);
                if (!previous.Contains(uid) && _rng.NextDouble() < 0.3)
                {
                    Emit(new DelegateTakeSet(block, state.HotkeyAt(new Uid(uid)), (ushort)_rng.Next(0, 11_797)));
                }
            }
        }

        private void SetWeights(SubnetPlan subnet, SubnetState state, Uid uid, Block block, ushort mechanism)
        {
            var hotkey = state.HotkeyAt(uid);
            ushort[] uids;
            ushort[] values;
            if (mechanism == 0 && _copiers.Contains(hotkey) && subnet.LeaderWeights is { } leader)
            {
                // A weight copier resubmits the leading validator's last weights as they are.
                (uids, values) = (leader.Uids, leader.Values);
            }
            else
            {
                var raw = new double[state.N];
                var max = 0.0;
                for (var j = 0; j < state.N; j++)
                {
                    if (j == uid.Value || subnet.Validators.Contains((ushort)j))
                    {
                        continue;
                    }

                    // A second mechanism is a second task: the miners' quality at it is the mirror image of the first.
                    var quality = _quality.GetValueOrDefault(state.HotkeyAt(new Uid((ushort)j)), 0.5);
                    quality = mechanism == 0 ? quality : 1 - quality;
                    var noise = (_rng.NextDouble() + _rng.NextDouble() + _rng.NextDouble() - 1.5) * 0.2;
                    raw[j] = Math.Max(0, quality + noise);
                    max = Math.Max(max, raw[j]);
                }

                var u = new List<ushort>();
                var v = new List<ushort>();
                for (var j = 0; j < raw.Length; j++)
                {
                    if (raw[j] > 0)
                    {
                        u.Add((ushort)j);
                        v.Add((ushort)Math.Round(raw[j] / max * 65_535, MidpointRounding.AwayFromZero));
                    }
                }

                if (u.Count == 0)
                {
                    u.Add(uid.Value);
                    v.Add(65_535);
                }

                (uids, values) = ([.. u], [.. v]);
                if (mechanism == 0 && subnet.Validators.Count > 0 && subnet.Validators[0] == uid.Value)
                {
                    subnet.LeaderWeights = (uids, values);
                }
            }

            Emit(new WeightsSet(block, subnet.NetUid, mechanism, hotkey, uid, uids, values, 1));
        }

        private void StakeFlows(SubnetPlan subnet, Block block)
        {
            var state = State.Subnet(subnet.NetUid)!;
            var roll = _rng.NextDouble();
            if (roll < 0.25)
            {
                // A nominator (often a new coldkey) stakes on a registered hotkey, weighted to the top of the subnet.
                var target = subnet.Validators.Count > 0 && _rng.NextDouble() < 0.7
                    ? state.HotkeyAt(new Uid(Pick(subnet.Validators)))
                    : state.HotkeyAt(new Uid((ushort)_rng.Next(state.N)));
                var coldkey = _rng.NextDouble() < 0.5 || _coldkeys.Count == 0 ? NewColdkey() : Pick(_coldkeys);
                AddStake(coldkey, target, subnet.NetUid, block, HeavyTail(5 * Tao));
                return;
            }

            if (roll > 0.33 || _positions.Count == 0)
            {
                return;
            }

            var (cold, hot, net) = _positions[_rng.Next(_positions.Count)];
            var staked = State.Stake(cold, hot, net).Value;
            if (staked == 0 || net != subnet.NetUid)
            {
                return;
            }

            var part = Math.Max(1UL, (ulong)(staked * _rng.NextDouble()));
            if (roll < 0.29)
            {
                Emit(new StakeRemoved(block, cold, hot, net, new Rao(part), new Rao(part / 20)));
            }
            else if (roll < 0.32)
            {
                var to = state.HotkeyAt(new Uid((ushort)_rng.Next(state.N)));
                if (to != hot)
                {
                    Emit(new StakeMoved(block, cold, hot, to, net, new Rao(part)));
                    _positions.Add((cold, to, net));
                }
            }
            else if (roll < 0.325)
            {
                Emit(new AlphaBurned(block, cold, hot, net, new Rao(Math.Max(1, part / 100))));
            }
            else
            {
                Emit(new AlphaRecycled(block, cold, hot, net, new Rao(Math.Max(1, part / 100))));
            }
        }

        /// <summary>A stake position anywhere on the network moves to another hotkey of its subnet (mostly to a
        /// validator) or is unstaked: a Pareto share of it (scale 2%, capped at all of it).</summary>
        private void NetworkStakeMove(Block block)
        {
            if (_positions.Count == 0)
            {
                return;
            }

            var (cold, hot, net) = _positions[_rng.Next(_positions.Count)];
            var staked = State.Stake(cold, hot, net).Value;
            var share = Math.Min(1.0, 0.02 / (0.001 + (_rng.NextDouble() * 0.999)));
            var roll = _rng.NextDouble();
            if (staked == 0)
            {
                return;
            }

            var part = Math.Max(1UL, Math.Min(staked, (ulong)(staked * share)));
            if (roll < 0.4)
            {
                Emit(new StakeRemoved(block, cold, hot, net, new Rao(part), new Rao(part / 20)));
                return;
            }

            var state = State.Subnet(net)!;
            var plan = _subnets[net.Value - 1];
            var to = plan.Validators.Count > 0 && _rng.NextDouble() < 0.7
                ? state.HotkeyAt(new Uid(Pick(plan.Validators)))
                : state.HotkeyAt(new Uid((ushort)_rng.Next(state.N)));
            if (to != hot)
            {
                Emit(new StakeMoved(block, cold, hot, to, net, new Rao(part)));
                _positions.Add((cold, to, net));
            }
        }

        private void SetShares(Block block)
        {
            var weights = new ulong[_subnets.Count];
            ulong total = 0;
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = (ulong)(1 + _rng.Next(1_000));
                total += weights[i];
            }

            for (var i = 0; i < weights.Length; i++)
            {
                if (_subnets[i].Registered)
                {
                    var price = new Rao((ulong)(Tao / 100 * (1 + (_rng.NextDouble() * 9))));
                    Emit(new SubnetEmissionShareSet(block, _subnets[i].NetUid, weights[i], total, price));
                }
            }
        }

        private void AddStake(Coldkey coldkey, Hotkey hotkey, NetUid netUid, Block block, ulong alpha)
        {
            Emit(new StakeAdded(block, coldkey, hotkey, netUid, new Rao(alpha), new Rao(alpha / 20)));
            _positions.Add((coldkey, hotkey, netUid));
        }

        /// <summary>Pareto with shape 1 (scale × 1/U, U uniform in [0.001, 1)): most amounts near the scale, a few 1000×.</summary>
        private ulong HeavyTail(ulong scale) => (ulong)(scale / (0.001 + (_rng.NextDouble() * 0.999)));

        private T Pick<T>(List<T> items) => items[_rng.Next(items.Count)];

        private Coldkey NewColdkey()
        {
            var key = new byte[32];
            _rng.NextBytes(key);
            var coldkey = Coldkey.FromPublicKey(key);
            _coldkeys.Add(coldkey);
            return coldkey;
        }

        private Hotkey NewHotkey()
        {
            var key = new byte[32];
            _rng.NextBytes(key);
            var hotkey = Hotkey.FromPublicKey(key);
            _hotkeys.Add(hotkey);
            return hotkey;
        }
    }
}
