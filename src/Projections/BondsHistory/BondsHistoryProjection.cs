using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.BondsHistory;

/// <summary>Every validator's bonds row after each epoch, per (netuid, epoch, mechanism, validator uid), as the
/// <see cref="EpochCompleted"/> event stored them (u16 values, sparse).</summary>
public sealed class BondsHistoryProjection : IFlatProjection
{
    public const string Table = "ledger.bonds_history";

    public BondsHistoryProjection()
    {
        var t = Sql.NewTable("bonds_history");
        t.AddColumn<int>("netuid").AsPrimaryKey();
        t.AddColumn<long>("epoch").AsPrimaryKey();
        t.AddColumn<int>("mechanism").AsPrimaryKey();
        t.AddColumn<int>("uid").AsPrimaryKey();
        t.AddColumn<long>("block").NotNull();
        t.AddColumn<long>("seq_id").NotNull();
        t.AddColumn<string>("hotkey");
        t.AddColumn("uids", "integer[]").NotNull();
        t.AddColumn("bonds", "integer[]").NotNull();
        t.Index("ix_bonds_history_validator", "netuid", "uid", "epoch");
        Tables = [t];
        DigestQueries = [Sql.DigestQuery(t, "netuid", "epoch", "mechanism", "uid")];
    }

    public string Name => "bonds";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes { get; } = new HashSet<Type> { typeof(EpochCompleted) };

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private sealed class Run : IProjectionRun
    {
        private readonly List<(long Seq, EpochCompleted Epoch, EpochBondsRow Row, string? Hotkey)> _rows = [];

        public void Apply(in SequencedEvent e)
        {
            if (e.Event is not EpochCompleted c)
            {
                return;
            }

            var hotkeys = c.Terms.ToDictionary(t => t.Uid, t => t.Hotkey.Address);
            foreach (var row in c.Bonds)
            {
                _rows.Add((e.Seq, c, row, hotkeys.GetValueOrDefault(row.Uid)));
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await Copy.RowsAsync(connection, $"{Table} (netuid, epoch, mechanism, uid, block, seq_id, hotkey, uids, bonds)", _rows,
                static (w, r) =>
                {
                    w.Int(r.Epoch.NetUid.Value);
                    w.Long(r.Epoch.Epoch);
                    w.Int(r.Row.Mechanism);
                    w.Int(r.Row.Uid.Value);
                    w.Long(r.Epoch.Block.Value);
                    w.Long(r.Seq);
                    w.Text(r.Hotkey);
                    w.Ints([.. r.Row.Row.Select(x => (int)x.Uid)]);
                    w.Ints([.. r.Row.Row.Select(x => (int)x.Value)]);
                }, ct).ConfigureAwait(false);
            _rows.Clear();
        }
    }
}
