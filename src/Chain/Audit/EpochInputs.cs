using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Chain.Audit;

/// <summary>
/// The port's inputs for an observed epoch, one <see cref="YumaInput"/> per mechanism, rebuilt from the state at B−1
/// with the corrections of chain-adapter.md §1.1 under an <see cref="EpochRules"/>: revealed rows replace input rows,
/// the commit-reveal mask comes from the commits pending at the epoch, the stake is inherited through childkeys, and
/// the owner and activity rules are those of the spec. Null <see cref="Inputs"/> means the epoch cannot be rebuilt
/// and <see cref="Reason"/> says why.
/// </summary>
public sealed record EpochInputs(IReadOnlyList<YumaInput>? Inputs, IReadOnlyList<ushort>? Split, IReadOnlyList<ushort> KeyOrder, string? Reason)
{
    private static readonly string[] CommonInputs =
    [
        "SubnetworkN", "Tempo", "MaxAllowedValidators", "Kappa", "BondsPenalty", "BondsMovingAverage", "Yuma3On",
        "LiquidAlphaOn", "AlphaValues", "AlphaSigmoidSteepness", "StakeThreshold", "TaoWeight", "CommitRevealWeightsEnabled",
        "RevealPeriodEpochs", "MechanismCountCurrent", "SubnetOwnerHotkey", "ValidatorPermit", "LastUpdate", "Keys",
        "BlockAtRegistration", "Weights", "Bonds", "TotalHotkeyAlpha", "ChildKeys", "ParentKeys",
    ];

    /// <summary>Rebuilds the inputs of <paramref name="epoch"/> under <paramref name="rules"/>.</summary>
    public static EpochInputs Build(ObservedEpoch epoch, EpochRules rules)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(rules);
        var state = epoch.Inputs;
        var missing = CommonInputs.Concat(rules.SpecificInputs).Where(state.Missing.Contains).ToList();
        if (missing.Count > 0)
        {
            return Fail($"the state at block {state.Block.Number} (spec {state.Block.SpecVersion}) has no {string.Join(", ", missing)}, which spec {rules.Spec}'s epoch reads");
        }

        var netuid = epoch.Netuid;
        var n = (int)state.Number("SubnetworkN");
        var hotkeys = state.Hotkeys();
        var keyOrder = hotkeys.Keys.Order().ToList();
        var tempo = (ushort)state.Number("Tempo");
        var block = (ulong)epoch.Block.Number;

        // Stake (stake_utils.rs get_stake_weights_for_network): inherited alpha and inherited root per uid with a key.
        var alphaOf = StakeByHotkey(state, EpochKey.Hotkey);
        var rootOf = StakeByHotkey(state, EpochKey.HotkeyRoot);
        var children = Relations(state, "ChildKeys");
        var parents = Relations(state, "ParentKeys");
        var alpha = new ulong[n];
        var tao = new ulong[n];
        for (var uid = 0; uid < n; uid++)
        {
            if (!hotkeys.TryGetValue((ushort)uid, out var hotkey))
            {
                continue;
            }

            var lent = children.GetValueOrDefault(hotkey, []).Select(c => c.Proportion).ToList();
            var from = parents.GetValueOrDefault(hotkey, []);
            var lacking = from.Select(p => p.Account).Append(hotkey).FirstOrDefault(a => !alphaOf.ContainsKey(a) || !rootOf.ContainsKey(a));
            if (lacking is not null)
            {
                return Fail($"the stake of {lacking} (TotalHotkeyAlpha on subnet {netuid} and on root) was not read at block {state.Block.Number}");
            }

            alpha[uid] = StakeInheritance.Inherited(alphaOf[hotkey], lent, [.. from.Select(p => (p.Proportion, alphaOf[p.Account]))]);
            tao[uid] = StakeInheritance.Inherited(rootOf[hotkey], lent, [.. from.Select(p => (p.Proportion, rootOf[p.Account]))]);
        }

        var registeredRead = state.Map("BlockAtRegistration").ToDictionary(r => Uid(r), r => Json.U64(r.Value));
        var registered = new ulong[n];
        for (var uid = 0; uid < n; uid++)
        {
            registered[uid] = hotkeys.ContainsKey((ushort)uid) ? registeredRead.GetValueOrDefault((ushort)uid) : 0;
        }

        var permits = Json.Bools(state.Value("ValidatorPermit"));
        var owner = OwnerUid(state, hotkeys);
        var hp = new YumaHyperparameters
        {
            Tempo = tempo,
            ActivityCutoff = rules.ActivityCutoff(
                rules.DynamicTempo ? 0 : Json.U64(state.Value("ActivityCutoff")),
                rules.DynamicTempo ? Json.U64(state.Value("ActivityCutoffFactorMilli")) : 0,
                tempo),
            StakeThreshold = Json.U64(state.Value("StakeThreshold")),
            OwnerUid = rules.OwnerExempt ? owner : null,
            MaxAllowedValidators = (ushort)state.Number("MaxAllowedValidators"),
            Kappa = (ushort)state.Number("Kappa"),
            BondsPenalty = (ushort)state.Number("BondsPenalty"),
            Yuma3 = Json.Bool(state.Value("Yuma3On")),
            LiquidAlpha = Json.Bool(state.Value("LiquidAlphaOn")),
            AlphaLow = (ushort)Json.U64(state.Value("AlphaValues")?[0]),
            AlphaHigh = (ushort)Json.U64(state.Value("AlphaValues")?[1]),
            AlphaSigmoidSteepness = (short)state.Number("AlphaSigmoidSteepness"),
            BondsMovingAverage = Json.U64(state.Value("BondsMovingAverage")),
            LastMechanismStepBlock = rules.BondsMaskStep(rules.DynamicTempo ? Json.U64(state.Value("LastMechansimStepBlock")) : 0),
        };

        var commitReveal = Json.Bool(state.Value("CommitRevealWeightsEnabled"));
        var inputs = new List<YumaInput>();
        for (byte m = 0; m < state.Mechanisms; m++)
        {
            var rows = state.Rows("Weights", m).ToDictionary(r => r.Key, r => r.Value);
            foreach (var revealed in epoch.RevealedWeights.Where(r => r.Mechanism == m))
            {
                rows[Uid(revealed.Read)] = Json.Pairs(revealed.Read.Value);
            }

            var bonds = state.Rows("Bonds", m);
            inputs.Add(new YumaInput
            {
                CurrentBlock = block,
                N = n,
                StakeAlphaRao = alpha,
                StakeTaoRao = tao,
                TaoWeight = StakeWeights.TaoWeight(Json.U64(state.Value("TaoWeight"))),
                BlockAtRegistration = registered,
                LastUpdate = [.. (state.Value("LastUpdate", m) as JsonArray ?? []).Select(Json.U64)],
                ValidatorPermit = permits,
                Weights = [.. Enumerable.Range(0, n).Select(uid => rows.TryGetValue((ushort)uid, out var row) ? [.. row] : Array.Empty<(ushort, ushort)>())],
                Bonds = [.. Enumerable.Range(0, n).Select(uid => bonds.TryGetValue((ushort)uid, out var row) ? [.. row] : Array.Empty<(ushort, ushort)>())],
                CommitBlocks = commitReveal ? CommitMask.Blocks(epoch, rules, m, n, hotkeys) : null,
                Hyperparameters = hp,
            });
        }

        if (!rules.OwnerExempt && owner is { } o)
        {
            var (ownerInputs, reason) = OwnerBefore401(inputs, o, permits);
            if (reason is not null)
            {
                return Fail(reason);
            }

            inputs = ownerInputs;
        }

        var split = state.Value("MechanismEmissionSplit") is JsonArray s ? s.Select(v => (ushort)Json.U64(v)).ToList() : null;
        return new EpochInputs(inputs, split, keyOrder, null);
    }

    /// <summary>
    /// Before spec 401 the owner's only privilege is its self-weight (mask_diag_sparse_except_index); the port ties that
    /// to the threshold exemption and forced permits of 401. Without a permit before the epoch the owner's row is masked
    /// anyway, and without a self-weight the diagonal exception does nothing: the port runs with no owner. Otherwise the
    /// port's owner is exact when the owner earns the new permit by stake (then the forced permits change nothing and its
    /// stake, being non-zero, passed the threshold); when it does not, the rules cannot be expressed.
    /// </summary>
    private static (List<YumaInput> Inputs, string? Reason) OwnerBefore401(List<YumaInput> inputs, ushort owner, bool[] permits)
    {
        var hadPermit = owner < permits.Length && permits[owner];
        var selfWeight = inputs.Select(i => owner < i.N && i.Weights[owner].Any(e => e.Col == owner)).ToList();
        if (!hadPermit || !selfWeight.Contains(true))
        {
            return (inputs, null);
        }

        var earned = YumaEpoch.Run(inputs[0] with { RaoEmission = 0 }).NewValidatorPermit[owner];
        if (!earned)
        {
            return ([], $"the owner uid {owner} keeps its self-weight but earns no new validator permit: the port cannot express the owner rules before spec {EpochRules.OwnerExemptSpec} for it");
        }

        return ([.. inputs.Select((input, m) => selfWeight[m] ? input with { Hyperparameters = input.Hyperparameters with { OwnerUid = owner } } : input)], null);
    }

    /// <summary>get_owner_uid: SubnetOwnerHotkey when stored (not the default), then its uid.</summary>
    private static ushort? OwnerUid(SubnetEpochState state, IReadOnlyDictionary<ushort, string> hotkeys)
    {
        var read = state.Reads.FirstOrDefault(r => r.Item.Name == "SubnetOwnerHotkey")?.Read;
        if (read?.Raw is null || read.Value is not JsonValue v || !v.TryGetValue<string>(out var owner))
        {
            return null;
        }

        foreach (var (uid, hotkey) in hotkeys)
        {
            if (hotkey == owner)
            {
                return uid;
            }
        }

        return null;
    }

    private static Dictionary<string, ulong> StakeByHotkey(SubnetEpochState state, EpochKey key) =>
        state.Map("TotalHotkeyAlpha", 0, key)
            .GroupBy(r => r.KeyParts[0]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => Json.U64(g.First().Value));

    private static Dictionary<string, List<(ulong Proportion, string Account)>> Relations(SubnetEpochState state, string item) =>
        state.Map(item)
            .GroupBy(r => r.KeyParts[0]!.GetValue<string>())
            .ToDictionary(g => g.Key, g => (g.First().Value as JsonArray ?? []).Select(p => (Json.U64(p![0]), p[1]!.GetValue<string>())).ToList());

    internal static ushort Uid(StorageRead read) => (ushort)read.KeyParts[1]!.GetValue<long>();

    private static EpochInputs Fail(string reason) => new(null, null, [], reason);
}

/// <summary>
/// The commit-reveal column mask (run_epoch.rs, W5): per uid the block of its earliest commit still pending and not
/// expired when the epoch ran. Legacy <c>WeightCommits</c> are taken at B−1 (their reveals are extrinsics, after the
/// epoch); <c>TimelockedWeightCommits</c> at B without those made in B (B's initialization revealed and removed some
/// before the epoch). Expiry per rule set: before 423 by the epoch of the commit block, (block + netuid + 1) /
/// (tempo + 1); from 423 by the commit epoch against SubnetEpochIndex after the drain (the index at B−1 plus one).
/// </summary>
internal static class CommitMask
{
    public static ulong[] Blocks(ObservedEpoch epoch, EpochRules rules, byte mechanism, int n, IReadOnlyDictionary<ushort, string> hotkeys)
    {
        var state = epoch.Inputs;
        var netuid = (ulong)epoch.Netuid;
        var tempo = (ulong)state.Number("Tempo");
        var period = Json.U64(state.Value("RevealPeriodEpochs"));
        var block = (ulong)epoch.Block.Number;
        var current = rules.DynamicTempo ? Json.U64(state.Value("SubnetEpochIndex")) + 1 : EpochOf(block);
        bool Expired(ulong commitEpoch) => current > commitEpoch + period;
        ulong EpochOf(ulong b) => (b + netuid + 1) / (tempo + 1);

        var uidOf = hotkeys.GroupBy(h => h.Value).ToDictionary(g => g.Key, g => g.Max(h => h.Key));
        var blocks = Enumerable.Repeat(ulong.MaxValue, n).ToArray();
        void Mark(string? who, ulong commitBlock)
        {
            if (who is not null && uidOf.TryGetValue(who, out var uid) && uid < n)
            {
                blocks[uid] = Math.Min(blocks[uid], commitBlock);
            }
        }

        foreach (var read in state.Map("WeightCommits", mechanism))
        {
            var who = read.KeyParts[1]?.GetValue<string>();
            foreach (var entry in read.Value as JsonArray ?? [])
            {
                // (hash, commit_block, first_reveal, last_reveal) before 423; (hash, commit_epoch, commit_block, reveal_block) from 423.
                var (commitEpoch, commitBlock) = rules.DynamicTempo
                    ? (Json.U64(entry![1]), Json.U64(entry[2]))
                    : (EpochOf(Json.U64(entry![1])), Json.U64(entry[1]));
                if (!Expired(commitEpoch))
                {
                    Mark(who, commitBlock);
                    break;
                }
            }
        }

        foreach (var read in epoch.Commits.Where(c => c.Item.Name == "TimelockedWeightCommits" && c.Mechanism == mechanism).Select(c => c.Read))
        {
            var key = Json.U64(read.KeyParts[1]);
            if (rules.DynamicTempo && Expired(key))
            {
                continue;
            }

            foreach (var entry in read.Value as JsonArray ?? [])
            {
                var commitBlock = Json.U64(entry![1]);
                if (commitBlock != block && (rules.DynamicTempo || !Expired(EpochOf(commitBlock))))
                {
                    Mark(entry[0]!.GetValue<string>(), commitBlock);
                }
            }
        }

        return blocks;
    }
}

/// <summary>Decoded values (docs/chain.md's JSON shape: integers beyond 2^53 are decimal strings).</summary>
public static class Json
{
    public static ulong U64(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) && l >= 0 => (ulong)l,
        JsonValue v when v.TryGetValue<ulong>(out var u) => u,
        JsonValue v when v.TryGetValue<string>(out var s) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p) => p,
        _ => throw new ChainLayoutException($"expected an unsigned integer, found {node?.ToJsonString() ?? "nothing"}"),
    };

    public static bool Bool(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw new ChainLayoutException($"expected a bool, found {node?.ToJsonString() ?? "nothing"}");

    public static bool[] Bools(JsonNode? node) => [.. (node as JsonArray ?? []).Select(Bool)];

    public static (ushort Col, ushort Val)[] Pairs(JsonNode? node) =>
        [.. (node as JsonArray ?? []).Select(p => ((ushort)U64(p![0]), (ushort)U64(p[1])))];
}
