using System.Globalization;
using System.Text.Json.Nodes;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain.Audit;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.ChainHistory;
using Marten;
using Mediator;
using Npgsql;
using ChainJson = Bittensor.Ledger.Chain.Audit.Json;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>
/// `ledger explain --netuid N --block B --uid U`: an epoch the chain ran, explained as `explain --epoch` explains one the
/// ledger computed. The epoch is rebuilt from the stored observations, recomputed with the port under its spec's rule
/// set with Yuma's trace on, and the uid's part is shown: its stake (own, and what childkeys lend and borrow), the weights
/// it received and how consensus clipped them, its bonds, and each output as the chain stored it (observed) beside the
/// ledger's recomputation (computed).
/// </summary>
public sealed record ExplainObservedEpoch(NetUid NetUid, ulong Block, Uid Uid) : IQuery<ObservedEpochExplanation>;

/// <summary>The stake behind the uid's stake weight: the hotkey's own alpha on the subnet and on root, what the epoch
/// counted after childkey inheritance, the TaoWeight that weighs root, and the childkey relations with their u64 proportions.</summary>
public sealed record ObservedStake(
    ulong OwnAlpha, ulong OwnRoot, ulong InheritedAlpha, ulong InheritedRoot, ulong TaoWeight,
    IReadOnlyList<ObservedRelation> Children, IReadOnlyList<ObservedRelation> Parents);

public sealed record ObservedRelation(string Hotkey, ulong Proportion);

/// <summary>One output for the uid: the chain's stored value (observed) and the ledger's recomputation (computed).</summary>
public sealed record ObservedTerm(string Field, byte Mechanism, string Observed, string Computed)
{
    public bool Equal => Observed == Computed;
}

public sealed record ObservedEpochExplanation(
    ushort NetUid, ulong Block, uint SpecVersion, string RuleSet, ushort Uid, string Hotkey, bool Excluded,
    ObservedStake Stake, IReadOnlyList<MechanismExplanation> Mechanisms, IReadOnlyList<ObservedTerm> Terms,
    ulong? RaoEmission, string? RaoEmissionInferred, IReadOnlyList<string> NotCompared)
{
    /// <summary>Every compared output of the uid is what the ledger computes (an excluded uid is not compared).</summary>
    public bool Matches => Excluded || Terms.All(t => t.Equal);
}

public sealed class ExplainObservedEpochHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits)
    : IQueryHandler<ExplainObservedEpoch, ObservedEpochExplanation>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<ObservedEpochExplanation> Handle(ExplainObservedEpoch query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var (inputs, outputs) = await LoadAsync(query, cancellationToken).ConfigureAwait(false);
        var epoch = ObservedFacts.ToEpoch(inputs, outputs);
        var rules = EpochRules.For(epoch.Block.SpecVersion);
        var built = EpochInputs.Build(epoch, rules);
        if (built.Inputs is null)
        {
            throw new NotFoundException("block", $"the epoch of subnet {query.NetUid} at block {query.Block} cannot be recomputed: {built.Reason}");
        }

        var uid = query.Uid.Value;
        var hotkeys = epoch.Inputs.Hotkeys();
        if (!hotkeys.TryGetValue(uid, out var hotkey))
        {
            throw new NotFoundException("uid", $"subnet {query.NetUid} had no uid {uid} before block {query.Block} (n = {hotkeys.Count})");
        }

        // The emission amount the chain does not store: the one the audit infers from the written floors (or none),
        // so explain and audit recompute the same epoch.
        var verdict = EpochAudit.Audit(epoch);
        var (aggregate, traced) = YumaMechanisms.Run([.. built.Inputs.Select(i => i with { Trace = true })], verdict.RaoEmission ?? 0, built.Split);

        var mechanisms = new List<MechanismExplanation>();
        var terms = new List<ObservedTerm>();
        var at = built.KeyOrder.ToList().IndexOf(uid);
        for (byte m = 0; m < traced.Length; m++)
        {
            var newBonds = epoch.Outputs.Rows("Bonds", m).TryGetValue(uid, out var row) ? row.Select(b => new BondEntry(b.Column, b.Value)).ToList() : [];
            mechanisms.Add(MechanismExplanation.Of(m, built.Inputs[m], traced[m].Trace!, uid, v => hotkeys.GetValueOrDefault(v, "?"), _ => (null, null), newBonds, null));
            terms.Add(new ObservedTerm("Incentive", m, Observed(epoch.Outputs.Value("Incentive", m), at), Text(traced[m].Incentive[uid])));
        }

        terms.Add(new ObservedTerm("Dividends", 0, Observed(epoch.Outputs.Value("Dividends"), at), Text(aggregate.Dividends[uid])));
        terms.Add(new ObservedTerm("Consensus", 0, Observed(epoch.Outputs.Value("Consensus"), at), Text(aggregate.Consensus[uid])));
        terms.Add(new ObservedTerm("ValidatorTrust", 0, Observed(epoch.Outputs.Value("ValidatorTrust"), at), Text(aggregate.ValidatorTrust[uid])));
        terms.Add(new ObservedTerm("StakeWeight", 0, Observed(epoch.Outputs.Value("StakeWeight"), at), Text(aggregate.StakeWeight[uid])));
        terms.Add(new ObservedTerm("ValidatorPermit", 0, Observed(epoch.Outputs.Value("ValidatorPermit"), at), aggregate.NewValidatorPermit[uid] ? "true" : "false"));
        terms.Add(new ObservedTerm("Active", 0, Observed(epoch.Outputs.Value("Active"), at), aggregate.Active[uid] ? "true" : "false"));
        if (verdict.RaoEmission is not null)
        {
            terms.Add(new ObservedTerm("Emission", 0, Observed(epoch.Outputs.Value("Emission"), at), Text(aggregate.Emission[uid])));
            for (byte m = 0; m < traced.Length; m++)
            {
                var miners = epoch.MinerEmissions.FirstOrDefault(e => e.Subnet.Mechanism == m);
                terms.Add(new ObservedTerm("IncentiveAlphaEmittedToMiners", m,
                    miners is not null && at >= 0 && at < miners.Emissions.Count ? Text(miners.Emissions[at]) : "absent", Text(traced[m].ServerEmission[uid])));
            }
        }

        var stake = Stake(epoch, built.Inputs[0], uid, hotkey);
        return new ObservedEpochExplanation(query.NetUid.Value, query.Block, epoch.Block.SpecVersion, Verdicts.RuleSet(epoch.Block.SpecVersion), uid, hotkey,
            epoch.ExcludedUids.Contains(uid), stake, mechanisms, terms, verdict.RaoEmission, verdict.RaoEmissionInferred, [.. verdict.NotCompared]);
    }

    private static ObservedStake Stake(ObservedEpoch epoch, YumaInput input, ushort uid, string hotkey)
    {
        ulong Own(EpochKey keyed) => epoch.Inputs.Map("TotalHotkeyAlpha", 0, keyed)
            .Where(r => r.KeyParts.Count > 0 && r.KeyParts[0]?.GetValue<string>() == hotkey)
            .Select(r => ChainJson.U64(r.Value)).FirstOrDefault();

        IReadOnlyList<ObservedRelation> Relations(string item) =>
            [.. epoch.Inputs.Map(item).Where(r => r.KeyParts.Count > 0 && r.KeyParts[0]?.GetValue<string>() == hotkey)
                .SelectMany(r => r.Value as JsonArray ?? [])
                .Select(p => new ObservedRelation(p![1]!.GetValue<string>(), ChainJson.U64(p[0])))];

        return new ObservedStake(Own(EpochKey.Hotkey), Own(EpochKey.HotkeyRoot),
            uid < input.StakeAlphaRao.Length ? input.StakeAlphaRao[uid] : 0, input.StakeTaoRao is { } tao && uid < tao.Length ? tao[uid] : 0,
            ChainJson.U64(epoch.Inputs.Value("TaoWeight")), Relations("ChildKeys"), Relations("ParentKeys"));
    }

    private static string Observed(JsonNode? vector, int at) =>
        vector is JsonArray a && at >= 0 && at < a.Count
            ? a[at] is JsonValue v && v.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : Text(ChainJson.U64(a[at]))
            : "absent";

    private static string Text(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<(EpochInputsObserved, EpochOutputsObserved)> LoadAsync(ExplainObservedEpoch query, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select e.seq_id, e.type, e.data from {LedgerStore.Schema}.mt_events e where e.seq_id in (" +
            $"(select max(seq_id) from {ChainHistoryProjection.InputsTable} where netuid = @n and block = @b), " +
            $"(select max(seq_id) from {ChainHistoryProjection.OutputsTable} where netuid = @n and block = @b))");
        cmd.Parameters.AddWithValue("n", (int)query.NetUid.Value);
        cmd.Parameters.AddWithValue("b", checked((long)query.Block));
        EpochInputsObserved? inputs = null;
        EpochOutputsObserved? outputs = null;
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                switch (stored.Read(reader.GetInt64(0), reader.GetString(1), reader, 2))
                {
                    case EpochInputsObserved i:
                        inputs = i;
                        break;
                    case EpochOutputsObserved o:
                        outputs = o;
                        break;
                }
            }
        }

        return inputs is not null && outputs is not null
            ? (inputs, outputs)
            : throw new NotFoundException("block", string.Create(CultureInfo.InvariantCulture,
                $"no observed epoch of subnet {query.NetUid} at block {query.Block}; `ledger chain audit --netuid {query.NetUid}` lists the synced ones"));
    }
}
