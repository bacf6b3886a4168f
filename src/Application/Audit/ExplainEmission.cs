using System.Globalization;
using Bittensor.Ledger.Application.Epochs;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Consensus.FixedPoint;
using Bittensor.Ledger.Consensus.Yuma;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.BondsHistory;
using Bittensor.Ledger.Projections.EmissionHistory;
using Bittensor.Ledger.Projections.Metagraph;
using Bittensor.Ledger.Projections.StakeLedger;
using Bittensor.Ledger.Projections.WeightsHistory;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Audit;

/// <summary>`ledger explain`: why uid <see cref="Uid"/> received its emission in epoch <see cref="Epoch"/> of a
/// subnet. The ledger's engine is folded from the store up to the epoch's <c>epoch_completed</c>, the epoch is
/// recomputed there (Application/Epochs, the same code that computed it) and run again with Yuma's trace on; every
/// number is shown with the sequence numbers of the events it came from, and the recomputation must equal the stored
/// events bit for bit.</summary>
public sealed record ExplainEmission(NetUid NetUid, ulong Epoch, Uid Uid) : IQuery<EmissionExplanation>;

/// <summary>An I32F32 from the trace: its exact bits and, for reading, its value.</summary>
public readonly record struct Fixed(long Bits, double Value)
{
    public static Fixed Of(I32F32 x) => new(x.Bits, x.ToDouble());

    public override string ToString() => Value.ToString("0.#########", CultureInfo.InvariantCulture);
}

/// <summary>One validator's weight on the uid: as stored (u16, from the weights_set at <see cref="WeightsSeq"/>), after
/// masks and row normalization, and after clipping at the uid's consensus; the validator's active stake weighs it.</summary>
public sealed record ReceivedWeight(ushort Validator, string Hotkey, long? WeightsSeq, ulong? WeightsBlock, ushort Stored, Fixed Normalized, Fixed Clipped, bool WasClipped, Fixed ValidatorActiveStake);

public sealed record BondEntry(ushort Uid, ushort Value);

public sealed record MechanismExplanation(
    ushort Mechanism, Fixed Stake, Fixed ActiveStake, IReadOnlyList<ReceivedWeight> Weights, Fixed Consensus, Fixed Incentive,
    Fixed ValidatorTrust, Fixed Dividends, IReadOnlyList<BondEntry> PreviousBonds, long? PreviousBondsSeq, IReadOnlyList<BondEntry> NewBonds,
    Fixed NormalizedServerEmission, Fixed NormalizedValidatorEmission)
{
    /// <summary>One mechanism's part of an explanation, from the epoch's input and its Yuma trace: the weights the uid
    /// received (stored, normalized, clipped at its consensus, each validator's active stake), its terms and bonds. The
    /// same for an epoch the ledger computed (`explain --epoch`) and one the chain ran (`explain --block`).</summary>
    /// <param name="hotkeyOf">The hotkey of a validator uid.</param>
    /// <param name="weightSource">Where a validator's stored row came from (event seq and block), when known.</param>
    public static MechanismExplanation Of(ushort mechanism, YumaInput input, YumaTrace trace, ushort uid, Func<ushort, string> hotkeyOf,
        Func<ushort, (long? Seq, ulong? Block)> weightSource, IReadOnlyList<BondEntry> newBonds, long? previousBondsSeq)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(hotkeyOf);
        ArgumentNullException.ThrowIfNull(weightSource);
        var consensus = trace.Consensus[uid];
        var received = new List<ReceivedWeight>();
        for (var i = 0; i < trace.Weights.Length; i++)
        {
            foreach (var (col, val) in trace.Weights[i])
            {
                if (col != uid)
                {
                    continue;
                }

                var clipped = val < consensus ? val : consensus;
                var storedValue = input.Weights[i].FirstOrDefault(w => w.Col == uid).Val;
                var source = weightSource((ushort)i);
                received.Add(new ReceivedWeight((ushort)i, hotkeyOf((ushort)i), source.Seq, source.Block, storedValue, Fixed.Of(val), Fixed.Of(clipped),
                    clipped < val, Fixed.Of(trace.ActiveStake[i])));
            }
        }

        return new MechanismExplanation(mechanism, Fixed.Of(trace.Stake[uid]), Fixed.Of(trace.ActiveStake[uid]), received,
            Fixed.Of(consensus), Fixed.Of(trace.Incentive[uid]), Fixed.Of(trace.ValidatorTrust[uid]), Fixed.Of(trace.Dividends[uid]),
            uid < input.Bonds.Length ? [.. input.Bonds[uid].Select(b => new BondEntry(b.Col, b.Val))] : [], previousBondsSeq, newBonds,
            Fixed.Of(trace.NormalizedServerEmission[uid]), Fixed.Of(trace.NormalizedValidatorEmission[uid]));
    }
}

public sealed record PostingLine(long Seq, int Ordinal, string Reason, string From, string To, ulong Amount);

public sealed record EmissionExplanation(
    ushort NetUid, ulong Epoch, ushort Uid, ulong Block, string Hotkey, string Coldkey, long EpochSeq, long? PostedSeq, long? RegisteredSeq,
    ulong StakeRao, ushort StakeWeight, int StakeChanges, IReadOnlyList<long> LastStakeChangeSeqs,
    IReadOnlyList<MechanismExplanation> Mechanisms,
    ulong DrainedPot, IReadOnlyList<PostingLine> Accrual, IReadOnlyList<PostingLine> Payouts, IReadOnlyList<PostingLine> SubnetRounding,
    ulong StoredServerEmission, ulong StoredValidatorEmission, ulong IncentivePaid, ulong ValidatorPaid, ulong ValidatorPot, ulong ValidatorPayout,
    bool EpochRecomputedExactly, bool PostingsRecomputedExactly, bool TermsMatch, bool IncentiveMatchesServerEmission, bool PayoutMatches)
{
    /// <summary>Everything agrees: the stored epoch and postings are what the rules give on the stored state, the uid's
    /// terms match, the incentive paid is its server emission and the take + nominators + rounding paid is its share
    /// of the validator pot, to the rao.</summary>
    public bool Reconciles => EpochRecomputedExactly && PostingsRecomputedExactly && TermsMatch && IncentiveMatchesServerEmission && PayoutMatches;
}

/// <summary>The subnet has no such epoch or the epoch no such uid: bad input (exit 2), named by field.</summary>
public sealed class NotFoundException(string field, string reason) : Exception($"{field}: {reason}")
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}

public sealed class ExplainEmissionHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits)
    : IQueryHandler<ExplainEmission, EmissionExplanation>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);

    public async ValueTask<EmissionExplanation> Handle(ExplainEmission query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var ct = cancellationToken;
        await _models.ReadyAsync(ct).ConfigureAwait(false);
        var netuid = (int)query.NetUid.Value;
        var uid = query.Uid.Value;

        long epochSeq;
        ulong block;
        await using (var cmd = dataSource.CreateCommand($"select seq_id, block from {EmissionHistoryProjection.HistoryTable} where netuid = @n and epoch = @e limit 1"))
        {
            cmd.Parameters.AddWithValue("n", netuid);
            cmd.Parameters.AddWithValue("e", checked((long)query.Epoch));
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await r.ReadAsync(ct).ConfigureAwait(false))
            {
                throw new NotFoundException("epoch", $"subnet {query.NetUid} has no completed epoch {query.Epoch}");
            }

            (epochSeq, block) = (r.GetInt64(0), checked((ulong)r.GetInt64(1)));
        }

        long? postedAt;
        await using (var cmd = dataSource.CreateCommand($"select min(seq_id) from {EmissionHistoryProjection.PostingTable} where netuid = @n and epoch = @e"))
        {
            cmd.Parameters.AddWithValue("n", netuid);
            cmd.Parameters.AddWithValue("e", checked((long)query.Epoch));
            postedAt = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
        }

        // The engine as the consensus handler had it: every stored event before the epoch's own, in sequence order.
        var engine = new LedgerEngine();
        EpochCompleted? recorded = null;
        SubnetEmissionPosted? posted = null;
        long? postedSeq = null;
        await using (var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false))
        {
            await using var cmd = new NpgsqlCommand(
                $"select seq_id, type, data from {LedgerStore.Schema}.mt_events where is_archived = false and seq_id <= @to order by seq_id", connection);
            cmd.Parameters.AddWithValue("to", Math.Max(epochSeq, postedAt ?? epochSeq));
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var seq = reader.GetInt64(0);
                var e = stored.Read(seq, reader.GetString(1), reader, 2);
                if (seq < epochSeq)
                {
                    if (!engine.TryApply(e, out var violation))
                    {
                        throw new InvalidOperationException($"stored event {seq} breaks a ledger rule: {violation}");
                    }
                }
                else if (seq == epochSeq)
                {
                    recorded = (EpochCompleted)e;
                }
                else if (seq == postedAt && e is SubnetEmissionPosted p)
                {
                    (posted, postedSeq) = (p, seq);
                    break;
                }
            }
        }

        var terms = recorded!.Terms.FirstOrDefault(t => t.Uid == query.Uid)
            ?? throw new NotFoundException("uid", $"epoch {query.Epoch} of subnet {query.NetUid} has no uid {uid} (n = {recorded.Terms.Length})");

        engine.AdvanceTo(recorded.Block);
        var (validatorPot, payoutsByUid) = ValidatorPayouts(engine, query.NetUid, recorded);
        var recomputed = engine.ComputeEpoch(query.NetUid, recorded.Rules.Schedule);
        var (_, traced) = YumaMechanisms.Run([.. recomputed.Inputs.Select(i => i with { Trace = true })], recorded.Emission.Value);

        var weightSeqs = await WeightSeqsAsync(netuid, epochSeq, ct).ConfigureAwait(false);
        var previousBonds = await PreviousBondsSeqAsync(netuid, query.Epoch, uid, ct).ConfigureAwait(false);
        var mechanisms = new List<MechanismExplanation>();
        for (var m = 0; m < traced.Length; m++)
        {
            var source = m;
            mechanisms.Add(MechanismExplanation.Of((ushort)m, recomputed.Inputs[m], traced[m].Trace!, query.Uid.Value,
                v => engine.State.Subnet(query.NetUid)!.HotkeyAt(new Uid(v)).Address,
                v => weightSeqs.GetValueOrDefault(((ushort)source, v)),
                recorded.Bonds.FirstOrDefault(b => b.Mechanism == m && b.Uid == query.Uid)?.Row.Select(b => new BondEntry(b.Uid, b.Value)).ToList() ?? [],
                previousBonds.TryGetValue((ushort)m, out var previousSeq) ? previousSeq : null));
        }

        var postings = posted?.Postings.Select((p, i) => (Line: new PostingLine(postedSeq!.Value, i, p.Reason.ToString(), p.From.ToString(), p.To.ToString(), p.Amount.Value), p.Uid, p.IsAccrual)).ToList() ?? [];
        var payouts = postings.Where(p => p.Uid == query.Uid).Select(p => p.Line).ToList();
        ulong Sum(params string[] reasons) => payouts.Where(p => reasons.Contains(p.Reason)).Aggregate(0UL, (s, p) => checked(s + p.Amount));
        var incentivePaid = Sum(nameof(PostingReason.Incentive), nameof(PostingReason.OwnerIncentiveBurned), nameof(PostingReason.OwnerIncentiveRecycled));
        var validatorPaid = Sum(nameof(PostingReason.ValidatorTake), nameof(PostingReason.NominatorDividend), nameof(PostingReason.Rounding));

        var (stakeChanges, lastStakeSeqs) = await StakeProvenanceAsync(netuid, terms.Hotkey.Address, epochSeq, ct).ConfigureAwait(false);
        var registeredSeq = await RegisteredSeqAsync(netuid, uid, epochSeq, ct).ConfigureAwait(false);
        return new EmissionExplanation(
            query.NetUid.Value, query.Epoch, uid, block, terms.Hotkey.Address, terms.Coldkey.Address, epochSeq, postedSeq, registeredSeq,
            recomputed.Inputs[0].StakeAlphaRao[uid], terms.StakeWeight, stakeChanges, lastStakeSeqs, mechanisms,
            recorded.Emission.Value, [.. postings.Where(p => p.IsAccrual).Select(p => p.Line)], payouts,
            [.. postings.Where(p => p.Uid is null && !p.IsAccrual && p.Line.Reason == nameof(PostingReason.Rounding)).Select(p => p.Line)],
            terms.ServerEmission.Value, terms.ValidatorEmission.Value, incentivePaid, validatorPaid, validatorPot, payoutsByUid[uid],
            stored.Json(recomputed.Completed) == stored.Json(recorded),
            posted is not null && stored.Json(recomputed.Posted) == stored.Json(posted),
            recomputed.Completed.Terms.FirstOrDefault(t => t.Uid == query.Uid) == terms,
            incentivePaid == terms.ServerEmission.Value,
            validatorPaid == payoutsByUid[uid]);
    }

    /// <summary>The validator pot the epoch drained and each uid's share of it, as the distribution computes them
    /// (LedgerEngine.Distribute, spec §4.8): incentives draw on the server pot first; the validator pot (both pots when
    /// no incentive was earned), capped at what is left, is split in proportion to Yuma's validator emission.</summary>
    private static (ulong Pot, ulong[] Payouts) ValidatorPayouts(LedgerEngine engine, NetUid netUid, EpochCompleted recorded)
    {
        var books = engine.State.Books;
        var alpha = Asset.Alpha(netUid);
        var pendingServer = (ulong)books.Balance(Account.Of(alpha, AccountKind.PendingServer));
        var pendingValidator = (ulong)(books.Balance(Account.Of(alpha, AccountKind.PendingValidator)) + books.Balance(Account.Of(alpha, AccountKind.PendingRoot)));
        var incentive = recorded.Terms.Aggregate(0UL, (s, t) => checked(s + t.ServerEmission.Value));
        var fromServer = Math.Min(incentive, pendingServer);
        var left = pendingServer - fromServer + (pendingValidator - Math.Min(incentive - fromServer, pendingValidator));
        var pot = Math.Min(incentive == 0 ? pendingValidator + pendingServer : pendingValidator, left);
        var payouts = new ulong[recorded.Terms.Length];
        Bittensor.Ledger.Consensus.Emission.Coinbase.ValidatorPayouts(pot, [.. recorded.Terms.Select(t => t.ValidatorEmission.Value)], payouts);
        return (pot, payouts);
    }

    /// <summary>The weights_set in force for each (mechanism, validator uid) when the epoch ran.</summary>
    private async Task<Dictionary<(ushort, ushort), (long? Seq, ulong? Block)>> WeightSeqsAsync(int netuid, long epochSeq, CancellationToken ct)
    {
        var result = new Dictionary<(ushort, ushort), (long?, ulong?)>();
        await using var cmd = dataSource.CreateCommand(
            $"select distinct on (mechanism, uid) mechanism, uid, seq_id, block from {WeightsHistoryProjection.Table} " +
            "where netuid = @n and seq_id < @seq order by mechanism, uid, seq_id desc");
        cmd.Parameters.AddWithValue("n", netuid);
        cmd.Parameters.AddWithValue("seq", epochSeq);
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            result[(checked((ushort)r.GetInt32(0)), checked((ushort)r.GetInt32(1)))] = (r.GetInt64(2), checked((ulong)r.GetInt64(3)));
        }

        return result;
    }

    private async Task<Dictionary<ushort, long>> PreviousBondsSeqAsync(int netuid, ulong epoch, int uid, CancellationToken ct)
    {
        var result = new Dictionary<ushort, long>();
        await using var cmd = dataSource.CreateCommand(
            $"select distinct on (mechanism) mechanism, seq_id from {BondsHistoryProjection.Table} where netuid = @n and uid = @u and epoch < @e order by mechanism, epoch desc");
        cmd.Parameters.AddWithValue("n", netuid);
        cmd.Parameters.AddWithValue("u", uid);
        cmd.Parameters.AddWithValue("e", checked((long)epoch));
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            result[checked((ushort)r.GetInt32(0))] = r.GetInt64(1);
        }

        return result;
    }

    private async Task<(int Count, IReadOnlyList<long> Last)> StakeProvenanceAsync(int netuid, string hotkey, long epochSeq, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select count(*) over (), seq_id from {StakeLedgerProjection.HistoryTable} where hotkey = @h and netuid = @n and seq_id < @seq order by seq_id desc limit 10");
        cmd.Parameters.AddWithValue("h", hotkey);
        cmd.Parameters.AddWithValue("n", netuid);
        cmd.Parameters.AddWithValue("seq", epochSeq);
        var seqs = new List<long>();
        long count = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            count = r.GetInt64(0);
            seqs.Add(r.GetInt64(1));
        }

        return (checked((int)count), seqs);
    }

    private async Task<long?> RegisteredSeqAsync(int netuid, int uid, long epochSeq, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select seq_id from {NeuronHistoryProjection.Table} where netuid = @n and uid = @u and seq_id < @seq order by seq_id desc limit 1");
        cmd.Parameters.AddWithValue("n", netuid);
        cmd.Parameters.AddWithValue("u", uid);
        cmd.Parameters.AddWithValue("seq", epochSeq);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?;
    }
}
