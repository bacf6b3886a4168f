using Bittensor.Ledger.Domain.Emissions;
using Bittensor.Ledger.Projections.Tailing;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Bittensor.Ledger.Projections.EmissionHistory;

/// <summary>Who was paid what, per epoch: one <c>emission_history</c> row per (netuid, epoch, uid) from
/// <see cref="EpochCompleted"/> (the uid's terms and its server and validator emission), and every posting of
/// <see cref="SubnetEmissionPosted"/> in <c>emission_posting</c> (the accrual into the pots, then the take, the
/// nominators' shares, burns and dust), so a row's take and nominator shares are its postings with its uid.</summary>
public sealed class EmissionHistoryProjection : IFlatProjection
{
    public const string HistoryTable = "ledger.emission_history";
    public const string PostingTable = "ledger.emission_posting";

    public EmissionHistoryProjection()
    {
        var history = Sql.NewTable("emission_history");
        history.AddColumn<int>("netuid").AsPrimaryKey();
        history.AddColumn<long>("epoch").AsPrimaryKey();
        history.AddColumn<int>("uid").AsPrimaryKey();
        history.AddColumn<long>("block").NotNull();
        history.AddColumn<long>("seq_id").NotNull();
        history.AddColumn<string>("hotkey").NotNull();
        history.AddColumn<string>("coldkey").NotNull();
        history.AddColumn<int>("stake_weight").NotNull();
        history.AddColumn<int>("consensus").NotNull();
        history.AddColumn<int>("incentive").NotNull();
        history.AddColumn<int>("dividends").NotNull();
        history.AddColumn<int>("validator_trust").NotNull();
        history.AddColumn("server_emission", "numeric").NotNull();
        history.AddColumn("validator_emission", "numeric").NotNull();
        history.AddColumn("emission", "numeric").NotNull();
        history.AddColumn<bool>("active").NotNull();
        history.AddColumn<bool>("validator_permit").NotNull();
        // `ledger emissions --hotkey|--coldkey` with an epoch or block range: an index range scan each.
        history.Index("ix_emission_history_hotkey", "hotkey", "netuid", "epoch");
        history.Index("ix_emission_history_coldkey", "coldkey", "netuid", "epoch");
        history.Index("ix_emission_history_block", "netuid", "block");

        var posting = Sql.NewTable("emission_posting");
        posting.AddColumn<long>("seq_id").AsPrimaryKey();
        posting.AddColumn<int>("ordinal").AsPrimaryKey();
        posting.AddColumn<int>("netuid").NotNull();
        posting.AddColumn<long>("epoch").NotNull();
        posting.AddColumn<long>("block").NotNull();
        posting.AddColumn<long>("from_block").NotNull();
        posting.AddColumn<string>("reason").NotNull();
        posting.AddColumn<string>("from_account").NotNull();
        posting.AddColumn<string>("to_account").NotNull();
        posting.AddColumn("amount", "numeric").NotNull();
        posting.AddColumn<int>("uid");
        posting.AddColumn<string>("coldkey");
        // A uid's take and nominator shares for `ledger emissions`, read from the index alone.
        posting.CoveringIndex("ix_emission_posting_uid", ["netuid", "epoch", "uid"], ["ordinal", "reason", "amount", "coldkey"]);
        posting.Index("ix_emission_posting_coldkey", "coldkey", "block");
        Tables = [history, posting];
        DigestQueries = [Sql.DigestQuery(history, "netuid", "epoch", "uid"), Sql.DigestQuery(posting, "seq_id", "ordinal")];
    }

    public string Name => "emissions";

    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlySet<Type> EventTypes { get; } = new HashSet<Type> { typeof(EpochCompleted), typeof(SubnetEmissionPosted) };

    public IReadOnlyList<string> DigestQueries { get; }

    public IProjectionRun Begin() => new Run();

    private sealed class Run : IProjectionRun
    {
        private readonly List<(long Seq, EpochCompleted Epoch, UidEpochTerms Terms)> _rows = [];
        private readonly List<(long Seq, int Ordinal, SubnetEmissionPosted Posted, Posting Posting)> _postings = [];

        public void Apply(in SequencedEvent e)
        {
            switch (e.Event)
            {
                case EpochCompleted c:
                    foreach (var t in c.Terms)
                    {
                        _rows.Add((e.Seq, c, t));
                    }

                    break;
                case SubnetEmissionPosted p:
                    for (var i = 0; i < p.Postings.Length; i++)
                    {
                        _postings.Add((e.Seq, i, p, p.Postings[i]));
                    }

                    break;
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            await Copy.RowsAsync(connection,
                $"{HistoryTable} (netuid, epoch, uid, block, seq_id, hotkey, coldkey, stake_weight, consensus, incentive, dividends, " +
                "validator_trust, server_emission, validator_emission, emission, active, validator_permit)", _rows,
                static (w, r) =>
                {
                    w.Int(r.Epoch.NetUid.Value);
                    w.Long(r.Epoch.Epoch);
                    w.Int(r.Terms.Uid.Value);
                    w.Long(r.Epoch.Block.Value);
                    w.Long(r.Seq);
                    w.Text(r.Terms.Hotkey.Address);
                    w.Text(r.Terms.Coldkey.Address);
                    w.Int(r.Terms.StakeWeight);
                    w.Int(r.Terms.Consensus);
                    w.Int(r.Terms.Incentive);
                    w.Int(r.Terms.Dividends);
                    w.Int(r.Terms.ValidatorTrust);
                    w.Numeric(r.Terms.ServerEmission.Value);
                    w.Numeric(r.Terms.ValidatorEmission.Value);
                    w.Numeric(r.Terms.Emission.Value);
                    w.Bool(r.Terms.Active);
                    w.Bool(r.Terms.ValidatorPermit);
                }, ct).ConfigureAwait(false);
            await Copy.RowsAsync(connection,
                $"{PostingTable} (seq_id, ordinal, netuid, epoch, block, from_block, reason, from_account, to_account, amount, uid, coldkey)", _postings,
                static (w, r) =>
                {
                    w.Long(r.Seq);
                    w.Int(r.Ordinal);
                    w.Int(r.Posted.NetUid.Value);
                    w.Long(r.Posted.Epoch);
                    w.Long(r.Posted.Block.Value);
                    w.Long(r.Posted.FromBlock.Value);
                    w.Text(r.Posting.Reason.ToString());
                    w.Text(r.Posting.From.ToString());
                    w.Text(r.Posting.To.ToString());
                    w.Numeric(r.Posting.Amount.Value);
                    if (r.Posting.Uid is { } uid)
                    {
                        w.Int(uid.Value);
                    }
                    else
                    {
                        w.WriteNull();
                    }

                    w.Text(r.Posting.To.Kind == AccountKind.Stake ? r.Posting.To.Coldkey!.Value.Address : null);
                }, ct).ConfigureAwait(false);
            _rows.Clear();
            _postings.Clear();
        }
    }
}
