using Bittensor.Ledger.Domain.Neurons;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.Metagraph;

/// <summary>Which hotkey held which uid from which block (<c>neuron_history</c>, one row per registration). The
/// metagraph at block B joins this with the stake ledger, the emission history and the weights history as of B.</summary>
public sealed class NeuronHistoryProjection : IFlatProjection
{
    public const string Table = "ledger.neuron_history";

    public NeuronHistoryProjection()
    {
        var t = Sql.NewTable("neuron_history");
        t.AddColumn<long>("seq_id").AsPrimaryKey();
        t.AddColumn<int>("netuid").NotNull();
        t.AddColumn<int>("uid").NotNull();
        t.AddColumn<long>("block").NotNull();
        t.AddColumn<string>("hotkey").NotNull();
        t.AddColumn<string>("coldkey").NotNull();
        t.AddColumn("burn_paid", "numeric").NotNull();
        t.AddColumn<string>("pruned_hotkey");
        t.Index("ix_neuron_history_uid", "netuid", "uid", "block", "seq_id");
        Tables = [t];
        DigestQueries = [Sql.DigestQuery(t, "seq_id")];
    }

    public string Name => "neurons";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes { get; } = new HashSet<Type> { typeof(NeuronRegistered) };

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private sealed class Run : IProjectionRun
    {
        private readonly List<(long Seq, NeuronRegistered N)> _rows = [];

        public void Apply(in SequencedEvent e)
        {
            if (e.Event is NeuronRegistered n)
            {
                _rows.Add((e.Seq, n));
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await Copy.RowsAsync(connection, $"{Table} (seq_id, netuid, uid, block, hotkey, coldkey, burn_paid, pruned_hotkey)", _rows,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.N.NetUid.Value);
                    w.Int(r.N.Uid.Value);
                    w.Long(r.N.Block.Value);
                    w.Text(r.N.Hotkey.Address);
                    w.Text(r.N.Coldkey.Address);
                    w.Numeric(r.N.BurnPaid.Value);
                    w.Text(r.N.PrunedHotkey?.Address);
                }, ct).ConfigureAwait(false);
            _rows.Clear();
        }
    }
}
