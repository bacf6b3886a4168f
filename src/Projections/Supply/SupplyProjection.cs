using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.Supply;

/// <summary>Net change per (asset, block, account kind) of the books: <c>supply_block</c>. Asset −1 is TAO, n ≥ 0 is
/// subnet n's alpha. Issuance at B = −Σ(unissued) − Σ(recycled) up to B (both start at supply and zero);
/// minted = what left unissued; staked = Σ stake (alpha) or Σ subnet_tao (TAO emitted into subnets). A subnet's
/// coinbase accrual is recorded with its epoch (<c>SubnetEmissionPosted</c>, blocks (FromBlock, Block]), so it is
/// booked at the epoch's block: figures are exact at epoch blocks and lag the accrual in between.</summary>
public sealed class SupplyProjection : IFlatProjection
{
    public const string Table = "ledger.supply_block";
    public const int Tao = -1;

    public SupplyProjection()
    {
        var t = Sql.NewTable("supply_block");
        t.AddColumn<int>("asset").AsPrimaryKey();
        t.AddColumn<long>("block").AsPrimaryKey();
        t.AddColumn<string>("kind").AsPrimaryKey();
        t.AddColumn("delta", "numeric").NotNull();
        Tables = [t];
        DigestQueries = [Sql.DigestQuery(t, "asset", "block", "kind")];
    }

    public string Name => "supply";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes => Postings.EventTypes;

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    public static int AssetId(Asset asset) => asset.Subnet is { } n ? n.Value : Tao;

    private sealed class Run : IProjectionRun
    {
        private readonly Dictionary<(int Asset, ulong Block, string Kind), long> _deltas = [];

        public void Apply(in SequencedEvent e)
        {
            var block = e.Event.Block.Value;
            foreach (var p in Postings.For(e.Event))
            {
                Add(AssetId(p.From.Asset), block, Account.KindName(p.From.Kind), -checked((long)p.Amount.Value));
                Add(AssetId(p.To.Asset), block, Account.KindName(p.To.Kind), checked((long)p.Amount.Value));
            }
        }

        private void Add(int asset, ulong block, string kind, long delta)
        {
            var key = (asset, block, kind);
            _deltas[key] = checked(_deltas.GetValueOrDefault(key) + delta);
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            if (_deltas.Count == 0)
            {
                return;
            }

            var rows = _deltas.ToArray();
            await using var cmd = new NpgsqlCommand(
                $"insert into {Table} as s (asset, block, kind, delta) " +
                "select * from unnest(@a::int[], @b::bigint[], @k::text[], @d::numeric[]) " +
                "on conflict (asset, block, kind) do update set delta = s.delta + excluded.delta", connection);
            cmd.Parameters.AddWithValue("a", rows.Select(r => r.Key.Asset).ToArray());
            cmd.Parameters.AddWithValue("b", rows.Select(r => checked((long)r.Key.Block)).ToArray());
            cmd.Parameters.AddWithValue("k", rows.Select(r => r.Key.Kind).ToArray());
            cmd.Parameters.AddWithValue("d", rows.Select(r => (decimal)r.Value).ToArray());
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            _deltas.Clear();
        }
    }
}
