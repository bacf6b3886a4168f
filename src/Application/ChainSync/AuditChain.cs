using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Ledger.Application.Audit;
using Bittensor.Ledger.Application.Store;
using Bittensor.Ledger.Chain.Audit;
using Bittensor.Ledger.Chain.Readers;
using Bittensor.Ledger.Domain;
using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Domain.Primitives;
using Bittensor.Ledger.Projections.ChainHistory;
using FluentValidation;
using Marten;
using Mediator;
using Npgsql;

namespace Bittensor.Ledger.Application.ChainSync;

/// <summary>
/// Recompute every observed epoch in range with the fixed-point port under the rule set of its spec
/// (<see cref="EpochAudit"/>) and compare it bit for bit with what the chain wrote; store each verdict as an
/// <see cref="EpochAudited"/> fact (a verdict already stored is not stored again; a changed one is, and the latest
/// counts). Runs on what the event store holds: the node is not asked.
/// </summary>
public sealed record AuditChain(ushort? Netuid = null, long? FromBlock = null, long? ToBlock = null) : ICommand<ChainAuditReport>
{
    public sealed class Validator : AbstractValidator<AuditChain>
    {
        public Validator()
        {
            RuleFor(x => x.FromBlock).GreaterThanOrEqualTo(0).WithName("--from-block");
            RuleFor(x => x.ToBlock).GreaterThanOrEqualTo(x => x.FromBlock ?? 0).When(x => x.ToBlock.HasValue).WithName("--to-block").WithMessage("must not be before --from-block");
        }
    }
}

/// <summary>Every epoch's verdict, in (netuid, block) order, and how many were stored by this run.</summary>
public sealed record ChainAuditReport(IReadOnlyList<EpochAudited> Epochs, int Stored)
{
    public int Matched => Epochs.Count(e => e.Verdict == Verdicts.Match);

    public int Differed => Epochs.Count(e => e.Verdict == Verdicts.Differs);

    public int Incomplete => Epochs.Count(e => e.Verdict == Verdicts.Incomplete);
}

public sealed class AuditChainHandler(IDocumentStore store, NpgsqlDataSource dataSource, SchemaReady schema, StoredEvents stored, LockWaits waits)
    : ICommandHandler<AuditChain, ChainAuditReport>
{
    private readonly AuditReadModels _models = new(store, dataSource, schema, waits);
    private readonly StoredEvents _stored = stored;

    public async ValueTask<ChainAuditReport> Handle(AuditChain command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _models.ReadyAsync(cancellationToken).ConfigureAwait(false);
        var dataSource = _models.DataSource;
        if (command.Netuid is { } netuid)
        {
            await EnsureSyncedAsync(dataSource, netuid, cancellationToken).ConfigureAwait(false);
        }

        var pairs = await EpochPairsAsync(dataSource, command, cancellationToken).ConfigureAwait(false);
        var verdicts = new List<EpochAudited>(pairs.Count);
        var keyed = new List<KeyedEvent>(pairs.Count);
        foreach (var (inputsSeq, outputsSeq) in pairs)
        {
            var facts = await LoadAsync(dataSource, [inputsSeq, outputsSeq], cancellationToken).ConfigureAwait(false);
            var inputs = (EpochInputsObserved)facts[inputsSeq];
            var outputs = (EpochOutputsObserved)facts[outputsSeq];
            var verdict = Judge(inputs, outputs);
            verdicts.Add(verdict);
            keyed.Add(new KeyedEvent(verdict, NaturalKey(verdict)));
        }

        var appended = 0;
        if (keyed.Count > 0)
        {
            await using var writer = await WriterLock.AcquireAsync(dataSource, cancellationToken, waits.Report).ConfigureAwait(false);
            var existing = await NaturalKeys.ExistingAsync(dataSource, [.. keyed.Select(k => k.NaturalKey)], cancellationToken).ConfigureAwait(false);
            var fresh = keyed.Where(k => !existing.Contains(k.NaturalKey)).ToList();
            await new EventBatchWriter(dataSource, _stored).AppendAsync(fresh, cancellationToken).ConfigureAwait(false);
            appended = fresh.Count;
        }

        return new ChainAuditReport(verdicts, appended);
    }

    /// <summary>The verdict on one stored epoch, as a fact.</summary>
    public static EpochAudited Judge(EpochInputsObserved inputs, EpochOutputsObserved outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EpochVerdict verdict;
        try
        {
            verdict = EpochAudit.Audit(ObservedFacts.ToEpoch(inputs, outputs));
        }
        catch (Exception e) when (e is UnsupportedSpecException or ChainLayoutException)
        {
            verdict = new EpochVerdict(inputs.NetUid.Value, checked((long)inputs.Block.Value), inputs.SpecVersion, inputs.Mechanisms,
                EpochOutcome.Incomplete, [.. inputs.ExcludedUids], [], [], inputs.RuntimeUpgrade, [], e.Message);
        }

        var first = verdict.FirstDifference;
        return new EpochAudited(
            inputs.Block, inputs.NetUid, verdict.SpecVersion, Verdicts.RuleSet(verdict.SpecVersion), verdict.Mechanisms,
            Verdicts.Of(verdict.Outcome), [.. verdict.ExcludedUids],
            first is null ? null : new AuditDifference(first.Field, first.Mechanism, first.Uid, first.Chain, first.Ledger),
            verdict.Differences.Count, [.. verdict.NotCompared], [.. verdict.Caveats], verdict.Reason, verdict.RuntimeUpgrade,
            verdict.RaoEmission, verdict.RaoEmissionInferred);
    }

    /// <summary>One key per distinct verdict of an epoch: auditing again with the same result stores nothing; a port
    /// or decoder fix that changes the verdict stores the new one.</summary>
    private static string NaturalKey(EpochAudited verdict)
    {
        var text = string.Join('|', verdict.Verdict, verdict.RuleSet, verdict.FirstDifference?.ToString() ?? "", verdict.Differences,
            string.Join(',', verdict.NotCompared), verdict.Reason ?? "");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        return string.Create(CultureInfo.InvariantCulture, $"chain-audit:{verdict.NetUid.Value}:{verdict.Block.Value}:{hash}");
    }

    private static async Task EnsureSyncedAsync(NpgsqlDataSource dataSource, ushort netuid, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"select exists (select 1 from {ChainCheckpoints.QualifiedName} where netuid = @n)");
        cmd.Parameters.AddWithValue("n", (int)netuid);
        if (!(bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
        {
            throw new NotFoundException("netuid", string.Create(CultureInfo.InvariantCulture, $"subnet {netuid} was never synced into this ledger; run `ledger chain sync --netuid {netuid} …` first"));
        }
    }

    /// <summary>The (inputs, outputs) sequence numbers of every observed epoch in range, in (netuid, block) order.</summary>
    private static async Task<List<(long Inputs, long Outputs)>> EpochPairsAsync(NpgsqlDataSource dataSource, AuditChain command, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select max(i.seq_id), max(o.seq_id) from {ChainHistoryProjection.InputsTable} i join {ChainHistoryProjection.OutputsTable} o on o.netuid = i.netuid and o.block = i.block " +
            "where (@netuid::int is null or i.netuid = @netuid) and (@from::bigint is null or i.block >= @from) and (@to::bigint is null or i.block <= @to) " +
            "group by i.netuid, i.block order by i.netuid, i.block");
        cmd.Parameters.Add(new NpgsqlParameter("netuid", NpgsqlTypes.NpgsqlDbType.Integer) { Value = command.Netuid is { } n ? (int)n : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = command.FromBlock is { } f ? f : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = command.ToBlock is { } t ? t : DBNull.Value });
        var pairs = new List<(long, long)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            pairs.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return pairs;
    }

    private async Task<Dictionary<long, ILedgerEvent>> LoadAsync(NpgsqlDataSource dataSource, long[] seqs, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"select seq_id, type, data from {LedgerStore.Schema}.mt_events where seq_id = any(@s)");
        cmd.Parameters.AddWithValue("s", seqs);
        var found = new Dictionary<long, ILedgerEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var seq = reader.GetInt64(0);
            found[seq] = _stored.Read(seq, reader.GetString(1), reader, 2);
        }

        return found;
    }
}
