using Bittensor.Ledger.Domain.Chain;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.ChainHistory;

/// <summary>
/// What <c>ledger chain sync</c> recorded and what <c>ledger chain audit</c> concluded, as flat tables: one row per
/// observed SubtensorModule event, per observed epoch (inputs and outputs), and per verdict (the latest verdict of an
/// epoch is the one with the highest <c>seq_id</c>). The facts themselves, with their raw bytes, stay in the event log;
/// these tables find them by subnet and block.
/// </summary>
public sealed class ChainHistoryProjection : IFlatProjection
{
    public const string EventsTable = "ledger.chain_events";
    public const string InputsTable = "ledger.chain_epoch_inputs";
    public const string OutputsTable = "ledger.chain_epoch_outputs";
    public const string VerdictsTable = "ledger.chain_verdicts";

    public ChainHistoryProjection()
    {
        var events = Sql.NewTable("chain_events");
        events.AddColumn<long>("seq_id").AsPrimaryKey();
        events.AddColumn<int>("netuid").NotNull();
        events.AddColumn<long>("block").NotNull();
        events.AddColumn<int>("event_index").NotNull();
        events.AddColumn<string>("phase").NotNull();
        events.AddColumn<int>("extrinsic");
        events.AddColumn<string>("kind").NotNull();
        events.AddColumn<long>("spec_version").NotNull();
        events.Index("ix_chain_events_block", "netuid", "block", "event_index");

        var inputs = Sql.NewTable("chain_epoch_inputs");
        inputs.AddColumn<long>("seq_id").AsPrimaryKey();
        inputs.AddColumn<int>("netuid").NotNull();
        inputs.AddColumn<long>("block").NotNull();
        inputs.AddColumn<long>("spec_version").NotNull();
        inputs.AddColumn<long>("parent_spec_version").NotNull();
        inputs.AddColumn<int>("mechanisms").NotNull();
        inputs.AddColumn<bool>("runtime_upgrade").NotNull();
        inputs.AddColumn("excluded_uids", "integer[]").NotNull();
        inputs.Index("ix_chain_epoch_inputs_block", "netuid", "block");

        var outputs = Sql.NewTable("chain_epoch_outputs");
        outputs.AddColumn<long>("seq_id").AsPrimaryKey();
        outputs.AddColumn<int>("netuid").NotNull();
        outputs.AddColumn<long>("block").NotNull();
        outputs.AddColumn<long>("spec_version").NotNull();
        outputs.Index("ix_chain_epoch_outputs_block", "netuid", "block");

        var verdicts = Sql.NewTable("chain_verdicts");
        verdicts.AddColumn<long>("seq_id").AsPrimaryKey();
        verdicts.AddColumn<int>("netuid").NotNull();
        verdicts.AddColumn<long>("block").NotNull();
        verdicts.AddColumn<long>("spec_version").NotNull();
        verdicts.AddColumn<string>("rule_set").NotNull();
        verdicts.AddColumn<int>("mechanisms").NotNull();
        verdicts.AddColumn<string>("verdict").NotNull();
        verdicts.AddColumn("excluded_uids", "integer[]").NotNull();
        verdicts.AddColumn<string>("first_field");
        verdicts.AddColumn<int>("first_mechanism");
        verdicts.AddColumn<int>("first_uid");
        verdicts.AddColumn<string>("first_chain");
        verdicts.AddColumn<string>("first_ledger");
        verdicts.AddColumn<int>("differences").NotNull();
        verdicts.AddColumn("not_compared", "text[]").NotNull();
        verdicts.AddColumn<string>("reason");
        verdicts.AddColumn<bool>("runtime_upgrade").NotNull();
        verdicts.Index("ix_chain_verdicts_block", "netuid", "block", "seq_id");

        Tables = [events, inputs, outputs, verdicts];
        DigestQueries = [.. Tables.Select(t => Sql.DigestQuery(t, "seq_id"))];
    }

    public string Name => "chain";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes { get; } = new HashSet<Type>
    {
        typeof(ChainEventObserved), typeof(EpochInputsObserved), typeof(EpochOutputsObserved), typeof(EpochAudited),
    };

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private sealed class Run : IProjectionRun
    {
        private readonly List<(long Seq, ChainEventObserved E)> _events = [];
        private readonly List<(long Seq, EpochInputsObserved E)> _inputs = [];
        private readonly List<(long Seq, EpochOutputsObserved E)> _outputs = [];
        private readonly List<(long Seq, EpochAudited E)> _verdicts = [];

        public void Apply(in SequencedEvent e)
        {
            switch (e.Event)
            {
                case ChainEventObserved o:
                    _events.Add((e.Seq, o));
                    break;
                case EpochInputsObserved i:
                    _inputs.Add((e.Seq, i));
                    break;
                case EpochOutputsObserved o:
                    _outputs.Add((e.Seq, o));
                    break;
                case EpochAudited a:
                    _verdicts.Add((e.Seq, a));
                    break;
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await Copy.RowsAsync(connection, $"{EventsTable} (seq_id, netuid, block, event_index, phase, extrinsic, kind, spec_version)", _events,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.E.NetUid.Value);
                    w.Long(r.E.Block.Value);
                    w.Int(r.E.EventIndex);
                    w.Text(r.E.Phase);
                    NullableInt(w, r.E.Extrinsic);
                    w.Text(r.E.Kind);
                    w.Long(r.E.SpecVersion);
                }, ct).ConfigureAwait(false);
            await Copy.RowsAsync(connection, $"{InputsTable} (seq_id, netuid, block, spec_version, parent_spec_version, mechanisms, runtime_upgrade, excluded_uids)", _inputs,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.E.NetUid.Value);
                    w.Long(r.E.Block.Value);
                    w.Long(r.E.SpecVersion);
                    w.Long(r.E.ParentSpecVersion);
                    w.Int(r.E.Mechanisms);
                    w.Bool(r.E.RuntimeUpgrade);
                    w.Ints([.. r.E.ExcludedUids.Select(u => (int)u)]);
                }, ct).ConfigureAwait(false);
            await Copy.RowsAsync(connection, $"{OutputsTable} (seq_id, netuid, block, spec_version)", _outputs,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.E.NetUid.Value);
                    w.Long(r.E.Block.Value);
                    w.Long(r.E.SpecVersion);
                }, ct).ConfigureAwait(false);
            await Copy.RowsAsync(connection,
                $"{VerdictsTable} (seq_id, netuid, block, spec_version, rule_set, mechanisms, verdict, excluded_uids, first_field, first_mechanism, first_uid, first_chain, first_ledger, differences, not_compared, reason, runtime_upgrade)",
                _verdicts,
                static (w, r) =>
                {
                    var first = r.E.FirstDifference;
                    w.Long(r.Seq);
                    w.Int(r.E.NetUid.Value);
                    w.Long(r.E.Block.Value);
                    w.Long(r.E.SpecVersion);
                    w.Text(r.E.RuleSet);
                    w.Int(r.E.Mechanisms);
                    w.Text(r.E.Verdict);
                    w.Ints([.. r.E.ExcludedUids.Select(u => (int)u)]);
                    w.Text(first?.Field);
                    NullableInt(w, first?.Mechanism);
                    NullableInt(w, first?.Uid);
                    w.Text(first?.Chain);
                    w.Text(first?.Ledger);
                    w.Int(r.E.Differences);
                    w.Write(r.E.NotCompared.ToArray(), NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text);
                    w.Text(r.E.Reason);
                    w.Bool(r.E.RuntimeUpgrade);
                }, ct).ConfigureAwait(false);
            _events.Clear();
            _inputs.Clear();
            _outputs.Clear();
            _verdicts.Clear();
        }

        private static void NullableInt(NpgsqlBinaryImporter w, int? value)
        {
            if (value is { } v)
            {
                w.Int(v);
            }
            else
            {
                w.WriteNull();
            }
        }
    }
}
