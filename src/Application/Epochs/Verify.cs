using System.Buffers;
using Bittensor.Ledger.Domain.Epochs;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Domain.Primitives;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.Epochs;

/// <summary>Recheck the whole history (`ledger verify`): replay every stored event in order on a fresh engine,
/// recompute every epoch and compare it with the recorded one, and check the books' identities after every block
/// and every epoch.</summary>
public sealed record VerifyLedger(IProgress<long>? Progress = null) : IQuery<VerifyReport>;

/// <summary>One way the history broke: where, and why.</summary>
public sealed record VerifyFinding(Block Block, long Sequence, string Reason);

public sealed record VerifyReport(long Events, long Epochs, long EpochsMatching, IReadOnlyList<IdentityResult> Identities, IReadOnlyList<VerifyFinding> Findings)
{
    public bool Holds => Findings.Count == 0 && Identities.All(i => i.Holds);

    /// <summary>Runs that started writing this ledger and did not complete (a killed simulation): what is stored may
    /// hold, but it is not the whole of what was asked for.</summary>
    public IReadOnlyList<LedgerRun> Incomplete { get; init; } = [];

    public bool Complete => Incomplete.Count == 0;

    /// <summary>The earliest block where anything broke.</summary>
    public Block? FirstBroken => Findings.Select(f => (Block?)f.Block)
        .Concat(Identities.Where(i => !i.Holds).Select(i => i.FirstBroken))
        .Min();
}

public sealed class VerifyLedgerHandler(NpgsqlDataSource dataSource, StoredEvents stored, SchemaReady schema) : IQueryHandler<VerifyLedger, VerifyReport>
{
    private const int MaxFindings = 20;

    public async ValueTask<VerifyReport> Handle(VerifyLedger query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var engine = new LedgerEngine();
        var conservation = new Conservation();
        var findings = new List<VerifyFinding>();
        long events = 0, epochs = 0, matching = 0;
        EpochResult? expected = null;
        EpochCompleted? completed = null;
        Block? lastBlock = null;

        // Bit for bit is: the recomputed event serializes to the same JSON as the recorded one. Two reused buffers keep
        // the 100–400 kB per epoch off the large-object heap (issue 12).
        var recomputedJson = new ArrayBufferWriter<byte>();
        var recordedJson = new ArrayBufferWriter<byte>();
        bool Same(ILedgerEvent recomputed, ILedgerEvent recorded) =>
            stored.Utf8Json(recomputedJson, recomputed).SequenceEqual(stored.Utf8Json(recordedJson, recorded));

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var (seq, e) in stored.ReadAsync(connection, 0, cancellationToken).ConfigureAwait(false))
        {
            if (findings.Count >= MaxFindings)
            {
                break;
            }

            events++;
            if (lastBlock is { } last && e.Block > last)
            {
                conservation.CheckBooks(engine, last);
            }

            lastBlock = e.Block;
            switch (e)
            {
                case EpochCompleted c:
                    epochs++;
                    completed = c;
                    expected = Recompute(engine, c, seq, findings);
                    if (expected is not null && Same(expected.Completed, c))
                    {
                        matching++;
                    }
                    else if (expected is not null)
                    {
                        findings.Add(new VerifyFinding(c.Block, seq, $"subnet {c.NetUid} epoch {c.Epoch}: the recorded epoch_completed differs from its recomputation ({Difference(c, expected.Completed)})"));
                    }

                    break;
                case SubnetEmissionPosted p when expected is not null && !Same(expected.Posted, p):
                    findings.Add(new VerifyFinding(p.Block, seq, $"subnet {p.NetUid} epoch {p.Epoch}: the recorded postings differ from the distribution recomputed from the recorded state"));
                    break;
            }

            if (!engine.TryApply(e, out var violation))
            {
                findings.Add(new VerifyFinding(e.Block, seq, $"{e.GetType().Name} breaks a ledger rule: {violation}"));
                break;
            }

            if (e is SubnetEmissionPosted posted && completed is not null)
            {
                conservation.CheckEpoch(engine, completed, posted);
                completed = null;
                expected = null;
            }

            if (events % 10_000 == 0)
            {
                query.Progress?.Report(events);
            }
        }

        if (lastBlock is { } end)
        {
            conservation.CheckBooks(engine, end);
        }

        return new VerifyReport(events, epochs, matching, conservation.Results, findings)
        {
            Incomplete = await LedgerRuns.IncompleteAsync(dataSource, cancellationToken).ConfigureAwait(false),
        };
    }

    private static EpochResult? Recompute(LedgerEngine engine, EpochCompleted recorded, long seq, List<VerifyFinding> findings)
    {
        var subnet = engine.State.Subnet(recorded.NetUid);
        if (subnet is null)
        {
            return null; // the rule check that follows names it
        }

        engine.AdvanceTo(recorded.Block);
        var schedule = recorded.Rules.Schedule;
        if (!engine.IsDue(recorded.NetUid, recorded.Block, schedule))
        {
            findings.Add(new VerifyFinding(recorded.Block, seq, $"subnet {recorded.NetUid} epoch {recorded.Epoch}: not due at block {recorded.Block} by the {schedule} schedule"));
        }

        return engine.ComputeEpoch(recorded.NetUid, schedule);
    }

    private static string Difference(EpochCompleted recorded, EpochCompleted recomputed)
    {
        if (recorded.InputDigest != recomputed.InputDigest)
        {
            return "its inputs differ: input digest " + recorded.InputDigest + " recorded, " + recomputed.InputDigest + " recomputed";
        }

        if (recorded.Emission != recomputed.Emission)
        {
            return $"drained {recorded.Emission} recorded, {recomputed.Emission} recomputed";
        }

        var uid = recorded.Terms.Zip(recomputed.Terms).Select((t, i) => (t, i)).FirstOrDefault(x => x.t.First != x.t.Second);
        return uid.t.First is not null ? $"uid {uid.i} terms differ" : "rules or bonds differ";
    }
}
