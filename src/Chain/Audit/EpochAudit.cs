using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Consensus.Yuma;

namespace Bittensor.Ledger.Chain.Audit;

/// <summary>
/// Recomputes an observed epoch with the fixed-point port and compares it with what the chain wrote, bit for bit (issue
/// 10, chain-adapter.md §5). Pure: everything comes from the <see cref="ObservedEpoch"/> (which a caller can rebuild from
/// stored reads) and the optional rao_emission; no IO.
/// </summary>
public static class EpochAudit
{
    private static readonly string[] OutputItems =
        ["LastMechansimStepBlock", "Incentive", "Bonds", "Dividends", "Consensus", "ValidatorTrust", "StakeWeight", "ValidatorPermit", "Active", "Emission"];

    private static readonly string[] LegacyItems = ["Rank", "Trust", "PruningScores"];

    /// <summary>
    /// The verdict on <paramref name="epoch"/>. Compared first (independent of the emission amount): Incentive and Bonds
    /// per mechanism, then Dividends, Consensus, ValidatorTrust, StakeWeight, before spec 365 Rank, Trust and
    /// PruningScores (<see cref="LegacyTerms"/>), then ValidatorPermit and Active. Then the u64 Emission and each
    /// mechanism's <c>IncentiveAlphaEmittedToMiners</c>, with <paramref name="raoEmission"/> (the alpha the epoch
    /// distributed, which storage does not keep) when given; otherwise with the amount the written floors agree on
    /// (<see cref="RaoInference"/>; with several mechanisms, the sum of the shares their miner emissions allow), noted
    /// in <see cref="EpochVerdict.RaoEmissionInferred"/>; when nothing bounds it, not at all (listed in
    /// <see cref="EpochVerdict.NotCompared"/>). Excluded uids are never compared.
    /// Throws <see cref="UnsupportedSpecException"/> for an epoch block executed by a spec before 320.
    /// </summary>
    public static EpochVerdict Audit(ObservedEpoch epoch, ulong? raoEmission = null)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        var rules = EpochRules.For(epoch.Block.SpecVersion);
        var notCompared = new List<string>();
        var caveats = Caveats(epoch, rules);
        EpochVerdict Verdict(EpochOutcome outcome, IReadOnlyList<EpochDifference> differences, string? reason = null) =>
            new(epoch.Netuid, epoch.Block.Number, epoch.Block.SpecVersion, epoch.Inputs.Mechanisms, outcome, epoch.ExcludedUids,
                differences, notCompared, epoch.RuntimeUpgrade, caveats, reason);

        var missingOutputs = OutputItems.Where(epoch.Outputs.Missing.Contains).ToList();
        if (missingOutputs.Count > 0)
        {
            return Verdict(EpochOutcome.Incomplete, [], $"the state at block {epoch.Block.Number} has no {string.Join(", ", missingOutputs)}");
        }

        var ranAt = Json.U64(epoch.Outputs.Value("LastMechansimStepBlock"));
        if (ranAt != (ulong)epoch.Block.Number && epoch.MinerEmissions.Count == 0)
        {
            return Verdict(EpochOutcome.Incomplete, [], $"no epoch of subnet {epoch.Netuid} ran in block {epoch.Block.Number}: LastMechansimStepBlock there is {ranAt} and no IncentiveAlphaEmittedToMiners was emitted");
        }

        var built = EpochInputs.Build(epoch, rules);
        if (built.Inputs is null)
        {
            return Verdict(EpochOutcome.Incomplete, [], built.Reason);
        }

        var legacy = rules.RankTrustPruning && !LegacyItems.Any(epoch.Outputs.Missing.Contains);
        if (rules.RankTrustPruning && !legacy)
        {
            notCompared.Add($"Rank, Trust, PruningScores: spec {rules.Spec} writes them but the state at block {epoch.Block.Number} has no such items");
        }

        var inputs = legacy ? [.. built.Inputs.Select(i => i with { Trace = true })] : built.Inputs;

        // Without rao_emission the u16 and bool outputs of one mechanism are still exact: its aggregation weight is 1
        // whatever the amount (mechanism.rs gives mechanism 0 the weight 1 even when nothing is distributed). The u64
        // outputs are compared with the amount their floors agree on; with several mechanisms, with the sum of the
        // shares their miner emissions allow that leaves the fewest differences (the shares weight the aggregates).
        string? inferred = null;
        if (raoEmission is null && built.Inputs.Count == 1)
        {
            (raoEmission, inferred) = Infer(epoch, built);
        }
        else if (raoEmission is null && SplitCandidates(epoch, built) is { Candidates.Count: > 0 } split)
        {
            var best = split.Candidates.Select(a => (Alpha: a, Differences: Differences(epoch, built, inputs, a, legacy, u64: true))).MinBy(c => c.Differences.Count);
            raoEmission = best.Alpha;
            inferred = $"rao_emission {best.Alpha}: of the sums of the shares the miner emissions allow ({split.Ranges}), the one with the fewest differences";
        }

        if (raoEmission is null)
        {
            notCompared.Add("Emission and IncentiveAlphaEmittedToMiners: the epoch's rao_emission is not stored (chain-adapter.md §5 c) and the miner emissions do not bound it");
            if (built.Inputs.Count > 1)
            {
                notCompared.Add("(the aggregated u16 fields of this multi-mechanism epoch are weighted by mechanism shares of an estimated rao_emission, ΣEmission)");
            }
        }

        var differences = Differences(epoch, built, inputs, raoEmission ?? EstimatedAlpha(epoch), legacy, u64: raoEmission is not null);
        return Verdict(differences.Count == 0 ? EpochOutcome.Match : EpochOutcome.Differs, differences) with
        {
            RaoEmission = raoEmission,
            RaoEmissionInferred = inferred,
        };
    }

    /// <summary>Every difference between the port run with <paramref name="alpha"/> and the chain, in the order of comparison.</summary>
    private static List<EpochDifference> Differences(ObservedEpoch epoch, EpochInputs built, IReadOnlyList<YumaInput> inputs, ulong alpha, bool legacy, bool u64)
    {
        var (aggregate, perMechanism) = YumaMechanisms.Run(inputs, alpha, built.Split);
        var compare = new Comparison(epoch, built.KeyOrder);
        for (byte m = 0; m < perMechanism.Length; m++)
        {
            compare.U16s("Incentive", m, epoch.Outputs.Value("Incentive", m), perMechanism[m].Incentive);
        }

        for (byte m = 0; m < perMechanism.Length; m++)
        {
            compare.Bonds(m, epoch.Outputs.Rows("Bonds", m), perMechanism[m].Bonds);
        }

        compare.U16s("Dividends", 0, epoch.Outputs.Value("Dividends"), aggregate.Dividends);
        compare.U16s("Consensus", 0, epoch.Outputs.Value("Consensus"), aggregate.Consensus);
        compare.U16s("ValidatorTrust", 0, epoch.Outputs.Value("ValidatorTrust"), aggregate.ValidatorTrust);
        compare.U16s("StakeWeight", 0, epoch.Outputs.Value("StakeWeight"), aggregate.StakeWeight);
        if (legacy)
        {
            var (rank, trust, pruning) = LegacyTerms.Aggregate(perMechanism, alpha, built.Split);
            compare.U16s("Rank", 0, epoch.Outputs.Value("Rank"), rank);
            compare.U16s("Trust", 0, epoch.Outputs.Value("Trust"), trust);
            compare.U16s("PruningScores", 0, epoch.Outputs.Value("PruningScores"), pruning);
        }

        compare.Bools("ValidatorPermit", epoch.Outputs.Value("ValidatorPermit"), aggregate.NewValidatorPermit);
        compare.Bools("Active", epoch.Outputs.Value("Active"), aggregate.Active);
        if (u64)
        {
            compare.U64s("Emission", 0, epoch.Outputs.Value("Emission") as JsonArray, aggregate.Emission);
            for (byte m = 0; m < perMechanism.Length; m++)
            {
                compare.U64s("IncentiveAlphaEmittedToMiners", m, MinerEmissions(epoch, m), perMechanism[m].ServerEmission);
            }
        }

        return compare.Differences;
    }

    private static JsonArray? MinerEmissions(ObservedEpoch epoch, byte mechanism) =>
        epoch.MinerEmissions.FirstOrDefault(e => e.Subnet.Mechanism == mechanism) is { } emitted
            ? new JsonArray([.. emitted.Emissions.Select(e => (JsonNode)e)])
            : null;

    /// <summary>
    /// Several mechanisms: each mechanism's share from its miner emissions (<see cref="RaoInference"/>), and the sums
    /// of the shares in those ranges (the split gives mechanism 0 the remainder, so the shares add up to rao_emission);
    /// at most 64 combinations, else the lowest shares only. None when a mechanism's shares are not bounded.
    /// </summary>
    private static (IReadOnlyList<ulong> Candidates, string Ranges) SplitCandidates(ObservedEpoch epoch, EpochInputs built)
    {
        var ranges = new List<(ulong Low, ulong High)>();
        for (var m = 0; m < built.Inputs!.Count; m++)
        {
            var trace = YumaEpoch.Run(built.Inputs[m] with { Trace = true, RaoEmission = 0 }).Trace!;
            var constraints = Constraints(epoch, built, MinerEmissions(epoch, (byte)m), trace.NormalizedServerEmission);
            if (RaoInference.Infer(constraints) is not { } found)
            {
                return ([], "");
            }

            ranges.Add((found.Low, found.High));
        }

        IEnumerable<UInt128> sums = [0];
        var combinations = ranges.Aggregate(1.0, (c, r) => c * ((double)(r.High - r.Low) + 1));
        foreach (var (low, high) in ranges)
        {
            var top = combinations <= 64 ? high : low;
            sums = [.. sums.SelectMany(s => Enumerable.Range(0, (int)(top - low) + 1).Select(d => s + low + (ulong)d))];
        }

        return ([.. sums.Where(s => s <= ulong.MaxValue).Select(s => (ulong)s).Distinct().Order()],
            string.Join(" + ", ranges.Select(r => $"{r.Low}..{r.High}")));
    }

    private static List<(long X, ulong Observed)> Constraints(ObservedEpoch epoch, EpochInputs built, JsonArray? written, Consensus.FixedPoint.I32F32[] normalized)
    {
        var excluded = epoch.ExcludedUids.ToHashSet();
        var constraints = new List<(long X, ulong Observed)>();
        for (var k = 0; k < Math.Min(written?.Count ?? 0, built.KeyOrder.Count); k++)
        {
            var uid = built.KeyOrder[k];
            if (!excluded.Contains(uid) && uid < normalized.Length)
            {
                constraints.Add((normalized[uid].Bits, Json.U64(written![k])));
            }
        }

        return constraints;
    }

    /// <summary>
    /// One mechanism's rao_emission from the written Emission and miner emissions (<see cref="RaoInference"/>), with a
    /// note saying so; 0 when the normalized emission is all zero (then every u64 output is 0 whatever the amount).
    /// </summary>
    private static (ulong? Rao, string? Note) Infer(ObservedEpoch epoch, EpochInputs built)
    {
        var trace = YumaEpoch.Run(built.Inputs![0] with { Trace = true, RaoEmission = 0 }).Trace!;
        var constraints = Constraints(epoch, built, epoch.Outputs.Value("Emission") as JsonArray, trace.NormalizedCombinedEmission);
        constraints.AddRange(Constraints(epoch, built, MinerEmissions(epoch, 0), trace.NormalizedServerEmission));
        return RaoInference.Infer(constraints) is { } found
            ? (found.Rao, $"rao_emission {found.Low}..{found.High}: {found.Agreeing} of {found.Total} written floors agree")
            : (0, "rao_emission: every normalized emission is 0, so every u64 output is 0 whatever the amount");
    }

    private static List<string> Caveats(ObservedEpoch epoch, EpochRules rules)
    {
        var caveats = new List<string>();
        if (epoch.RuntimeUpgrade)
        {
            caveats.Add($"block {epoch.Block.Number} is the first of spec {epoch.Block.SpecVersion}: its migrations ran before the epoch, after the state read at block {epoch.Block.Number - 1}");
        }

        var earlier = epoch.Events.OfType<IncentiveAlphaEmittedToMiners>().Select(e => e.Subnet.Netuid).Where(n => n < epoch.Netuid).Distinct().Order().ToList();
        if (rules.RootDividendsAsStake && earlier.Count > 0)
        {
            caveats.Add($"subnet {string.Join(", ", earlier)} ran its epoch earlier in block {epoch.Block.Number} and, before spec {EpochRules.RootClaimableSpec}, paid root dividends as root stake this epoch then read");
        }

        return caveats;
    }

    /// <summary>ΣEmission at B: 0 when the epoch distributed nothing (or almost nothing); otherwise close to the amount.</summary>
    private static ulong EstimatedAlpha(ObservedEpoch epoch)
    {
        UInt128 sum = 0;
        foreach (var e in epoch.Outputs.Value("Emission") as JsonArray ?? [])
        {
            sum += Json.U64(e);
        }

        return sum > ulong.MaxValue ? ulong.MaxValue : (ulong)sum;
    }

    /// <summary>
    /// Compares output vectors in the chain's layout: the epoch writes one entry per uid with a key, in uid order, so
    /// position k is the k-th keyed uid (uid k when every uid has a key); positions past them are uids registered later.
    /// </summary>
    private sealed class Comparison(ObservedEpoch epoch, IReadOnlyList<ushort> keyOrder)
    {
        private readonly HashSet<ushort> _excluded = [.. epoch.ExcludedUids];

        public List<EpochDifference> Differences { get; } = [];

        public void U16s(string field, byte mechanism, JsonNode? chain, ushort[] ledger) =>
            Vector(field, mechanism, chain as JsonArray, ledger.Length, k => Text(Json.U64(chain![k])), uid => Text(ledger[uid]));

        public void U64s(string field, byte mechanism, JsonArray? chain, ulong[] ledger) =>
            Vector(field, mechanism, chain, ledger.Length, k => Text(Json.U64(chain![k])), uid => Text(ledger[uid]));

        public void Bools(string field, JsonNode? chain, bool[] ledger) =>
            Vector(field, 0, chain as JsonArray, ledger.Length, k => Json.Bool(chain![k]) ? "true" : "false", uid => ledger[uid] ? "true" : "false", "false");

        public void Bonds(byte mechanism, IReadOnlyDictionary<ushort, IReadOnlyList<(ushort Column, ushort Value)>> chain, (ushort Col, ushort Val)[][] ledger)
        {
            foreach (var uid in keyOrder.Where(u => !_excluded.Contains(u)))
            {
                var stored = chain.TryGetValue(uid, out var row) ? row.Select(e => (e.Column, e.Value)).ToArray() : [];
                var computed = uid < ledger.Length ? ledger[uid] : [];
                if (!stored.SequenceEqual(computed))
                {
                    Differences.Add(new EpochDifference("Bonds", mechanism, uid, Row(stored), Row(computed)));
                }
            }
        }

        /// <summary>A keyed uid at or past n has no computed value: the epoch writes the default for it.</summary>
        private void Vector(string field, byte mechanism, JsonArray? chain, int computed, Func<int, string> chainAt, Func<int, string> ledgerAt, string absent = "0")
        {
            var stored = chain?.Count ?? 0;
            for (var k = 0; k < Math.Max(stored, keyOrder.Count); k++)
            {
                var uid = k < keyOrder.Count ? keyOrder[k] : (ushort)k;
                if (_excluded.Contains(uid))
                {
                    continue;
                }

                var chainText = k < stored ? chainAt(k) : "absent";
                var ledgerText = k < keyOrder.Count ? (uid < computed ? ledgerAt(uid) : absent) : "absent";
                if (chainText != ledgerText)
                {
                    Differences.Add(new EpochDifference(field, mechanism, uid, chainText, ledgerText));
                }
            }
        }

        private static string Row(IEnumerable<(ushort Col, ushort Val)> row) =>
            "[" + string.Join(",", row.Select(e => $"[{e.Col},{e.Val}]")) + "]";

        private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
