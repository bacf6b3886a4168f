using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Chain.Tests.Replay;

/// <summary>A commit still pending when the epoch ran: a timelocked commit of <see cref="Uid"/> made in <see cref="CommitBlock"/>.</summary>
/// <param name="Epoch">The commit epoch, the key of <c>TimelockedWeightCommits</c>.</param>
internal sealed record TestCommit(ushort Uid, ulong CommitBlock, ulong Epoch, byte Mechanism = 0);

/// <summary>A childkey: <see cref="Parent"/> (an account index, a neuron's uid or beyond n) lends <see cref="Proportion"/>/u64::MAX of its stake to uid <see cref="Child"/>.</summary>
internal sealed record TestChild(int Parent, ushort Child, ulong Proportion);

/// <summary>
/// One subnet's epoch at block <see cref="Block"/>, described compactly and placed into a <see cref="TestChain"/> in the
/// chain's own storage layout: the inputs at B−1, the outputs at B and B's events. The outputs are computed by the
/// Consensus port on a <see cref="YumaInput"/> built here from the description (not from storage), under the rules of
/// spec 393 (the fixtures' metadata): ActivityCutoff as stored, bonds mask at B − tempo, the commit-reveal epochs
/// counted from the block; at spec 343 also Rank, Trust and PruningScores (from the trace, by the audit's
/// <c>LegacyTerms</c>). <see cref="Tamper"/> changes one written output, for tests that must find it.
/// </summary>
internal sealed class TestEpoch
{
    private const string Pallet = "SubtensorModule";
    private readonly List<(string Field, byte Mechanism, ushort Uid)> _tampered = [];

    public ushort Netuid { get; init; } = 52;

    /// <summary>The runtime of the chain: 393 or 343 (the fixtures' metadata); before 365 Rank, Trust and PruningScores are written too.</summary>
    public uint Spec { get; init; } = 393;

    public long Block { get; init; } = 8_000_000;

    /// <summary>Alpha stake (TotalHotkeyAlpha on the subnet) of each uid; its length is n.</summary>
    public required ulong[] Alpha { get; init; }

    /// <summary>Root stake (TotalHotkeyAlpha on netuid 0) of each uid; zeros when null.</summary>
    public ulong[]? Root { get; init; }

    /// <summary>Stake of accounts that are not neurons (parents), by account index: (alpha, root).</summary>
    public Dictionary<int, (ulong Alpha, ulong Root)> Others { get; init; } = [];

    public TestChild[] Children { get; init; } = [];

    /// <summary>Weights rows per mechanism: [mechanism][uid]; a missing uid has no row.</summary>
    public required (ushort Col, ushort Val)[][][] Weights { get; init; }

    /// <summary>Bonds rows per mechanism before the epoch; none when null.</summary>
    public (ushort Col, ushort Val)[][][]? Bonds { get; init; }

    /// <summary>LastUpdate per mechanism; every uid at B − 1 when null.</summary>
    public ulong[][]? LastUpdate { get; init; }

    /// <summary>BlockAtRegistration per uid; all 1 when null.</summary>
    public ulong[]? Registered { get; init; }

    /// <summary>ValidatorPermit before the epoch; all true when null.</summary>
    public bool[]? Permits { get; init; }

    public ushort Tempo { get; init; } = 360;
    public ushort ActivityCutoff { get; init; } = 5000;
    public ushort MaxAllowedValidators { get; init; } = 64;
    public ushort Kappa { get; init; } = 32_767;
    public ushort BondsPenalty { get; init; } = 65_535;
    public ulong BondsMovingAverage { get; init; } = 900_000;
    public bool Yuma3 { get; init; }
    public bool LiquidAlpha { get; init; }
    public (ushort Low, ushort High) AlphaValues { get; init; } = (45_875, 58_982);
    public short AlphaSigmoidSteepness { get; init; } = 1000;
    public ulong StakeThreshold { get; init; }
    public ulong TaoWeight { get; init; } = 971_718_665_099_567_868;
    public ushort[]? EmissionSplit { get; init; }

    /// <summary>LastMechansimStepBlock before the epoch (the previous epoch); B − tempo − 1 when null.</summary>
    public ulong? LastStep { get; init; }

    /// <summary>The uid whose hotkey is SubnetOwnerHotkey (none when null).</summary>
    public ushort? OwnerUid { get; init; }

    /// <summary>The owner uid the expected side gives the port (393 has only the self-weight exception; see the audit's rule set).</summary>
    public ushort? PortOwnerUid { get; init; }

    public bool CommitReveal { get; init; }
    public ulong RevealPeriodEpochs { get; init; } = 1;

    /// <summary>TimelockedWeightCommits entries at B (after B's reveals); those with commit block B are made by B's extrinsics.</summary>
    public TestCommit[] Commits { get; init; } = [];

    /// <summary>
    /// Legacy hash commits (<c>WeightCommits</c>) at B−1, each uid's queue in order: before 423 an entry is (hash,
    /// commit_block, first_reveal, last_reveal), from 423 (hash, commit_epoch, commit_block, reveal_block).
    /// </summary>
    public (ushort Uid, ulong CommitBlock, ulong Epoch)[] LegacyCommits { get; init; } = [];

    /// <summary>Rows revealed in B's initialization, before the epoch: (mechanism, uid, row written at B).</summary>
    public (byte Mechanism, ushort Uid, (ushort Col, ushort Val)[] Row)[] Revealed { get; init; } = [];

    /// <summary>
    /// Compute the expected side under spec 423's rules instead of 393's: the activity cutoff from
    /// <see cref="ActivityCutoffFactorMilli"/>, the bonds mask at <see cref="LastStep"/> + 1, commit epochs against
    /// <see cref="SubnetEpochIndex"/> + 1. The spec-393 storage cannot hold those items: a test adds them to the read epoch.
    /// </summary>
    public bool DynamicTempoRules { get; init; }
    public uint ActivityCutoffFactorMilli { get; init; } = 13_889;
    public ulong SubnetEpochIndex { get; init; }

    /// <summary>The alpha the epoch distributes (rao_emission).</summary>
    public ulong RaoEmission { get; init; } = 1_000_000_000_000;

    /// <summary>More events of B (after the epoch's), e.g. a registration.</summary>
    public JsonNode[] ExtraEvents { get; init; } = [];

    public int N => Alpha.Length;

    public int Mechanisms => Weights.Length;

    /// <summary>What the port computed; set by <see cref="Place"/>.</summary>
    public (YumaOutput Aggregate, YumaOutput[] PerMechanism) Expected { get; private set; }

    /// <summary>The inputs the expected side gave the port, one per mechanism.</summary>
    public IReadOnlyList<YumaInput> ExpectedInputs => [.. Enumerable.Range(0, Mechanisms).Select(m => Input((byte)m))];

    public static string Hotkey(int uid) => TestChain.Account(uid);

    public static ushort Index(ushort netuid, byte mechanism) => (ushort)((mechanism * 4096) + netuid);

    /// <summary>
    /// Changes one written output: a u16 field (Incentive, Bonds: per mechanism; Dividends, Consensus, ValidatorTrust,
    /// StakeWeight) by one, a bool (Active, ValidatorPermit) negated, a u64 (Emission, IncentiveAlphaEmittedToMiners) by one.
    /// </summary>
    public TestEpoch Tamper(string field, ushort uid, byte mechanism = 0)
    {
        _tampered.Add((field, mechanism, uid));
        return this;
    }

    /// <summary>A chain of blocks B−1 and B holding just this epoch.</summary>
    public TestChain Build()
    {
        var chain = Spec == 393 ? new TestChain(Block, history: 1) : new TestChain(Block, $"metadata-spec{Spec}-v15-at-version.hex", Spec, history: 1);
        Place(chain);
        return chain;
    }

    /// <summary>Writes the inputs at B−1 (and on), the outputs and events at B.</summary>
    public void Place(TestChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var inputs = Enumerable.Range(0, Mechanisms).Select(m => Input((byte)m) with { Trace = Spec < 365 }).ToList();
        Expected = YumaMechanisms.Run(inputs, RaoEmission, EmissionSplit);

        chain.At(Block - 1);
        WriteInputs(chain);
        WriteLegacyCommits(chain);
        chain.At(Block);
        foreach (var (mechanism, uid, row) in Revealed)
        {
            chain.Put(Pallet, "Weights", Pairs(row), Text(Index(Netuid, mechanism)), Text(uid));
        }

        WriteCommits(chain);
        WriteOutputs(chain);
    }

    private void WriteInputs(TestChain chain)
    {
        var net = Text(Netuid);
        chain.Put(Pallet, "SubnetworkN", N, net)
            .Put(Pallet, "Tempo", Tempo, net)
            .Put(Pallet, "ActivityCutoff", ActivityCutoff, net)
            .Put(Pallet, "MaxAllowedValidators", MaxAllowedValidators, net)
            .Put(Pallet, "Kappa", Kappa, net)
            .Put(Pallet, "BondsPenalty", BondsPenalty, net)
            .Put(Pallet, "BondsMovingAverage", BondsMovingAverage, net)
            .Put(Pallet, "Yuma3On", Yuma3, net)
            .Put(Pallet, "LiquidAlphaOn", LiquidAlpha, net)
            .Put(Pallet, "AlphaValues", new JsonArray(AlphaValues.Low, AlphaValues.High), net)
            .Put(Pallet, "AlphaSigmoidSteepness", AlphaSigmoidSteepness, net)
            .Put(Pallet, "CommitRevealWeightsEnabled", CommitReveal, net)
            .Put(Pallet, "RevealPeriodEpochs", RevealPeriodEpochs, net)
            .Put(Pallet, "MechanismCountCurrent", Mechanisms, net)
            .Put(Pallet, "StakeThreshold", StakeThreshold)
            .Put(Pallet, "TaoWeight", TaoWeight)
            .Put(Pallet, "LastMechansimStepBlock", LastStepBlock, net)
            .Put(Pallet, "ValidatorPermit", Bools(PermitsBefore), net);
        if (EmissionSplit is { } split)
        {
            chain.Put(Pallet, "MechanismEmissionSplit", new JsonArray([.. split.Select(s => (JsonNode)s)]), net);
        }

        if (OwnerUid is { } owner)
        {
            chain.Put(Pallet, "SubnetOwnerHotkey", Hotkey(owner), net);
        }

        for (var uid = 0; uid < N; uid++)
        {
            chain.Put(Pallet, "Keys", Hotkey(uid), net, Text(uid))
                .Put(Pallet, "Uids", uid, net, Hotkey(uid))
                .Put(Pallet, "BlockAtRegistration", RegisteredAt[uid], net, Text(uid));
        }

        foreach (var (account, alpha, root) in Accounts())
        {
            chain.Put(Pallet, "TotalHotkeyAlpha", alpha, Hotkey(account), net)
                .Put(Pallet, "TotalHotkeyAlpha", root, Hotkey(account), "0");
        }

        foreach (var child in Children.GroupBy(c => c.Parent))
        {
            chain.Put(Pallet, "ChildKeys", new JsonArray([.. child.Select(c => (JsonNode)new JsonArray(c.Proportion, Hotkey(c.Child)))]), Hotkey(child.Key), net);
        }

        foreach (var parent in Children.GroupBy(c => c.Child))
        {
            chain.Put(Pallet, "ParentKeys", new JsonArray([.. parent.Select(c => (JsonNode)new JsonArray(c.Proportion, Hotkey(c.Parent)))]), Hotkey(parent.Key), net);
        }

        for (byte m = 0; m < Mechanisms; m++)
        {
            var index = Text(Index(Netuid, m));
            chain.Put(Pallet, "LastUpdate", new JsonArray([.. LastUpdateOf(m).Select(u => (JsonNode)u)]), index);
            for (var uid = 0; uid < N; uid++)
            {
                if (uid < Weights[m].Length)
                {
                    chain.Put(Pallet, "Weights", Pairs(Weights[m][uid]), index, Text(uid));
                }

                if (Bonds is { } bonds && uid < bonds[m].Length)
                {
                    chain.Put(Pallet, "Bonds", Pairs(bonds[m][uid]), index, Text(uid));
                }
            }
        }
    }

    private void WriteLegacyCommits(TestChain chain)
    {
        foreach (var queue in LegacyCommits.GroupBy(c => c.Uid))
        {
            var entries = queue.Select(c => (JsonNode)(DynamicTempoRules
                ? new JsonArray("0x" + new string('1', 64), c.Epoch, c.CommitBlock, c.CommitBlock + Tempo)
                : new JsonArray("0x" + new string('1', 64), c.CommitBlock, c.CommitBlock + Tempo, c.CommitBlock + (2UL * Tempo)))).ToArray();
            chain.Put(Pallet, "WeightCommits", new JsonArray(entries), Text(Index(Netuid, 0)), Hotkey(queue.Key));
        }
    }

    private void WriteCommits(TestChain chain)
    {
        foreach (var bucket in Commits.GroupBy(c => (c.Mechanism, c.Epoch)))
        {
            var entries = bucket.Select(c => (JsonNode)new JsonArray(Hotkey(c.Uid), c.CommitBlock, "0x00", 1)).ToArray();
            chain.Put(Pallet, "TimelockedWeightCommits", new JsonArray(entries), Text(Index(Netuid, bucket.Key.Mechanism)), Text(bucket.Key.Epoch));
        }
    }

    private void WriteOutputs(TestChain chain)
    {
        var net = Text(Netuid);
        var (agg, per) = Expected;
        chain.Put(Pallet, "Active", Bools(Tampered("Active", 0, agg.Active)), net)
            .Put(Pallet, "ValidatorPermit", Bools(Tampered("ValidatorPermit", 0, agg.NewValidatorPermit)), net)
            .Put(Pallet, "Emission", U64s(Tampered("Emission", 0, agg.Emission)), net)
            .Put(Pallet, "Consensus", U16s(Tampered("Consensus", 0, agg.Consensus)), net)
            .Put(Pallet, "Dividends", U16s(Tampered("Dividends", 0, agg.Dividends)), net)
            .Put(Pallet, "ValidatorTrust", U16s(Tampered("ValidatorTrust", 0, agg.ValidatorTrust)), net)
            .Put(Pallet, "StakeWeight", U16s(Tampered("StakeWeight", 0, agg.StakeWeight)), net)
            .Put(Pallet, "LastMechansimStepBlock", Block, net);
        if (Spec < 365)
        {
            var (rank, trust, pruning) = Bittensor.Ledger.Chain.Audit.LegacyTerms.Aggregate(per, RaoEmission, EmissionSplit);
            chain.Put(Pallet, "Rank", U16s(Tampered("Rank", 0, rank)), net)
                .Put(Pallet, "Trust", U16s(Tampered("Trust", 0, trust)), net)
                .Put(Pallet, "PruningScores", U16s(Tampered("PruningScores", 0, pruning)), net);
        }

        var events = new List<JsonNode>();
        foreach (var (mechanism, uid, _) in Revealed)
        {
            events.Add(Event("Initialization", "WeightsSet", new JsonArray(Index(Netuid, mechanism), uid)));
            events.Add(Event("Initialization", "TimelockedWeightsRevealed", new JsonArray(Index(Netuid, mechanism), Hotkey(uid))));
        }

        for (byte m = 0; m < Mechanisms; m++)
        {
            var index = Text(Index(Netuid, m));
            chain.Put(Pallet, "Incentive", U16s(Tampered("Incentive", m, per[m].Incentive)), index);
            var bonds = per[m].Bonds.Select(r => ((ushort Col, ushort Val)[])r.Clone()).ToArray();
            foreach (var (_, _, uid) in _tampered.Where(t => t.Field == "Bonds" && t.Mechanism == m))
            {
                bonds[uid] = bonds[uid].Length == 0 ? [(0, 1)] : [(bonds[uid][0].Col, unchecked((ushort)(bonds[uid][0].Val + 1))), .. bonds[uid][1..]];
            }

            for (var uid = 0; uid < N; uid++)
            {
                chain.Put(Pallet, "Bonds", Pairs(bonds[uid]), index, Text(uid));
            }

            var emissions = Tampered("IncentiveAlphaEmittedToMiners", m, per[m].ServerEmission);
            events.Add(Event("Initialization", "IncentiveAlphaEmittedToMiners",
                new JsonObject { ["netuid"] = Index(Netuid, m), ["emissions"] = U64s(emissions) }));
        }

        chain.Events([.. events, .. ExtraEvents]);
    }

    /// <summary>The epoch's input for one mechanism, built from the description under spec 393's rules.</summary>
    private YumaInput Input(byte mechanism)
    {
        var alpha = new ulong[N];
        var tao = new ulong[N];
        var stakes = Accounts().ToDictionary(a => a.Account, a => (a.Alpha, a.Root));
        for (var uid = 0; uid < N; uid++)
        {
            var children = Children.Where(c => c.Parent == uid).Select(c => c.Proportion).ToList();
            var parents = Children.Where(c => c.Child == uid).ToList();
            alpha[uid] = StakeInheritance.Inherited(stakes[uid].Alpha, children, [.. parents.Select(p => (p.Proportion, stakes[p.Parent].Alpha))]);
            tao[uid] = StakeInheritance.Inherited(stakes[uid].Root, children, [.. parents.Select(p => (p.Proportion, stakes[p.Parent].Root))]);
        }

        var weights = Enumerable.Range(0, N).Select(uid => uid < Weights[mechanism].Length ? Weights[mechanism][uid] : []).ToArray();
        foreach (var (m, uid, row) in Revealed.Where(r => r.Mechanism == mechanism))
        {
            weights[uid] = row;
        }

        return new YumaInput
        {
            CurrentBlock = (ulong)Block,
            N = N,
            StakeAlphaRao = alpha,
            StakeTaoRao = tao,
            TaoWeight = StakeWeights.TaoWeight(TaoWeight),
            BlockAtRegistration = RegisteredAt,
            LastUpdate = LastUpdateOf(mechanism),
            ValidatorPermit = PermitsBefore,
            Weights = weights,
            Bonds = [.. Enumerable.Range(0, N).Select(uid => Bonds is { } b && uid < b[mechanism].Length ? b[mechanism][uid] : [])],
            CommitBlocks = CommitReveal ? CommitBlocks(mechanism) : null,
            Hyperparameters = new YumaHyperparameters
            {
                Tempo = Tempo,
                ActivityCutoff = DynamicTempoRules ? Math.Max(1UL, ActivityCutoffFactorMilli * (ulong)Tempo / 1000) : ActivityCutoff,
                StakeThreshold = StakeThreshold,
                OwnerUid = PortOwnerUid,
                MaxAllowedValidators = MaxAllowedValidators,
                Kappa = Kappa,
                BondsPenalty = BondsPenalty,
                Yuma3 = Yuma3,
                LiquidAlpha = LiquidAlpha,
                AlphaLow = AlphaValues.Low,
                AlphaHigh = AlphaValues.High,
                AlphaSigmoidSteepness = AlphaSigmoidSteepness,
                BondsMovingAverage = BondsMovingAverage,
                LastMechanismStepBlock = DynamicTempoRules ? LastStepBlock : 0, // before 423 the bonds mask is at B − tempo
            },
        };
    }

    /// <summary>
    /// Per uid the earliest commit made before B that has not expired: spec 393 counts epochs as (block + netuid + 1) /
    /// (tempo + 1) of the commit block; spec 423 compares the commit epoch with SubnetEpochIndex + 1.
    /// </summary>
    private ulong[] CommitBlocks(byte mechanism)
    {
        ulong EpochOf(ulong block) => (block + Netuid + 1UL) / (Tempo + 1UL);
        var blocks = Enumerable.Repeat(ulong.MaxValue, N).ToArray();
        foreach (var c in Commits.Where(c => c.Mechanism == mechanism && c.CommitBlock != (ulong)Block))
        {
            var expired = DynamicTempoRules
                ? SubnetEpochIndex + 1 > c.Epoch + RevealPeriodEpochs
                : EpochOf((ulong)Block) > EpochOf(c.CommitBlock) + RevealPeriodEpochs;
            if (!expired)
            {
                blocks[c.Uid] = Math.Min(blocks[c.Uid], c.CommitBlock);
            }
        }

        // A legacy queue counts its first entry that has not expired.
        foreach (var queue in LegacyCommits.Where(_ => mechanism == 0).GroupBy(c => c.Uid))
        {
            foreach (var c in queue)
            {
                var expired = DynamicTempoRules
                    ? SubnetEpochIndex + 1 > c.Epoch + RevealPeriodEpochs
                    : EpochOf((ulong)Block) > EpochOf(c.CommitBlock) + RevealPeriodEpochs;
                if (!expired)
                {
                    blocks[c.Uid] = Math.Min(blocks[c.Uid], c.CommitBlock);
                    break;
                }
            }
        }

        return blocks;
    }

    private IEnumerable<(int Account, ulong Alpha, ulong Root)> Accounts() =>
        Enumerable.Range(0, N).Select(uid => (uid, Alpha[uid], Root?[uid] ?? 0UL))
            .Concat(Others.Select(o => (o.Key, o.Value.Alpha, o.Value.Root)));

    private ulong LastStepBlock => LastStep ?? (ulong)(Block - Tempo - 1);

    private ulong[] RegisteredAt => Registered ?? [.. Enumerable.Repeat(1UL, N)];

    private bool[] PermitsBefore => Permits ?? [.. Enumerable.Repeat(true, N)];

    private ulong[] LastUpdateOf(byte mechanism) => LastUpdate?[mechanism] ?? [.. Enumerable.Repeat((ulong)(Block - 1), N)];

    private T[] Tampered<T>(string field, byte mechanism, T[] values)
    {
        var copy = (T[])values.Clone();
        foreach (var (_, _, uid) in _tampered.Where(t => t.Field == field && t.Mechanism == mechanism))
        {
            copy[uid] = copy[uid] switch
            {
                bool b => (T)(object)!b,
                ushort u => (T)(object)unchecked((ushort)(u + 1)),
                ulong u => (T)(object)unchecked(u + 1),
                _ => throw new ArgumentException($"cannot tamper {field}"),
            };
        }

        return copy;
    }

    private static JsonObject Event(JsonNode phase, string name, JsonNode fields) => new()
    {
        ["phase"] = phase,
        ["event"] = new JsonObject { [Pallet] = new JsonObject { [name] = fields } },
    };

    private static JsonArray Pairs((ushort Col, ushort Val)[] row) => new([.. row.Select(p => (JsonNode)new JsonArray(p.Col, p.Val))]);

    private static JsonArray Bools(bool[] values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonArray U16s(ushort[] values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonArray U64s(ulong[] values) => new([.. values.Select(v => (JsonNode)v)]);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
