using System.Numerics;
using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.StakeLedger;

/// <summary>Alpha staked per (netuid, hotkey, coldkey): every change with the balance after it
/// (<c>stake_history</c>, for as-of-block answers) and the balance now (<c>stake_balance</c>). Changes are the stake
/// accounts' side of the books' postings: stake facts and the epoch's emission credited as stake.</summary>
public sealed class StakeLedgerProjection : IFlatProjection
{
    public const string HistoryTable = "ledger.stake_history";
    public const string BalanceTable = "ledger.stake_balance";

    public StakeLedgerProjection()
    {
        var history = Sql.NewTable("stake_history");
        history.AddColumn<long>("seq_id").AsPrimaryKey();
        history.AddColumn<int>("ordinal").AsPrimaryKey();
        history.AddColumn<long>("block").NotNull();
        history.AddColumn<int>("netuid").NotNull();
        history.AddColumn<string>("hotkey").NotNull();
        history.AddColumn<string>("coldkey").NotNull();
        history.AddColumn("delta", "numeric").NotNull();
        history.AddColumn("balance", "numeric").NotNull();
        history.AddColumn<string>("reason").NotNull();
        history.Index("ix_stake_history_coldkey", "coldkey", "block", "seq_id");
        history.Index("ix_stake_history_hotkey", "hotkey", "netuid", "block", "seq_id");

        var balance = Sql.NewTable("stake_balance");
        balance.AddColumn<int>("netuid").AsPrimaryKey();
        balance.AddColumn<string>("hotkey").AsPrimaryKey();
        balance.AddColumn<string>("coldkey").AsPrimaryKey();
        balance.AddColumn("balance", "numeric").NotNull();
        balance.AddColumn<long>("block").NotNull();
        balance.AddColumn<long>("seq_id").NotNull();
        balance.Index("ix_stake_balance_coldkey", "coldkey");
        balance.Index("ix_stake_balance_hotkey", "hotkey");
        Tables = [history, balance];
        DigestQueries = [Sql.DigestQuery(history, "seq_id", "ordinal"), Sql.DigestQuery(balance, "netuid", "hotkey", "coldkey")];
    }

    public string Name => "stake";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes => Postings.EventTypes;

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private readonly record struct Key(int NetUid, string Hotkey, string Coldkey);

    private readonly record struct Change(long Seq, int Ordinal, ulong Block, Key Key, long Delta, string Reason);

    private sealed class Run : IProjectionRun
    {
        // Balances known in this run: loaded from stake_balance on first touch, then kept up to date in memory.
        // long, checked: every balance and change is bounded by an asset's 21e15-rao supply, far inside long.
        private readonly Dictionary<Key, long> _balances = [];
        private readonly List<Change> _pending = [];

        // When the run starts on empty tables (a rebuild, a fresh database's first catch-up), stake_balance is written
        // once, by COPY, when the run completes: its final state, instead of upserting the same keys on every page.
        // Its rows are the last stake_history row of each key, so until then they are missing, not wrong: a run that
        // stops before completing leaves stake_history with an empty stake_balance, and the next run derives it
        // (HealAsync) before it projects anything.
        private bool? _deferred;
        private readonly Dictionary<Key, (ulong Block, long Seq)> _last = [];

        public void Apply(in SequencedEvent e)
        {
            var postings = Postings.For(e.Event);
            for (var i = 0; i < postings.Count; i++)
            {
                var p = postings[i];
                var reason = p.Reason.ToString();
                if (p.From.Kind == AccountKind.Stake)
                {
                    _pending.Add(new Change(e.Seq, 2 * i, e.Event.Block.Value, KeyOf(p.From), -checked((long)p.Amount.Value), reason));
                }

                if (p.To.Kind == AccountKind.Stake)
                {
                    _pending.Add(new Change(e.Seq, 2 * i + 1, e.Event.Block.Value, KeyOf(p.To), checked((long)p.Amount.Value), reason));
                }
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            _deferred ??= await StartAsync(connection, ct).ConfigureAwait(false);
            if (_pending.Count == 0)
            {
                return;
            }

            if (_deferred is false)
            {
                await LoadAsync(connection, ct).ConfigureAwait(false);
            }

            var rows = new List<(Change Change, long Balance)>(_pending.Count);
            var touched = new Dictionary<Key, (long Balance, ulong Block, long Seq)>();
            foreach (var c in _pending)
            {
                var balance = checked(_balances.GetValueOrDefault(c.Key) + c.Delta);
                _balances[c.Key] = balance;
                rows.Add((c, balance));
                if (_deferred is true)
                {
                    _last[c.Key] = (c.Block, c.Seq);
                }
                else
                {
                    touched[c.Key] = (balance, c.Block, c.Seq);
                }
            }

            await Copy.RowsAsync(connection, $"{HistoryTable} (seq_id, ordinal, block, netuid, hotkey, coldkey, delta, balance, reason)", rows,
                static (w, r) =>
                {
                    w.Long(r.Change.Seq);
                    w.Int(r.Change.Ordinal);
                    w.Long(r.Change.Block);
                    w.Int(r.Change.Key.NetUid);
                    w.Text(r.Change.Key.Hotkey);
                    w.Text(r.Change.Key.Coldkey);
                    w.Numeric(r.Change.Delta);
                    w.Numeric(r.Balance);
                    w.Text(r.Change.Reason);
                }, ct).ConfigureAwait(false);
            _pending.Clear();
            if (touched.Count == 0)
            {
                return;
            }

            var keys = touched.Keys.ToArray();
            await using var cmd = new NpgsqlCommand(
                $"insert into {BalanceTable} as s (netuid, hotkey, coldkey, balance, block, seq_id) " +
                "select * from unnest(@n::int[], @h::text[], @c::text[], @b::numeric[], @blk::bigint[], @seq::bigint[]) " +
                "on conflict (netuid, hotkey, coldkey) do update set balance = excluded.balance, block = excluded.block, seq_id = excluded.seq_id", connection);
            cmd.Parameters.AddWithValue("n", keys.Select(k => k.NetUid).ToArray());
            cmd.Parameters.AddWithValue("h", keys.Select(k => k.Hotkey).ToArray());
            cmd.Parameters.AddWithValue("c", keys.Select(k => k.Coldkey).ToArray());
            cmd.Parameters.AddWithValue("b", keys.Select(k => (decimal)touched[k].Balance).ToArray());
            cmd.Parameters.AddWithValue("blk", keys.Select(k => checked((long)touched[k].Block)).ToArray());
            cmd.Parameters.AddWithValue("seq", keys.Select(k => touched[k].Seq).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        public async Task CompleteAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            if (_deferred is not true)
            {
                return;
            }

            await Copy.RowsAsync(connection, $"{BalanceTable} (netuid, hotkey, coldkey, balance, block, seq_id)", _last.ToList(),
                (w, r) =>
                {
                    w.Int(r.Key.NetUid);
                    w.Text(r.Key.Hotkey);
                    w.Text(r.Key.Coldkey);
                    w.Numeric(_balances[r.Key]);
                    w.Long(r.Value.Block);
                    w.Long(r.Value.Seq);
                }, ct).ConfigureAwait(false);
            _last.Clear();
            _deferred = false;
        }

        /// <summary>True when both tables are empty (stake_balance is then written when the run completes). A
        /// stake_history with an empty stake_balance is what a run that deferred it and stopped left: the balances
        /// are derived from it first, each key's last change (its balance after, block and event), which is what
        /// the upsert of every page writes.</summary>
        private static async Task<bool> StartAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            bool history, balance;
            await using (var probe = new NpgsqlCommand(
                $"select exists (select 1 from {HistoryTable}), exists (select 1 from {BalanceTable})", connection))
            await using (var reader = await probe.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                history = reader.GetBoolean(0);
                balance = reader.GetBoolean(1);
            }

            if (history && !balance)
            {
                await using var heal = new NpgsqlCommand(
                    $"insert into {BalanceTable} (netuid, hotkey, coldkey, balance, block, seq_id) " +
                    $"select distinct on (netuid, hotkey, coldkey) netuid, hotkey, coldkey, balance, block, seq_id from {HistoryTable} " +
                    "order by netuid, hotkey, coldkey, seq_id desc, ordinal desc", connection);
                heal.CommandTimeout = 0;
                await heal.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return !history && !balance;
        }

        private async Task LoadAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            var missing = _pending.Select(c => c.Key).Where(k => !_balances.ContainsKey(k)).Distinct().ToArray();
            if (missing.Length == 0)
            {
                return;
            }

            foreach (var k in missing)
            {
                _balances[k] = 0;
            }

            await using var cmd = new NpgsqlCommand(
                $"select b.netuid, b.hotkey, b.coldkey, b.balance from {BalanceTable} b " +
                "join unnest(@n::int[], @h::text[], @c::text[]) as k(netuid, hotkey, coldkey) using (netuid, hotkey, coldkey)", connection);
            cmd.Parameters.AddWithValue("n", missing.Select(k => k.NetUid).ToArray());
            cmd.Parameters.AddWithValue("h", missing.Select(k => k.Hotkey).ToArray());
            cmd.Parameters.AddWithValue("c", missing.Select(k => k.Coldkey).ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                _balances[new Key(reader.GetInt32(0), reader.GetString(1), reader.GetString(2))] = checked((long)reader.GetFieldValue<BigInteger>(3));
            }
        }

        private static Key KeyOf(Account a) => new(a.Asset.Subnet!.Value.Value, a.Hotkey!.Value.Address, a.Coldkey!.Value.Address);
    }
}
