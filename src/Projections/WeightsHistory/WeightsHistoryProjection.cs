using Bittensor.Ledger.Domain.Weights;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.WeightsHistory;

/// <summary>Every weight submission per (netuid, validator): the stored, max-upscaled row of <see cref="WeightsSet"/>.
/// The weights in force for a validator at block B are its last row at or before B.</summary>
public sealed class WeightsHistoryProjection : IFlatProjection
{
    public const string Table = "ledger.weights_history";

    public WeightsHistoryProjection()
    {
        var t = Sql.NewTable("weights_history");
        t.AddColumn<long>("seq_id").AsPrimaryKey();
        t.AddColumn<int>("netuid").NotNull();
        t.AddColumn<int>("mechanism").NotNull();
        t.AddColumn<int>("uid").NotNull();
        t.AddColumn<string>("hotkey").NotNull();
        t.AddColumn<long>("block").NotNull();
        t.AddColumn("version_key", "numeric").NotNull();
        t.AddColumn("uids", "integer[]").NotNull();
        t.AddColumn("weights", "integer[]").NotNull();
        t.Index("ix_weights_history_validator", "netuid", "uid", "block", "seq_id");
        t.Index("ix_weights_history_hotkey", "hotkey", "block");
        Tables = [t];
        DigestQueries = [Sql.DigestQuery(t, "seq_id")];
    }

    public string Name => "weights";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes { get; } = new HashSet<Type> { typeof(WeightsSet) };

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private sealed class Run : IProjectionRun
    {
        private readonly List<(long Seq, WeightsSet W)> _rows = [];

        public void Apply(in SequencedEvent e)
        {
            if (e.Event is WeightsSet w)
            {
                _rows.Add((e.Seq, w));
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await Copy.RowsAsync(connection, $"{Table} (seq_id, netuid, mechanism, uid, hotkey, block, version_key, uids, weights)", _rows,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.W.NetUid.Value);
                    w.Int(r.W.Mechanism);
                    w.Int(r.W.Uid.Value);
                    w.Text(r.W.Hotkey.Address);
                    w.Long(r.W.Block.Value);
                    w.Numeric(r.W.VersionKey);
                    w.Ints([.. r.W.Uids.Select(u => (int)u)]);
                    w.Ints([.. r.W.Values.Select(v => (int)v)]);
                }, ct).ConfigureAwait(false);
            _rows.Clear();
        }
    }
}
